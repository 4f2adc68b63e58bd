import { setMaxListeners } from 'node:events';

/** Something waiting under a deadline: a publish in flight, a request waiting for its reply. */
export interface DeadlineHolder {
  /** Called once when the deadline passed before {@link Deadlines.release}; the bucket's signal has aborted. */
  expired(): void;
}

/** Holders that started within one bucket's width share its timer and abort signal. */
class Bucket {
  readonly controller = new AbortController();
  readonly holders = new Set<DeadlineHolder>();
  timer: NodeJS.Timeout | undefined;
  constructor(readonly openedAt: number) {
    // Every holder of the bucket may listen on the one signal.
    setMaxListeners(0, this.controller.signal);
  }
}

/**
 * Deadlines of one length (`timeoutMs`), grouped in time buckets: one timer and one `AbortController` per
 * bucket instead of per holder (an AbortController costs about as much as encoding a small JSON body, and a
 * timer set and cleared per request allocates a timer list each time when requests run one after another).
 * A holder's deadline passes between `timeoutMs` and `timeoutMs + width` after it started, never earlier
 * (`width`: by default a tenth of the timeout, at most 1 s).
 *
 * A bucket's timer is armed once, when its first holder arrives, and stays armed while the bucket takes new
 * holders (for its width); while the bucket is empty the timer is unreferenced, so an idle bus keeps no
 * process alive, and an empty bucket's expiry does nothing. Holders that come and go one after another
 * (sequential requests) thus cost no timer each.
 */
export class Deadlines {
  private readonly width: number;
  private current: Bucket | undefined;

  /** `lateness`: the largest share of `timeoutMs` a deadline may pass late, and at most how many ms. */
  constructor(
    private readonly timeoutMs: number,
    lateness: { readonly share: number; readonly maxMs: number } = { share: 0.1, maxMs: 1000 },
  ) {
    this.width = Math.max(1, Math.min(lateness.maxMs, Math.floor(timeoutMs * lateness.share)));
  }

  /** Starts the deadline of `holder`; returns its bucket, whose signal aborts when the deadline passes. */
  hold(holder: DeadlineHolder): Bucket {
    const now = Date.now();
    let bucket = this.current;
    if (bucket === undefined || now - bucket.openedAt >= this.width) {
      bucket = new Bucket(now);
      this.current = bucket;
    }
    if (bucket.timer === undefined) {
      const armed = bucket;
      armed.timer = setTimeout(() => this.expire(armed), armed.openedAt + this.timeoutMs + this.width - now);
    } else if (bucket.holders.size === 0) {
      bucket.timer.ref();
    }
    bucket.holders.add(holder);
    return bucket;
  }

  /**
   * Ends the deadline of `holder` (it settled in time). When the last one leaves, a bucket that may still
   * take holders keeps its timer, unreferenced; any other bucket's timer is cleared.
   */
  release(bucket: Bucket, holder: DeadlineHolder): void {
    if (!bucket.holders.delete(holder) || bucket.holders.size > 0) return;
    if (this.current === bucket && Date.now() - bucket.openedAt < this.width) {
      bucket.timer?.unref();
      return;
    }
    if (this.current === bucket) this.current = undefined;
    clearTimeout(bucket.timer);
    bucket.timer = undefined;
  }

  /** True when no holder waits (the timers left, if any, are unreferenced and expire doing nothing). */
  get idle(): boolean {
    return this.current === undefined || this.current.holders.size === 0;
  }

  private expire(bucket: Bucket): void {
    bucket.timer = undefined;
    if (this.current === bucket) this.current = undefined;
    if (bucket.holders.size === 0) return;
    bucket.controller.abort();
    const expired = [...bucket.holders];
    bucket.holders.clear();
    for (const holder of expired) holder.expired();
  }
}

export type { Bucket as DeadlineBucket };
