/**
 * The streams the adapter writes to: one work-queue stream per queue, one limits stream for every topic.
 */
import {
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamUpdateConfig,
} from '@nats-io/jetstream';
import { type ConsumerSpec, ensureConsumer, MS } from './consumers.js';
import { mapError, natsError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { NO_SERVER_FEATURES, type ServerFeatures } from './server-features.js';

export type { ConsumerSpec } from './consumers.js';

/**
 * Creates (or binds to) the streams and consumers the adapter uses, once per name per transport. A stream
 * that exists with settings the adapter cannot work with is a CONFLICT naming the setting.
 */
export class StreamManager {
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly options: ResolvedOptions,
    private readonly features: ServerFeatures = NO_SERVER_FEATURES,
  ) {}

  /** Makes sure the work-queue stream of a queue exists. */
  ensureQueueStream(stream: string, subject: string): Promise<void> {
    return this.ensure(stream, {
      name: stream,
      subjects: [subject],
      retention: RetentionPolicy.Workqueue,
      duplicate_window: this.options.duplicateWindowMs * MS,
    });
  }

  /** Makes sure the stream holding every topic exists. */
  ensureTopicStream(stream: string, subjects: string): Promise<void> {
    return this.ensure(stream, {
      name: stream,
      subjects: [subjects],
      retention: RetentionPolicy.Limits,
      max_age: this.options.topicRetentionMs * MS,
      duplicate_window: Math.min(this.options.duplicateWindowMs, this.options.topicRetentionMs) * MS,
    });
  }

  /** Forgets that a stream exists (it was deleted behind our back); the next ensure creates it again. */
  forget(stream: string): void {
    this.ensured.delete(stream);
  }

  private ensure(stream: string, config: Partial<StreamConfig> & { name: string }): Promise<void> {
    let ready = this.ensured.get(stream);
    if (!ready) {
      ready = this.create(stream, config);
      this.ensured.set(stream, ready);
      ready.catch(() => this.ensured.delete(stream));
    }
    return ready;
  }

  private async create(stream: string, config: Partial<StreamConfig> & { name: string }): Promise<void> {
    const full: Partial<StreamConfig> & { name: string } = {
      ...config,
      storage: this.options.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: this.options.replicas,
    };
    // Per-message TTL (Nats-TTL) only where the server has it; an older server would reject the field.
    if (this.features.messageTtl) full.allow_msg_ttl = true;
    try {
      await this.jsm.streams.add(full);
      return;
    } catch (error) {
      const mapped = mapError(error, `create stream ${stream}`);
      if (mapped.code !== 'CONFLICT') throw mapped;
    }
    const existing = await this.jsm.streams.info(stream).catch((error: unknown) => {
      throw mapError(error, `read stream ${stream}`);
    });
    const have = existing.config;
    const clash =
      have.retention !== full.retention
        ? `retention is "${have.retention}", the adapter needs "${full.retention}"`
        : !full.subjects!.every((s) => have.subjects?.includes(s))
          ? `subjects are ${JSON.stringify(have.subjects)}, the adapter needs ${JSON.stringify(full.subjects)}`
          : undefined;
    if (clash) {
      throw natsError(
        'CONFLICT',
        `stream ${stream} exists with an incompatible configuration: ${clash} — delete the stream or choose another prefix`,
        false,
      );
    }
    if (full.allow_msg_ttl && !have.allow_msg_ttl) {
      // Made before the server was upgraded to 2.11+: the server lets TTL be switched on (never off) in
      // place; the client's update type just does not list the field (update() merges it into the config).
      const enable = { allow_msg_ttl: true } as Partial<StreamUpdateConfig>;
      await this.jsm.streams.update(stream, enable).catch((error: unknown) => {
        throw mapError(error, `allow per-message TTL on stream ${stream}`);
      });
    }
  }

  /** Creates the consumer, or updates its ack deadline and prefetch when it exists; returns its name. */
  ensureConsumer(spec: ConsumerSpec): Promise<string> {
    return ensureConsumer(this.jsm, spec);
  }

  /** Deletes a consumer, ignoring one that is already gone. */
  async deleteConsumer(stream: string, name: string): Promise<void> {
    await this.jsm.consumers.delete(stream, name).catch(() => undefined);
  }
}
