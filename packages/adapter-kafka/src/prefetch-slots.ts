/**
 * Counts a subscription's unsettled deliveries against its prefetch. The batch loop waits for a free slot with
 * {@link PrefetchSlots.wait}, which a settle (or {@link PrefetchSlots.wakeAll}) ends early.
 */
export class PrefetchSlots {
  private unsettled = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly prefetch: number) {}

  /** True while `prefetch` deliveries are unsettled. */
  get full(): boolean {
    return this.unsettled >= this.prefetch;
  }

  /** Counts one more delivery handed out. */
  take(): void {
    this.unsettled++;
  }

  /** Frees one delivery's slot and wakes the waiters. */
  release(): void {
    this.unsettled--;
    this.wakeAll();
  }

  /** Resolves when a slot may have been freed, or after `timeoutMs` (the caller heartbeats and checks again). */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Ends every wait now (a settle, or the subscription stopping). */
  wakeAll(): void {
    if (this.waiters.length === 0) return; // the usual case: a settle per message, nobody waiting
    for (const wake of this.waiters.splice(0)) wake();
  }
}
