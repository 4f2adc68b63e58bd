import type { DeliveryHandler, Subscription } from '@switchboard/core';
import { MessagingError } from '@switchboard/core';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import kafkajs from 'kafkajs';
import { busyStickyAssigner } from './assigner.js';
import { type DecodedRecord, fromRecord } from './codec.js';
import { type DeliveryOwner, KafkaDelivery } from './delivery.js';
import { COMPONENT, toMessagingError } from './errors.js';
import { createDecodingConsumer } from './fetch-hook.js';
import type { OffsetTracker } from './offset-tracker.js';
import { PartitionCommits } from './partition-commits.js';
import { PrefetchSlots } from './prefetch-slots.js';

const { PartitionAssigners } = kafkajs;

/** What a {@link KafkaSubscription} is started with. */
export interface SubscriptionSpec {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly prefetch: number;
  /** Where a group without committed offsets starts: true = earliest, false = latest. */
  readonly fromBeginning: boolean;
  /** Where partitions without committed offsets start (a new topic group): sought and committed on assignment. */
  readonly startOffsets: Map<number, string>;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly commitIntervalMs: number;
  readonly onDelivery: DeliveryHandler;
  /** Writes a nacked delivery's copy (with `headers`) back for this group; resolves once the broker has it. */
  readonly republish: (record: DecodedRecord, headers: Readonly<Record<string, string>>) => Promise<void>;
  /** Called after close (e.g. to delete an ephemeral group). */
  readonly onClosed?: (() => Promise<void>) | undefined;
}

/**
 * One kafkajs consumer (one group member) feeding deliveries to the bus. At most `prefetch` deliveries are
 * unsettled at once: the batch loop waits (heartbeating) for a free slot ({@link PrefetchSlots}). Offsets are
 * committed per partition only up to the lowest unsettled one, every `commitIntervalMs` and on close
 * ({@link PartitionCommits}).
 */
export class KafkaSubscription implements Subscription, DeliveryOwner {
  /** The kafkajs consumer in use; replaced when kafkajs gives up on it (see {@link KafkaSubscription.recover}). */
  private consumer: Consumer;
  private readonly commits: PartitionCommits;
  private readonly slots: PrefetchSlots;
  private stopped = false;
  private closing: Promise<void> | undefined;
  /** The commit of a new group's start offsets; `start()` waits for it, so a restart begins from there. */
  private startCommit: Promise<void> | undefined;
  /** Settles the join that `run()` waits for: resolved by GROUP_JOIN, rejected by a crash kafkajs gives up on. */
  private joinWaiter: { resolve(): void; reject(error: unknown): void } | undefined;
  /** A replacement consumer being started after a crash kafkajs does not restart from. */
  private recovering: Promise<void> | undefined;

  constructor(private readonly spec: SubscriptionSpec) {
    this.commits = new PartitionCommits(spec.topic, spec.commitIntervalMs, () => this.consumer);
    this.slots = new PrefetchSlots(spec.prefetch);
    this.consumer = this.createConsumer();
  }

  /** Connects, joins the group and resolves once partitions are assigned (or rejects within `timeoutMs`). */
  async start(timeoutMs: number): Promise<void> {
    try {
      await this.run(timeoutMs);
    } catch (error) {
      await this.consumer.disconnect().catch(() => undefined);
      throw toMessagingError(error, `cannot subscribe to ${this.spec.topic} as ${this.spec.groupId}`);
    }
  }

