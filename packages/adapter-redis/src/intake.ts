import { type Delivery, type DeliveryHandler, type NackOptions, SETTLED } from '@switchboard/core';
import type { DecodedEntry } from './codec.js';

/** An entry read from a stream, waiting to be handed out. */
export interface Entry extends DecodedEntry {
  /** The stream entry id. */
  readonly id: string;
  /** Times the broker delivered this entry before (delivery count − 1). */
  readonly redeliveries: number;
}

/** What an {@link Intake} asks its subscription to do with settled entries. */
export interface Settler {
  /**
   * Acknowledges the entry at the broker; resolves once it has it, or returns core's `SETTLED` when the ack is
   * only queued (unconfirmed acks: a failed XACK leaves the entry pending, and it is reclaimed).
   */
  ack(entry: Entry): Promise<void>;
  /** The entry comes back for another delivery after `delayMs` (it stays owned by this consumer meanwhile). */
  retry(entry: Entry, delayMs: number): void;
}

class StreamDelivery implements Delivery {
  private settled = false;
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string | undefined;
  readonly redeliveries: number;
  readonly invalid: string | undefined;

  constructor(
    private readonly intake: Intake,
    private readonly entry: Entry,
  ) {
    this.body = entry.body;
    this.headers = entry.headers;
    this.key = entry.key;
    this.redeliveries = entry.redeliveries;
    this.invalid = entry.invalid;
  }

  ack(): Promise<void> {
    if (this.settled) return SETTLED;
    this.settled = true;
    this.intake.release();
    return this.intake.settler.ack(this.entry);
  }

  nack(options: NackOptions): Promise<void> {
    if (this.settled) return SETTLED;
    this.settled = true;
    this.intake.release();
    this.intake.settler.retry(this.entry, options.delayMs);
    return SETTLED;
  }
}

/**
 * The local side of a subscription: entries read from Redis wait in a small buffer and are handed to
 * `onDelivery` while fewer than `prefetch` are unsettled. Redeliveries go before new entries.
 */
export class Intake {
  private readonly buffer: Entry[] = [];
  private readonly redeliveries: Entry[] = [];
  private unsettled = 0;
  private stopped = false;
  private capacityWaiter: (() => void) | undefined;

  constructor(
    private readonly prefetch: number,
    private readonly onDelivery: DeliveryHandler,
    readonly settler: Settler,
  ) {}

  /** Slots free for more reads: prefetch minus unsettled and buffered entries. */
  get free(): number {
    return this.prefetch - this.unsettled - this.buffer.length - this.redeliveries.length;
  }

  /** Adds entries read from the broker and hands out what fits. */
  push(entries: readonly Entry[], redelivery = false): void {
    const queue = redelivery ? this.redeliveries : this.buffer;
    for (let i = 0; i < entries.length; i++) queue.push(entries[i]!);
    this.pump();
  }

  /** Called by a delivery when it settles. */
  release(): void {
    this.unsettled--;
    this.pump();
  }

  /** Resolves when {@link free} is positive (or the intake stopped). */
  whenFree(): Promise<void> {
    if (this.free > 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.capacityWaiter = resolve;
    });
  }

  /** Hands out nothing more; wakes a reader waiting for capacity. */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  private pump(): void {
    while (!this.stopped && this.unsettled < this.prefetch) {
      const entry = this.redeliveries.shift() ?? this.buffer.shift();
      if (!entry) break;
      this.unsettled++;
      this.onDelivery(new StreamDelivery(this, entry));
    }
    if (this.free > 0) this.wake();
  }

  private wake(): void {
    const waiter = this.capacityWaiter;
    this.capacityWaiter = undefined;
    waiter?.();
  }
}
