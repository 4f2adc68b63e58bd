import { MessagingError } from '../errors.js';
import type { Delivery, DeliveryHandler, NackOptions } from '../transport/contract.js';
import { defer, RESOLVED } from '../util/defer.js';
import { Deque } from '../util/deque.js';
import { IntrusiveList, type Linked } from '../util/intrusive-list.js';
import type { DelayTimers } from './delay-timers.js';

/**
 * A message held by a queue of the memory broker. While delivered it is also the {@link Delivery} its
 * consumer settles (one object per message and delivery, not two); a redelivery goes out as a fresh copy
 * (see {@link redelivery}), so that a late ack or nack of an earlier delivery stays a no-op.
 */
export class MemoryMessage implements Delivery, Linked<MemoryMessage> {
  /** Acked, nacked, or given up with its stopped consumer; further settling is a no-op. */
  settled = false;
  /** Links in the queue's list of unacked deliveries. */
  prev: MemoryMessage | undefined = undefined;
  next: MemoryMessage | undefined = undefined;
  /** Set when delivered. */
  queue: MemoryQueue | undefined = undefined;
  consumer: MemoryConsumer | undefined = undefined;
  /** When delivered: the time (ms since the epoch) after which it goes to another consumer. */
  deadline = 0;
  /** A consumer that let it pass its ack deadline; another one is preferred for the redelivery. */
  avoid: MemoryConsumer | undefined = undefined;

  constructor(
    readonly body: Uint8Array,
    readonly headers: Readonly<Record<string, string>>,
    readonly key: string | undefined,
    /** Dropped instead of delivered after this time (ms since the epoch); undefined: never. */
    readonly expiresAt: number | undefined,
    readonly redeliveries: number,
  ) {}

  /** The copy that goes back to the queue for the next delivery, counting one more redelivery. */
  redelivery(avoid?: MemoryConsumer): MemoryMessage {
    const copy = new MemoryMessage(this.body, this.headers, this.key, this.expiresAt, this.redeliveries + 1);
    copy.avoid = avoid;
    return copy;
  }

  ack(): Promise<void> {
    this.queue!.settle(this, undefined);
    return RESOLVED;
  }

  nack(options: NackOptions): Promise<void> {
    this.queue!.settle(this, options);
    return RESOLVED;
  }
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

/**
 * A queue of the memory broker: competing consumers with prefetch, nack with delay, ttl, an ack deadline
 * after which unsettled messages go to another consumer, and a high-water mark that holds publishers
 * back (backpressure) instead of buffering without bound.
 */
export class MemoryQueue {
  private readonly ready = new Deque<MemoryMessage>();
  private readonly consumers: MemoryConsumer[] = [];
  private readonly unacked = new IntrusiveList<MemoryMessage>();
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

  enqueue(message: MemoryMessage, delayMs = 0): void {
    if (delayMs > 0) {
      this.timers.after(delayMs, () => this.enqueue(message));
      return;
    }
    this.ready.push(message);
    this.schedulePump();
  }

  /** Resolves when the queue is below its high-water mark; rejects UNAVAILABLE if `signal` aborts first. */
  whenBelowHighWater(signal?: AbortSignal): Promise<void> {
    if (this.depth < this.highWaterMark) return RESOLVED;
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
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
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
    for (const delivery of held.reverse()) this.returnToQueue(delivery);
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
  settle(delivery: MemoryMessage, nack: NackOptions | undefined): void {
    if (delivery.settled) return;
    delivery.settled = true;
    delivery.consumer!.unsettled--;
    if (this.unacked.delete(delivery) && nack) this.enqueue(delivery.redelivery(), nack.delayMs);
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
      const delivery = this.ready.shift()!;
      if (delivery.expiresAt !== undefined && delivery.expiresAt <= now) {
        this.wakePublishers();
        continue;
      }
      delivery.queue = this;
      delivery.consumer = consumer;
      delivery.deadline = now + consumer.ackDeadlineMs;
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

  /** Takes back an unsettled delivery and puts a copy at the front of the queue, in front of later messages. */
  private returnToQueue(delivery: MemoryMessage, avoid?: MemoryConsumer): void {
    if (!this.unacked.delete(delivery)) return;
    const consumer = delivery.consumer!;
    if (consumer.stopped && !delivery.settled) {
      delivery.settled = true;
      consumer.unsettled--;
    }
    this.ready.unshift(delivery.redelivery(avoid));
    this.schedulePump();
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
        if (delivery.deadline <= now) this.returnToQueue(delivery, delivery.consumer);
      }
    }, every);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
