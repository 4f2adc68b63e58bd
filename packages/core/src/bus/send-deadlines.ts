import { setMaxListeners } from 'node:events';

/** A publish in flight, as its deadline sees it. */
export interface DeadlineHolder {
  /** Called once when the deadline passed before {@link SendDeadlines.release}; the signal has aborted. */
  expired(): void;
}

/** Publishes that started within one bucket's width share its timer and abort signal. */
class Bucket {
  readonly controller = new AbortController();
  readonly holders = new Set<DeadlineHolder>();
  timer: NodeJS.Timeout | undefined;
  constructor(readonly openedAt: number) {
    // Every publish of the bucket may listen on the one signal.
    setMaxListeners(0, this.controller.signal);
  }
}

/**
 * Deadlines for publishes in flight, grouped in time buckets: one timer and one `AbortController` per
 * bucket instead of per publish (an AbortController costs about as much as encoding a small JSON body,
 * and a request is a publish of its own). A publish's deadline passes between `timeoutMs` and
 * `timeoutMs + width` after it started (`width` = a tenth of the timeout, at most 1 s), never earlier.
 * A bucket's timer is cleared as soon as its last publish settles, so an idle bus holds no timer; the bucket
 * itself (its signal not aborted) is reused by publishes that start within its width.
 */
export class SendDeadlines {
  private readonly width: number;
  private current: Bucket | undefined;

  constructor(private readonly timeoutMs: number) {
    this.width = Math.max(1, Math.min(1000, Math.floor(timeoutMs / 10)));
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
    }
    bucket.holders.add(holder);
    return bucket;
  }

  /**
   * Ends the deadline of `holder` (its publish settled). The last one out clears the bucket's timer; the
   * bucket stays open for the rest of its width (sequential requests share it) and re-arms on the next hold.
   */
  release(bucket: Bucket, holder: DeadlineHolder): void {
    if (!bucket.holders.delete(holder) || bucket.holders.size > 0) return;
    clearTimeout(bucket.timer);
    bucket.timer = undefined;
    if (this.current === bucket && Date.now() - bucket.openedAt >= this.width) this.current = undefined;
  }

  private expire(bucket: Bucket): void {
    bucket.timer = undefined;
    if (this.current === bucket) this.current = undefined;
    bucket.controller.abort();
    const expired = [...bucket.holders];
    bucket.holders.clear();
    for (const holder of expired) holder.expired();
  }
}

export type { Bucket as DeadlineBucket };
