/**
 * The memory broker's delayed deliveries. While at least one transport of the broker is open, pending
 * timers keep the process alive (a delayed message is work still to do); once all are closed they no
 * longer hold the process open, since an in-memory message cannot outlive the process anyway.
 */
export class DelayTimers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private holders = 0;

  /** Runs `callback` after `ms`. */
  after(ms: number, callback: () => void): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      callback();
    }, ms);
    if (this.holders === 0) timer.unref();
    this.pending.add(timer);
  }

  /** A transport opened. */
  retain(): void {
    if (this.holders++ === 0) for (const timer of this.pending) timer.ref();
  }

  /** A transport closed. */
  release(): void {
    if (--this.holders === 0) for (const timer of this.pending) timer.unref();
  }
}
