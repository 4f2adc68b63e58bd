/**
 * Event-driven waiting for the scenarios: no sleep is used to synchronise with the system under test.
 * Everything here is bounded by a timeout and fails with a message that says what was awaited.
 */
import { AssertionError } from './assert.js';

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this many ms. */
  readonly timeoutMs: number;
  /** What is awaited, for the failure message ("100 messages on orders"). */
  readonly what: string;
}

/** Resolves once `predicate()` is true; re-checked on every {@link Signal} notification and every 10 ms. */
export function waitFor(predicate: () => boolean, options: WaitOptions & { signal?: Signal }): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      let done: boolean;
      try {
        done = predicate();
      } catch (error) {
        finish();
        reject(error);
        return;
      }
      if (done) {
        finish();
        resolve();
      } else if (Date.now() - started >= options.timeoutMs) {
        finish();
        reject(new AssertionError(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`));
      }
    };
    const timer = setInterval(check, 10);
    const unsubscribe = options.signal?.listen(check);
    const finish = () => {
      clearInterval(timer);
      unsubscribe?.();
    };
  });
}

/** A tiny change notifier: waiters re-check their predicate when it fires. */
export class Signal {
  private readonly listeners = new Set<() => void>();

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Options of {@link Collector.waitForCount}. */
export interface CountOptions {
  readonly timeoutMs: number;
  /** Fail early if no new item arrives for this many ms (the flow stalled). */
  readonly stallMs?: number | undefined;
}

/**
 * Collects items (message ids, bodies, events) as they arrive and lets a scenario await them: a count,
 * a set of ids, or a predicate — each bounded by a timeout with a clear failure message.
 */
export class Collector<T> {
  readonly items: T[] = [];
  private readonly changed = new Signal();
  private lastArrival = Date.now();

  constructor(private readonly name: string) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.lastArrival = Date.now();
    this.changed.notify();
  }

  /** Resolves once at least `n` items arrived. */
  waitForCount(n: number, options: CountOptions): Promise<void> {
    return this.until(
      () => this.items.length >= n,
      () => `${n} items on ${this.name} (got ${this.items.length})`,
      options,
    );
  }

  /** Resolves once every id in `ids` arrived (`idOf` maps an item to its id). */
  waitForAll(ids: Iterable<string>, idOf: (item: T) => string, options: CountOptions): Promise<void> {
    const wanted = new Set(ids);
    const seen = new Set<string>();
    let scanned = 0;
    return this.until(
      () => {
        for (; scanned < this.items.length; scanned++) {
          const id = idOf(this.items[scanned]!);
          if (wanted.has(id)) seen.add(id);
        }
        return seen.size === wanted.size;
      },
      () => `${wanted.size} distinct ids on ${this.name} (got ${seen.size})`,
      options,
    );
  }

  /** Resolves once `predicate(items)` is true. */
  waitUntil(predicate: (items: readonly T[]) => boolean, what: string, options: CountOptions): Promise<void> {
    return this.until(
      () => predicate(this.items),
      () => `${what} on ${this.name} (${this.items.length} items so far)`,
      options,
    );
  }

  private until(predicate: () => boolean, describe: () => string, options: CountOptions): Promise<void> {
    if (predicate()) return Promise.resolve();
    this.lastArrival = Date.now();
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        if (predicate()) {
          finish();
          resolve();
          return;
        }
        const now = Date.now();
        if (now - started >= options.timeoutMs) {
          finish();
          reject(new AssertionError(`timed out after ${options.timeoutMs} ms waiting for ${describe()}`));
        } else if (options.stallMs !== undefined && now - this.lastArrival >= options.stallMs) {
          finish();
          reject(
            new AssertionError(
              `processing stalled: nothing arrived for ${options.stallMs} ms while waiting for ${describe()}`,
            ),
          );
        }
      };
      const timer = setInterval(check, 10);
      const unsubscribe = this.changed.listen(check);
      const finish = () => {
        clearInterval(timer);
        unsubscribe();
      };
    });
  }
}

/** A promise with its resolve function exposed, for gates that scenarios open explicitly. */
export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
  readonly isOpen: boolean;
}

/** Creates a closed {@link Gate}. */
export function gate(): Gate {
  let open!: () => void;
  let isOpen = false;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    promise,
    open: () => {
      isOpen = true;
      open();
    },
    get isOpen() {
      return isOpen;
    },
  };
}

/**
 * Waits `ms`. Only for scenarios where a quiet period or elapsed time IS the assertion ("nothing crosses
 * within 500 ms", "not delivered before the delay"); never to wait for something that can be awaited.
 */
export function elapse(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Races `promise` against a timeout that rejects with a clear message. Leaves no timer behind. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AssertionError(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
