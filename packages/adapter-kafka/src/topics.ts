import { MessagingError } from '@switchboard/core';
import type { Admin } from 'kafkajs';
import { COMPONENT, toMessagingError } from './errors.js';

/** Kafka's rule for topic names: 1–249 of letters, digits, `.`, `_`, `-`, and not `.` or `..`. */
const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

/** Throws INVALID_ARGUMENT when Kafka would refuse `name` as a topic name. */
export function checkTopicName(name: string): string {
  if (!LEGAL.test(name) || name === '.' || name === '..') {
    throw new MessagingError(
      'INVALID_ARGUMENT',
      `"${name}" is not a valid Kafka topic name — use 1–249 letters, digits, ".", "_" and "-" (no ":" or "/")`,
      { component: COMPONENT },
    );
  }
  return name;
}

/** Topic settings for {@link TopicCache}. */
export interface TopicSettings {
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly timeoutMs: number;
}

/**
 * Creates topics on demand through the admin API and remembers which exist, so each name costs one
 * round trip per transport. Concurrent calls for one name share the request; a failure is not cached.
 */
export class TopicCache {
  private readonly known = new Map<string, Promise<void>>();

  constructor(
    private readonly admin: Admin,
    private readonly settings: TopicSettings,
  ) {}

  /** Resolves once `name` exists (created with the configured partitions if it did not). */
  ensure(name: string, partitions = this.settings.partitions): Promise<void> {
    let pending = this.known.get(name);
    if (!pending) {
      checkTopicName(name);
      pending = this.create(name, partitions).catch((error: unknown) => {
        this.known.delete(name);
        throw toMessagingError(error, `cannot create the topic ${name}`);
      });
      this.known.set(name, pending);
    }
    return pending;
  }

  /** Creates `name`; retries briefly while fresh metadata has not reached every listener (kafkajs only retries LEADER_NOT_AVAILABLE). */
  private async create(name: string, partitions: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.admin.createTopics({
          topics: [
            { topic: name, numPartitions: partitions, replicationFactor: this.settings.replicationFactor },
          ],
          waitForLeaders: true,
          timeout: this.settings.timeoutMs,
        });
        return;
      } catch (error) {
        if ((error as { retriable?: boolean }).retriable !== true || attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /**
   * True when `name` exists: known here, or found in the cluster's metadata (then remembered). Only a definite
   * "unknown topic" answer counts as absent; any other failure is thrown as a MessagingError.
   */
  async exists(name: string): Promise<boolean> {
    const known = this.known.get(name);
    if (known)
      return known.then(
        () => true,
        () => false,
      );
    try {
      await this.admin.fetchTopicMetadata({ topics: [name] });
    } catch (error) {
      const inner = error as { originalError?: { type?: string }; cause?: { type?: string }; type?: string };
      const type = inner.type ?? inner.originalError?.type ?? inner.cause?.type;
      if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return false;
      throw toMessagingError(error, `cannot look up the topic ${name}`);
    }
    if (!this.known.has(name)) this.known.set(name, Promise.resolve());
    return true;
  }

  /** Deletes `names` (best effort) and forgets them. */
  async remove(names: readonly string[]): Promise<void> {
    for (const name of names) this.known.delete(name);
    await this.admin
      .deleteTopics({ topics: [...names], timeout: this.settings.timeoutMs })
      .catch(() => undefined);
  }
}