  private createConsumer(): Consumer {
    const spec = this.spec;
    const { consumer } = createDecodingConsumer(spec.kafka, {
      groupId: spec.groupId,
      sessionTimeout: spec.sessionTimeoutMs,
      rebalanceTimeout: spec.rebalanceTimeoutMs,
      heartbeatInterval: spec.heartbeatIntervalMs,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      partitionAssigners: [
        busyStickyAssigner(() => this.commits.busyPartitions()),
        PartitionAssigners.roundRobin,
      ],
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.onJoin(event.payload.memberAssignment);
      this.joinWaiter?.resolve();
    });
    // Best effort: commit what is done before partitions may move, so their new owner repeats less.
    consumer.on(consumer.events.REBALANCING, () => void this.commits.flush());
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || consumer !== this.consumer) return;
      if (this.joinWaiter) this.joinWaiter.reject(event.payload.error);
      else this.recover(event.payload.error);
    });
    return consumer;
  }

  /** Reports a problem the subscription handles itself (it has no caller to reject), without credentials. */
  private warn(error: unknown, what: string): void {
    const mapped = toMessagingError(error, `the subscription to ${this.spec.topic} as ${this.spec.groupId}`);
    console.error(`${mapped.message} — ${what}`);
  }

  /** Connects the current consumer, subscribes and runs it; resolves after its first group join. */
  private async run(timeoutMs: number): Promise<void> {
    const consumer = this.consumer;
    let timer: NodeJS.Timeout | undefined;
    const joined = new Promise<void>((resolve, reject) => {
      this.joinWaiter = { resolve, reject };
      timer = setTimeout(
        () =>
          reject(
            new MessagingError(
              'TIMEOUT',
              `joining the consumer group ${this.spec.groupId} took longer than ${timeoutMs} ms — is the broker healthy?`,
              { component: COMPONENT },
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await consumer.connect();
      for (let attempt = 1; ; attempt++) {
        try {
          await consumer.subscribe({ topics: [this.spec.topic], fromBeginning: this.spec.fromBeginning });
          break;
        } catch (error) {
          // Metadata of a topic created a moment ago may not have reached every listener yet.
          if ((error as { retriable?: boolean }).retriable !== true || attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.min(500, 50 * attempt)));
        }
      }
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.eachBatch(payload),
      });
      await joined;
      await this.startCommit;
    } finally {
      this.joinWaiter = undefined;
      clearTimeout(timer);
    }
  }

  /**
   * kafkajs stops a consumer for good after an error it deems not retriable (it can happen around a broker
   * restart): replace it with a fresh one, retrying with backoff until it joins or the subscription closes.
   * Trackers are kept, so offsets still in flight or done are not delivered twice if the partitions return.
   */
  private recover(cause: unknown): void {
    if (this.recovering || this.stopped) return;
    this.warn(cause, 'kafkajs stopped the consumer; starting a fresh one');
    this.recovering = (async () => {
      for (let attempt = 1; !this.stopped; attempt++) {
        await this.consumer.disconnect().catch(() => undefined);
        if (this.stopped) return;
        this.consumer = this.createConsumer();
        try {
          await this.run(this.spec.sessionTimeoutMs + this.spec.rebalanceTimeoutMs);
          return;
        } catch (error) {
          const waitMs = Math.min(10_000, 250 * 2 ** attempt);
          this.warn(error, `the fresh consumer did not join; retrying in ${waitMs} ms`);
          await this.slots.wait(waitMs); // stop() wakes it
        }
      }
    })().finally(() => {
      this.recovering = undefined;
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.slots.wakeAll();
    try {
      this.consumer.pause([{ topic: this.spec.topic }]);
    } catch {
      // not running yet: nothing to pause
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stop();
      await this.recovering;
      await this.commits.close();
      await this.consumer.disconnect().catch(() => undefined);
      await this.spec.onClosed?.().catch(() => undefined);
    })();
    return this.closing;
  }

  /** Settles one offset of `tracker`: frees a prefetch slot and schedules a commit when the prefix moved. */
  settle(tracker: OffsetTracker, partition: number, offset: number | undefined): void {
    this.slots.release();
    if (offset !== undefined) this.commits.complete(tracker, partition, offset);
  }

  /** Re-publishes a nacked record for this group. */
  republish(record: DecodedRecord, headers: Readonly<Record<string, string>>): Promise<void> {
    return this.spec.republish(record, headers);
  }

  private onJoin(assignment: Record<string, number[]>): void {
    const topic = this.spec.topic;
    const assigned = new Set(assignment[topic] ?? []);
    const starts: { topic: string; partition: number; offset: string }[] = [];
    for (const partition of assigned) {
      const offset = this.spec.startOffsets.get(partition);
      if (offset === undefined) continue;
      this.spec.startOffsets.delete(partition);
      this.consumer.seek({ topic, partition, offset });
      starts.push({ topic, partition, offset });
    }
    // kafkajs accepts commits only once the runner is marked running, right after this event: commit next turn.
    if (starts.length > 0) {
      this.startCommit = new Promise((resolve) => setImmediate(resolve))
        .then(() => this.consumer.commitOffsets(starts))
        .catch(() => undefined);
    }
    this.commits.keepOnly(assigned);
  }

  /**
   * Hands the batch's records to the bus, waiting (heartbeating) while `prefetch` are unsettled. kafkajs is told
   * the last offset handed over (resolveOffset, where the next fetch starts) before every wait and on the way
   * out, not per record: its resolveOffset parses the offset as a 64-bit number each call. Stop and seek are
   * checked per record only through `stopped` (set synchronously by stop()); kafkajs' own running and stale
   * state can change only while the loop waits, so it is read once per batch and after each wait.
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const partition = batch.partition;
    const tracker = this.commits.trackerOf(partition);
    if (!isRunning() || isStale()) return;
    let last: string | undefined;
    try {
      for (const message of batch.messages) {
        if (this.stopped) return;
        const offset = Number(message.offset);
        if (tracker.has(offset)) {
          last = message.offset;
          continue;
        }
        const record = fromRecord(message);
        if (record.retryGroup !== undefined && record.retryGroup !== this.spec.groupId) {
          tracker.add(offset, true);
          last = message.offset;
          this.commits.schedule();
          continue;
        }
        while (this.slots.full) {
          if (last !== undefined) resolveOffset(last);
          last = undefined;
          await this.slots.wait(this.spec.heartbeatIntervalMs);
          if (this.stopped || !isRunning() || isStale()) return;
          await heartbeat();
        }
        tracker.add(offset);
        this.slots.take();
        last = message.offset;
        this.spec.onDelivery(new KafkaDelivery(this, tracker, partition, offset, record));
      }
    } finally {
      if (last !== undefined) resolveOffset(last);
    }
  }
}
