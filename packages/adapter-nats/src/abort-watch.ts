/**
 * Watches the abort signals of publishes in flight without an event listener per publish: adding and removing
 * an 'abort' listener (and the promise around it) per request was a tenth of the adapter's cost per request.
 * One interval checks `signal.aborted` of every watched operation while there is any, and calls its `onAbort`
 * at most once; an abort is therefore noticed within {@link CHECK_EVERY_MS} (the bus aborts a send when its
 * send timeout, seconds long, runs out). No timer is left once nothing is watched.
 */

/** How often the signals are checked while an operation is watched. */
export const CHECK_EVERY_MS = 20;

interface Watched {
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

export class AbortWatch {
  private readonly watched = new Set<Watched>();
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * Calls `onAbort` once `signal` is aborted (at once when it already is), unless the returned function,
   * which ends the watch, is called first.
   */
  watch(signal: AbortSignal, onAbort: () => void): () => void {
    if (signal.aborted) {
      onAbort();
      return () => undefined;
    }
    const entry: Watched = { signal, onAbort };
    this.watched.add(entry);
    this.timer ??= setInterval(() => this.check(), CHECK_EVERY_MS);
    return () => this.end(entry);
  }

  private end(entry: Watched): void {
    if (this.watched.delete(entry) && this.watched.size === 0) this.stop();
  }

  private check(): void {
    for (const entry of this.watched) {
      if (!entry.signal.aborted) continue;
      this.watched.delete(entry);
      entry.onAbort();
    }
    if (this.watched.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ends every watch (the publisher closes); nothing is called. */
  close(): void {
    this.watched.clear();
    this.stop();
  }
}
