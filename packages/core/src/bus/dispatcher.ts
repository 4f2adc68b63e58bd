import type { Delivery } from '../transport/contract.js';
import { RESOLVED } from '../util/defer.js';
import { Deque } from '../util/deque.js';
import { H } from '../wire/reserved-headers.js';

/**
 * Runs deliveries through `process` with at most `concurrency` at once, never two with the same key at
 * once, and deliveries of one key in arrival order. After {@link stop} nothing new starts; deliveries
 * that were waiting stay unsettled and go back to the broker when the subscription closes. `process` never
 * rejects; it returns the shared {@link RESOLVED} promise when it finished synchronously, which frees the
 * slot at once.
 */
export class Dispatcher {
  private readonly ready = new Deque<Delivery>();
  private readonly waitingByKey = new Map<string, Delivery[]>();
  private readonly busyKeys = new Set<string>();
  private running = 0;
  /** How many `start` calls are on the stack: more than 0 while a handler is being started. */
  private starting = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly process: (delivery: Delivery) => Promise<void>,
  ) {}

  /**
   * The transport's delivery callback. A delivery that arrives while a handler is being started (a transport
   * whose ack hands out its next message at once) waits in the queue: the frame that is starting handlers
   * drains it in a loop, so such a transport never nests one delivery inside the other's call stack.
   */
  readonly onDelivery = (delivery: Delivery): void => {
    if (this.stopped) return;
    if (this.starting === 0 && this.ready.length === 0 && this.running < this.concurrency) {
      const key = keyOf(delivery);
      if (key === undefined || !this.busyKeys.has(key)) {
        if (key !== undefined) this.busyKeys.add(key);
        this.start(delivery, key);
        if (this.ready.length > 0) this.pump();
        return;
      }
    }
    this.ready.push(delivery);
    if (this.starting === 0) this.pump();
  };

  /** Handlers currently running. */
  get inFlight(): number {
    return this.running;
  }

  /** Starts nothing new from now on. */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves when no handler is running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.ready.length > 0) {
      const delivery = this.ready.shift()!;
      const key = keyOf(delivery);
      if (key !== undefined) {
        if (this.busyKeys.has(key)) {
          const waiting = this.waitingByKey.get(key);
          if (waiting) waiting.push(delivery);
          else this.waitingByKey.set(key, [delivery]);
          continue;
        }
        this.busyKeys.add(key);
      }
      this.start(delivery, key);
    }
  }

  private start(delivery: Delivery, key: string | undefined): void {
    this.running++;
    this.starting++;
    let outcome: Promise<void>;
    try {
      outcome = this.process(delivery);
    } finally {
      this.starting--;
    }
    if (outcome === RESOLVED) {
      // Finished synchronously (a synchronous handler whose ack settled at once, as on memory://): the slot is
      // free now, so a transport delivering in a loop keeps going instead of waiting a microtask per message.
      this.release(key);
      return;
    }
    // One shared callback for keyless deliveries: no closure per message (`.finally` would add three).
    if (key === undefined) outcome.then(this.onKeylessDone, this.onKeylessDone);
    else {
      const done = () => this.finished(key);
      outcome.then(done, done);
    }
  }

  private readonly onKeylessDone = (): void => this.finished(undefined);

  /** One handling ended asynchronously: frees its slot and starts what can start. */
  private finished(key: string | undefined): void {
    this.release(key);
    this.pump();
  }

  /** Frees a handler slot and its key (whose next waiting delivery goes to the front); wakes idle waiters. */
  private release(key: string | undefined): void {
    this.running--;
    if (key !== undefined) this.releaseKey(key);
    if (this.running === 0 && this.idleWaiters.length > 0)
      for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Frees `key` and puts its next waiting delivery at the front, so it runs before later arrivals. */
  private releaseKey(key: string): void {
    this.busyKeys.delete(key);
    const waiting = this.waitingByKey.get(key);
    if (!waiting) return;
    const next = waiting.shift()!;
    if (waiting.length === 0) this.waitingByKey.delete(key);
    this.ready.unshift(next);
  }
}

function keyOf(delivery: Delivery): string | undefined {
  return delivery.key ?? delivery.headers[H.key];
}
