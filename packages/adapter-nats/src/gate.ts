import type { MsgHdrs } from '@nats-io/transport-node';
import type { Delivery, DeliveryHandler, NackOptions } from '@switchboard/core';
import { fromNatsHeaders, keyOf } from './codec.js';

/** A delivery that knows how to give itself back when its subscription closes. */
export interface GatedDelivery extends Delivery {
  /** Returns the message to the broker (JetStream: nak) or drops it (core), without calling the gate. */
  release(): void;
}

/**
 * Most deliveries the gate hands out from its waiting line in one go. Settling a delivery hands out the next
 * one inside the same chain of promise jobs, so a long line (core NATS reads whatever the server sends) would
 * otherwise be worked off without ever returning to the event loop: seconds without timers or socket reads in
 * a busy process. Past this many, the rest waits for the next turn of the event loop.
 */
export const HANDOUTS_PER_TURN = 256;

/**
 * Hands deliveries to the subscriber, never more than `prefetch` unsettled at once; the rest wait here in
 * arrival order. After {@link stop}, nothing more is handed out and what waits or arrives is released.
 * At most {@link HANDOUTS_PER_TURN} waiting deliveries are handed out before the gate yields to the event loop.
 */
export class DeliveryGate {
  private handedOut = new Set<GatedDelivery>();
  private readonly waiting: GatedDelivery[] = [];
  /** Handed out from the waiting line since the gate last yielded. */
  private fromLine = 0;
  private resume: ReturnType<typeof setImmediate> | undefined;
  stopped = false;

  constructor(
    private readonly prefetch: number,
    private readonly onDelivery: DeliveryHandler,
  ) {}

  /** Deliveries waiting for a free slot (not yet handed out). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  offer(delivery: GatedDelivery, front = false): void {
    if (this.stopped) {
      delivery.release();
      return;
    }
    if (this.handedOut.size < this.prefetch && this.waiting.length === 0) {
      this.handedOut.add(delivery);
      this.onDelivery(delivery);
    } else if (front) this.waiting.unshift(delivery);
    else this.waiting.push(delivery);
  }

  /** Called once when a handed-out delivery is settled. */
  settled(delivery: GatedDelivery): void {
    if (!this.handedOut.delete(delivery)) return;
    this.handOutWaiting();
  }

  private handOutWaiting(): void {
    while (!this.stopped && this.waiting.length > 0 && this.handedOut.size < this.prefetch) {
      if (this.fromLine >= HANDOUTS_PER_TURN) {
        this.resume ??= setImmediate(() => {
          this.resume = undefined;
          this.fromLine = 0;
          this.handOutWaiting();
        });
        return;
      }
      this.fromLine++;
      const next = this.waiting.shift()!;
      this.handedOut.add(next);
      this.onDelivery(next);
    }
  }

  /** Stops handing out; releases what waits. */
  stop(): void {
    this.stopped = true;
    if (this.resume) clearImmediate(this.resume);
    this.resume = undefined;
    for (const delivery of this.waiting.splice(0)) delivery.release();
  }

  /** Releases every handed-out delivery that is still unsettled (the subscription closes). */
  releaseUnsettled(): void {
    for (const delivery of [...this.handedOut]) delivery.release();
    this.handedOut.clear();
  }
}

/** Fields every delivery derives from a NATS message. */
export abstract class BaseDelivery implements GatedDelivery {
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string | undefined;
  protected settledOnce = false;

  constructor(
    readonly body: Uint8Array,
    headers: MsgHdrs | Readonly<Record<string, string>> | undefined,
    readonly redeliveries: number,
    protected readonly gate: DeliveryGate,
  ) {
    this.headers = isMsgHdrs(headers) ? fromNatsHeaders(headers) : (headers ?? {});
    this.key = keyOf(this.headers);
  }

  /** Marks the delivery settled; false when it already was. */
  protected settle(): boolean {
    if (this.settledOnce) return false;
    this.settledOnce = true;
    this.gate.settled(this);
    return true;
  }

  release(): void {
    if (this.settledOnce) return;
    this.settledOnce = true;
    this.giveBack();
  }

  protected abstract giveBack(): void;
  abstract ack(): Promise<void>;
  abstract nack(options: NackOptions): Promise<void>;
}

function isMsgHdrs(value: unknown): value is MsgHdrs {
  return typeof (value as MsgHdrs | undefined)?.values === 'function';
}
