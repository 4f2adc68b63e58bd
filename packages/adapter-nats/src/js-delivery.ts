/**
 * JetStream deliveries: ack, nak (with the native delay), the server's delivery count, and the naks a
 * stopping subscription holds back (see {@link Returns}).
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { type NackOptions, SETTLED } from '@switchboard/core';
import { fromNatsHeaders } from './codec.js';
import { BaseDelivery, type DeliveryGate } from './gate.js';
import { headersOf } from './header-block.js';

const NAK = new TextEncoder().encode('-NAK');

/** The ack subject of a JetStream message (the client's JsMsg keeps it as `reply`): one per delivery. */
function ackSubjectOf(msg: JsMsg): string {
  return (
    (msg as JsMsg & { readonly reply?: string }).reply ??
    `${msg.info.streamSequence}:${msg.info.deliverySequence}`
  );
}

/** The headers of a JetStream message, decoded from the core message it wraps (the client keeps it as `msg`). */
function jsHeadersOf(msg: JsMsg): Record<string, string> {
  const core = (msg as JsMsg & { readonly msg?: Msg }).msg;
  return core ? headersOf(core) : fromNatsHeaders(msg.headers);
}

/** A JetStream delivery: ack, nak (with the native delay) and the server's delivery count. */
export class JsDelivery extends BaseDelivery {
  constructor(
    private readonly msg: JsMsg,
    gate: DeliveryGate,
    private readonly confirmAcks: boolean,
    private readonly returns: Returns,
  ) {
    super(msg.data, jsHeadersOf(msg), msg.info.deliveryCount - 1, gate);
  }

  /**
   * Unconfirmed (the default), the ack is written at once and returns core's `SETTLED`: no promise per ack. A
   * connection closed under it rejects (the bus reports the failed ack; the message comes again).
   */
  ack(): Promise<void> {
    if (!this.settle()) return SETTLED;
    if (this.confirmAcks) return this.msg.ackAck().then(ignore);
    try {
      this.msg.ack();
    } catch (error) {
      return Promise.reject(error);
    }
    return SETTLED;
  }

  async nack(options: NackOptions): Promise<void> {
    if (!this.settle()) return;
    const delay = options.delayMs > 0 ? options.delayMs : undefined;
    this.returns.later(ackSubjectOf(this.msg), () => this.msg.nak(delay));
  }

  protected giveBack(): void {
    this.returns.later(ackSubjectOf(this.msg), () => this.msg.nak());
  }
}

/**
 * Naks of a JetStream subscription. While it stops they are held until the server has no pull request of
 * ours left: nats-server 2.9 loses a nak'ed message that it takes from its redelivery queue while the only
 * waiting pull requests have lost their interest (`loopAndGatherMsgs` finds no live request and "redoes"
 * the message by stepping its stream cursor back, which is right for a new message but drops a redelivery),
 * so the message waits out the whole ack deadline. Interest-less requests are purged when the consumer's
 * info is read; {@link flush} runs after that. Each delivery (ack reply subject) is nak'ed at most once.
 */
export class Returns {
  private held: (() => void)[] | undefined;
  private readonly given = new Set<string>();
  constructor(private readonly nc: NatsConnection) {}

  hold(): void {
    this.held ??= [];
  }

  /** Runs `giveBack` for the delivery acked on `reply` now, or once the subscription has stopped. */
  later(reply: string, giveBack: () => void): void {
    if (this.given.has(reply)) return;
    if (this.held) {
      this.given.add(reply);
      this.held.push(giveBack);
    } else giveBack();
  }

  /** Gives back a message that reached the pull inbox after the subscription stopped taking deliveries. */
  nak(reply: string): void {
    this.later(reply, () => this.nc.publish(reply, NAK));
  }

  flush(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const giveBack of held) giveBack();
  }
}

function ignore(): void {}
