/**
 * The offsets of one partition handed out in one consumer generation, and which of them are done.
 *
 * Deliveries may complete in any order (the bus runs several handlers at once), but Kafka keeps one committed
 * offset per partition: everything below it counts as done. So the committable offset is the lowest offset
 * handed out and not yet done — or, when every one is done, the last one seen plus one. Offsets must be
 * added in increasing order (gaps are fine: compacted records and transaction markers never arrive).
 */
export class OffsetTracker {
  /** Offsets in arrival order from `head` on; entries before `head` are done. */
  private offsets: number[] = [];
  private head = 0;
  private readonly done = new Set<number>();
  private lastSeen = -1;
  private committed = -1;

  /** Records that `offset` was handed out (or skipped, with `completed` true). */
  add(offset: number, completed = false): void {
    if (offset <= this.lastSeen) throw new RangeError(`offset ${offset} after ${this.lastSeen}`);
    this.lastSeen = offset;
    if (completed && this.head === this.offsets.length) return;
    this.offsets.push(offset);
    if (completed) this.complete(offset);
  }

  /** True when `offset` was added in this generation (a refetch after a rebalance repeats offsets). */
  has(offset: number): boolean {
    return offset <= this.lastSeen;
  }

  /** Marks `offset` done. Returns true when the committable offset moved forward. */
  complete(offset: number): boolean {
    const before = this.nextCommit();
    if (this.head < this.offsets.length && this.offsets[this.head] === offset) this.head++;
    else this.done.add(offset);
    while (this.head < this.offsets.length && this.done.delete(this.offsets[this.head]!)) this.head++;
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.head);
      this.head = 0;
    }
    return this.nextCommit() !== before;
  }

  /** Offsets handed out and not done yet. */
  get pending(): number {
    return this.offsets.length - this.head - this.done.size;
  }

  /** The offset to commit (the next record to read), or undefined before anything was added. */
  nextCommit(): number | undefined {
    if (this.lastSeen < 0) return undefined;
    return this.head < this.offsets.length ? this.offsets[this.head]! : this.lastSeen + 1;
  }

  /** The offset to commit when it is ahead of the last committed one, else undefined. */
  uncommitted(): number | undefined {
    const next = this.nextCommit();
    return next !== undefined && next > this.committed ? next : undefined;
  }

  /** Records a successful commit of `offset`. */
  markCommitted(offset: number): void {
    if (offset > this.committed) this.committed = offset;
  }
}
