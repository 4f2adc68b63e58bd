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

/** How long an "unknown topic" answer may last before {@link TopicCache.exists} believes it. */
const UNKNOWN_GRACE_MS = 3000;

/**
 * How long a created topic may stay unknown to the broker's metadata. A loaded broker applies metadata changes
 * (creating and deleting partition logs) on one thread: 9 s of lag were seen on the 2-core test machines. The
 * caller's own timeout (a request's, a send's) still bounds what the user waits.
 */
const CREATED_VISIBLE_MS = 30_000;

/** True for kafkajs' "unknown topic" answer, however it is wrapped. */
function isUnknownTopic(error: unknown): boolean {
  const inner = error as { originalError?: { type?: string }; cause?: { type?: string }; type?: string };
  return (inner.type ?? inner.originalError?.type ?? inner.cause?.type) === 'UNKNOWN_TOPIC_OR_PARTITION';
}

/**
 * True for kafkajs' "Timed out while waiting for topic leaders": the creation was accepted and only the leader
 * election outlasted the admin timeout (a loaded broker). The topic exists; what remains is to wait for it.
 */
function isSlowLeaders(error: unknown): boolean {
  for (let e = error as { message?: unknown; originalError?: unknown; cause?: unknown } | undefined; e; ) {
    if (typeof e.message === 'string' && e.message.includes('waiting for topic leaders')) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
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
  private stopped = false;

  constructor(
    private readonly admin: Admin,
    private readonly settings: TopicSettings,
  ) {}

  /** Ends every wait for a topic to become visible (the transport is closing). */
  stop(): void {
    this.stopped = true;
  }

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

  /**
   * Forgets that `name` exists, so the next {@link ensure} creates it again: for a topic deleted behind the
   * adapter's back (a publish to it failed with "unknown topic").
   */
  forget(name: string): void {
    this.known.delete(name);
  }

  /**
   * Creates `name`; retries briefly while fresh metadata has not reached every listener (kafkajs only retries
   * LEADER_NOT_AVAILABLE). A creation whose leaders take longer than the admin timeout counts as done once the
   * metadata shows the topic (within {@link CREATED_VISIBLE_MS}).
   */
  private async create(name: string, partitions: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.admin
          .createTopics({
            topics: [
              { topic: name, numPartitions: partitions, replicationFactor: this.settings.replicationFactor },
            ],
            waitForLeaders: true,
            timeout: this.settings.timeoutMs,
          })
          .catch((error: unknown) => {
            if (!isSlowLeaders(error)) throw error;
          });
        // A retried creation answered "already exists" returns without waiting for leaders, and slow leaders
        // end the admin call early: wait here (a send meanwhile finding no leader is retried by kafkajs).
        if (!(await this.visible(name, CREATED_VISIBLE_MS))) {
          throw new MessagingError(
            'UNAVAILABLE',
            `the topic ${name} was created but the broker still does not know it after ${CREATED_VISIBLE_MS} ms — is the cluster overloaded?`,
            { component: COMPONENT, retryable: true },
          );
        }
        return;
      } catch (error) {
        if ((error as { retriable?: boolean }).retriable !== true || attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /**
   * True when `name` exists: known here, or found in the cluster's metadata (then remembered). A topic created
   * a moment ago (by another client) may still be unknown to the broker that answers, so only an "unknown
   * topic" answer that lasts {@link UNKNOWN_GRACE_MS} counts as absent; any other failure is thrown as a
   * MessagingError.
   */
  async exists(name: string): Promise<boolean> {
    const known = this.known.get(name);
    if (known)
      return known.then(
        () => true,
        () => false,
      );
    if (!(await this.visible(name, UNKNOWN_GRACE_MS))) return false;
    if (!this.known.has(name)) this.known.set(name, Promise.resolve());
    return true;
  }

  /**
   * Polls the metadata until `name` is known, for at most `budgetMs`; false when it stayed unknown. Kafka
   * acknowledges a creation before every broker's metadata has the topic, and under load that can lag seconds.
   */
  private async visible(name: string, budgetMs: number): Promise<boolean> {
    for (let waited = 0, delay = 50; ; waited += delay, delay = Math.min(delay * 2, 500)) {
      try {
        await this.admin.fetchTopicMetadata({ topics: [name] });
        return true;
      } catch (error) {
        if (!isUnknownTopic(error)) throw toMessagingError(error, `cannot look up the topic ${name}`);
        if (waited >= budgetMs || this.stopped) return false;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Deletes `names` (best effort) and forgets them. */
  async remove(names: readonly string[]): Promise<void> {
    for (const name of names) this.known.delete(name);
    await this.admin
      .deleteTopics({ topics: [...names], timeout: this.settings.timeoutMs })
      .catch(() => undefined);
  }
}
