import type { Consumer } from 'kafkajs';
import { OffsetTracker } from './offset-tracker.js';

/**
 * The offsets a subscription's partitions have handed out and completed, and their commits. Each partition
 * commits only up to its lowest unsettled offset ({@link OffsetTracker}), every `commitIntervalMs` after a
 * move and on {@link PartitionCommits.flush}, one commit at a time, so an out-of-order completion never
 * commits past a message that was not handled. Partitions lost in a rebalance are forgotten: completions of
 * their in-flight deliveries are dropped and the new owner redelivers them.
 */
export class PartitionCommits {
  private readonly trackers = new Map<number, OffsetTracker>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;

  /** `consumer()` is the consumer in use (the subscription replaces it after a crash). */
  constructor(
    private readonly topic: string,
    private readonly commitIntervalMs: number,
    private readonly consumer: () => Consumer,
  ) {}

  /** The tracker of `partition` in this generation, created on first use. */
  trackerOf(partition: number): OffsetTracker {
    let tracker = this.trackers.get(partition);
    if (!tracker) {
      tracker = new OffsetTracker();
      this.trackers.set(partition, tracker);
    }
    return tracker;
  }

  /** Marks `offset` done on `tracker`, if it is still the partition's; schedules a commit when the prefix moved. */
  complete(tracker: OffsetTracker, partition: number, offset: number): void {
    if (this.closed || this.trackers.get(partition) !== tracker) return;
    if (tracker.complete(offset)) this.schedule();
  }

  /** Partitions with unsettled deliveries, which the assigner keeps with this member. */
  busyPartitions(): Record<string, number[]> {
    const busy: number[] = [];
    for (const [partition, tracker] of this.trackers) if (tracker.pending > 0) busy.push(partition);
    return busy.length === 0 ? {} : { [this.topic]: busy };
  }

  /** Forgets the partitions not in `assigned` (a rebalance moved them to another member). */
  keepOnly(assigned: ReadonlySet<number>): void {
    for (const partition of [...this.trackers.keys()]) {
      if (!assigned.has(partition)) this.trackers.delete(partition);
    }
  }

  /** Commits within `commitIntervalMs`, unless a commit is already scheduled. */
  schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.commitIntervalMs);
  }

  /** Commits every partition's contiguous prefix that moved since the last commit; one commit at a time. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    const commits: { tracker: OffsetTracker; partition: number; offset: number }[] = [];
    for (const [partition, tracker] of this.trackers) {
      const offset = tracker.uncommitted();
      if (offset !== undefined) commits.push({ tracker, partition, offset });
    }
    if (commits.length === 0) return;
    const topic = this.topic;
    this.flushing = this.consumer()
      .commitOffsets(commits.map(({ partition, offset }) => ({ topic, partition, offset: String(offset) })))
      .then(
        () => {
          for (const { tracker, offset } of commits) tracker.markCommitted(offset);
        },
        // A commit refused during a rebalance is dropped: the partition's new owner redelivers from the last commit.
        () => undefined,
      )
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  /** Stops scheduling, commits what is done, and forgets every partition. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    this.trackers.clear();
  }
}
