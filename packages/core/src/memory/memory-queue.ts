import { MessagingError } from '../errors.js';
import type { Delivery, DeliveryHandler, NackOptions } from '../transport/contract.js';
import { defer, RESOLVED } from '../util/defer.js';
import { Deque } from '../util/deque.js';
import { IntrusiveList, type Linked } from '../util/intrusive-list.js';
import type { DelayTimers } from './delay-timers.js';

/** A message held by the memory broker. */
export interface StoredMessage {
  readonly body: Uint8Array;
  headers: Readonly<Record<string, string>>;
  readonly key: string | undefined;
  readonly expiresAt: number | undefined;
  redeliveries: number;
  /** A consumer that let it pass its ack deadline; another one is preferred for the redelivery. */
  avoid?: MemoryConsumer | undefined;
}

/** One subscription's view of a queue. */
export class MemoryConsumer {
  unsettled = 0;
  stopped = false;
  constructor(
    readonly prefetch: number,
    readonly ackDeadlineMs: number,
    readonly onDelivery: DeliveryHandler,
  ) {}

  get hasCapacity(): boolean {
    return !this.stopped && this.unsettled < this.prefetch;
  }
}

class MemoryDelivery implements Delivery, Linked<MemoryDelivery> {
  settled = false;
  /** Links in the queue's list of unacked deliveries. */
  prev: MemoryDelivery | undefined = undefined;
  next: MemoryDelivery | undefined = undefined;
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string | undefined;
  readonly redeliveries: number;
  deadline: number;

  constructor(
    readonly queue: MemoryQueue,
    readonly stored: StoredMessage,
    readonly consumer: MemoryConsumer,
    now: number,
  ) {
    this.body = stored.body;
    this.headers = stored.headers;
    this.key = stored.key;
    this.redeliveries = stored.redeliveries;
    this.deadline = now + consumer.ackDeadlineMs;
  }

  ack(): Promise<void> {
    this.queue.settle(this, undefined);
    return RESOLVED;
  }

  nack(options: NackOptions): Promise<void> {
    this.queue.settle(this, options);
    return RESOLVED;
  }
}

/**
 * A queue of the memory broker: competing consumers with prefetch, nack with delay, ttl, an ack deadline
 * after which unsettled messages go to another consumer, and a high-water mark that holds publishers
 * back (backpressure) instead of buffering without bound.
 */
export class MemoryQueue {
  private readonly ready = new Deque<StoredMessage>();
  private readonly consumers: MemoryConsumer[] = [];
  private readonly unacked = new IntrusiveList<MemoryDelivery>();
  private readonly spaceWaiters = new Set<() => void>();
  private nextConsumer = 0;
  private pumpScheduled = false;
  private pumping = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly highWaterMark: number,
    private readonly timers: DelayTimers,
  ) {}

  /** Messages waiting or in flight. */
  get depth(): number {
    return this.ready.length + this.unacked.size;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  enqueue(message: StoredMessage, delayMs = 0): void {
    if (delayMs > 0) {
      this.timers.after(delayMs, () => this.enqueue(message));
      return;
    }
    this.ready.push(message);
    this.schedulePump();
  }

  /** Resolves when the queue is below its high-water mark; rejects UNAVAILABLE if `signal` aborts first. */
  whenBelowHighWater(signal?: AbortSignal): Promise<void> {
    if (this.depth < this.highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.spaceWaiters.delete(wake);
        reject(
          new MessagingError(
            'UNAVAILABLE',
            `queue ${this.name} is full (${this.highWaterMark} messages) and its consumers are not keeping up`,
            {
              component: 'memory',
            },
          ),
        );
      };
      this.spaceWaiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  addConsumer(consumer: MemoryConsumer): void {
    this.consumers.push(consumer);
    this.stopSweeper();
    this.ensureSweeper();
    this.schedulePump();
  }

  /** Removes a consumer; its unsettled messages go back to the front of the queue, in their order. */
  removeConsumer(consumer: MemoryConsumer): void {
    consumer.stopped = true;
    const index = this.consumers.indexOf(consumer);
    if (index !== -1) this.consumers.splice(index, 1);
    const held = this.unacked.toArray().filter((delivery) => delivery.consumer === consumer);
    for (const delivery of held.reverse()) this.returnToQueue(delivery, 0);
    if (this.consumers.length === 0) this.stopSweeper();
    this.schedulePump();
  }

  schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    defer(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Settles a delivery: ack when `nack` is undefined. Settling twice, or after the deadline passed, is a no-op for the queue. */
  settle(delivery: MemoryDelivery, nack: NackOptions | undefined): void {
    if (delivery.settled) return;
    delivery.settled = true;
    delivery.consumer.unsettled--;
    if (this.unacked.delete(delivery) && nack) {
      delivery.stored.redeliveries++;
      this.enqueue(delivery.stored, nack.delayMs);
    }
    this.wakePublishers();
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.deliverReady();
    } finally {
      this.pumping = false;
    }
  }

  private deliverReady(): void {
    const now = Date.now();
    while (this.ready.length > 0) {
      const consumer = this.pickConsumer(this.peekAvoid());
      if (!consumer) return;
      const stored = this.ready.shift()!;
      if (stored.expiresAt !== undefined && stored.expiresAt <= now) {
        this.wakePublishers();
        continue;
      }
      stored.avoid = undefined;
      const delivery = new MemoryDelivery(this, stored, consumer, now);
      consumer.unsettled++;
      this.unacked.add(delivery);
      consumer.onDelivery(delivery);
    }
  }

  private peekAvoid(): MemoryConsumer | undefined {
    return this.ready.peek()?.avoid;
  }

  /** Round-robin over consumers with capacity, preferring one other than `avoid`. */
  private pickConsumer(avoid: MemoryConsumer | undefined): MemoryConsumer | undefined {
    let fallback: MemoryConsumer | undefined;
    for (let i = 0; i < this.consumers.length; i++) {
      const index = (this.nextConsumer + i) % this.consumers.length;
      const consumer = this.consumers[index]!;
      if (!consumer.hasCapacity) continue;
      if (consumer === avoid) {
        fallback = consumer;
        continue;
      }
      this.nextConsumer = index + 1;
      return consumer;
    }
    return fallback;
  }

  private returnToQueue(delivery: MemoryDelivery, delayMs: number, avoid?: MemoryConsumer): void {
    if (!this.unacked.delete(delivery)) return;
    if (delivery.consumer.stopped && !delivery.settled) {
      delivery.settled = true;
      delivery.consumer.unsettled--;
    }
    delivery.stored.redeliveries++;
    delivery.stored.avoid = avoid;
    if (delayMs > 0) this.enqueue(delivery.stored, delayMs);
    else {
      this.ready.unshift(delivery.stored);
      this.schedulePump();
    }
  }

  private wakePublishers(): void {
    if (this.spaceWaiters.size === 0 || this.depth >= this.highWaterMark) return;
    const waiters = [...this.spaceWaiters];
    this.spaceWaiters.clear();
    for (const wake of waiters) wake();
  }

  /** Messages whose consumer let the ack deadline pass go back to the queue for another consumer. */
  private ensureSweeper(): void {
    if (this.sweeper) return;
    const shortest = Math.min(...this.consumers.map((c) => c.ackDeadlineMs));
    const every = Math.max(5, Math.min(1000, Math.floor(shortest / 4)));
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const delivery of this.unacked.toArray()) {
        if (delivery.deadline <= now) this.returnToQueue(delivery, 0, delivery.consumer);
      }
    }, every);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
