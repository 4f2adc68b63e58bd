import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription as NatsSub } from '@nats-io/transport-node';
import type { DeliveryHandler, NackOptions, Subscription } from '@switchboard/core';
import { fromNatsHeaders } from './codec.js';
import { mapError } from './errors.js';
import { BaseDelivery, DeliveryGate } from './gate.js';
import { headersOf } from './header-block.js';
import type { ConsumerSpec, StreamManager } from './streams.js';

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
class JsDelivery extends BaseDelivery {
  constructor(
    private readonly msg: JsMsg,
    gate: DeliveryGate,
    private readonly confirmAcks: boolean,
    private readonly returns: Returns,
  ) {
    super(msg.data, jsHeadersOf(msg), msg.info.deliveryCount - 1, gate);
  }

  async ack(): Promise<void> {
    if (!this.settle()) return;
    if (this.confirmAcks) await this.msg.ackAck();
    else this.msg.ack();
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
class Returns {
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

/**
 * A core-NATS delivery: nothing to acknowledge. A nack hands the same message to this subscription again
 * (with one more redelivery); a message not settled when the subscription closes is lost (at most once).
 */
class CoreDelivery extends BaseDelivery {
  async ack(): Promise<void> {
    this.settle();
  }

  async nack(): Promise<void> {
    if (!this.settle()) return;
    this.gate.offer(new CoreDelivery(this.body, this.headers, this.redeliveries + 1, this.gate), true);
  }

  protected giveBack(): void {}
}

/** Feeds core-NATS messages on `subject` (in `queue` group, if any) into `gate`. */
function coreFeed(
  nc: NatsConnection,
  subject: string,
  queue: string | undefined,
  gate: DeliveryGate,
): NatsSub {
  return nc.subscribe(subject, {
    ...(queue === undefined ? {} : { queue }),
    callback: (error, msg: Msg) => {
      if (!error) gate.offer(new CoreDelivery(msg.data, headersOf(msg), 0, gate));
    },
  });
}

/** Everything a JetStream subscription needs. */
export interface JsSubscriptionSpec {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly streams: StreamManager;
  readonly consumer: ConsumerSpec;
  /** Re-creates the stream when the server lost it (memory storage after a restart). */
  readonly ensureStream: () => Promise<void>;
  /** Core subject of requests to this queue, received alongside the stream (JetStream mode). */
  readonly requestSubject: string | undefined;
  readonly confirmAcks: boolean;
  readonly what: string;
}

/**
 * Consumes a JetStream consumer (durable for queues and groups, ephemeral for a subscriber without a group)
 * with the client's pull `consume()`. The server holds back more than `prefetch` unacked messages
 * (max_ack_pending); the gate enforces it for what arrives besides (core requests).
 */
export async function subscribeJetStream(
  spec: JsSubscriptionSpec,
  onDelivery: DeliveryHandler,
): Promise<Subscription> {
  const gate = new DeliveryGate(spec.consumer.prefetch, onDelivery);
  const returns = new Returns(spec.nc);
  await spec.ensureStream();
  const name = await spec.streams.ensureConsumer(spec.consumer);
  const consumer = await spec.js.consumers.get(spec.consumer.stream, name).catch((error: unknown) => {
    throw mapError(error, spec.what);
  });
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: Math.max(1, Math.min(spec.consumer.prefetch, 1000)),
    callback: (msg) => gate.offer(new JsDelivery(msg, gate, spec.confirmAcks, returns)),
  });
  void recover(messages, spec);
  const requests = spec.requestSubject ? coreFeed(spec.nc, spec.requestSubject, 'sb', gate) : undefined;
  if (requests) await spec.nc.flush();
  let stopping: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      returns.hold();
      gate.stop();
      await Promise.all([
        requests?.drain().catch(() => undefined),
        drainConsume(spec.nc, messages, returns, () => consumer.info()),
      ]);
      returns.flush();
    })();
    return stopping;
  };
  return {
    stop,
    close() {
      closing ??= (async () => {
        await stop();
        gate.releaseUnsettled();
        if (spec.consumer.durable === undefined)
          await spec.streams.deleteConsumer(spec.consumer.stream, name);
      })();
      return closing;
    },
  };
}

/**
 * Ends a `consume()` without stranding messages already on their way: the client's `close()` unsubscribes
 * its inbox at once, and a message the server sent just before would wait out the ack deadline. So a second
 * subscription on the same inbox is opened first; it gives back whatever arrives until it is drained (UNSUB,
 * then a flush). Right behind the UNSUB goes `purge` (a consumer info request, which the server answers in
 * the same read loop): it makes the server drop our pull requests, now without interest, before a
 * redelivery can be lost to them (see {@link Returns}). Resolves once both are done; the naks go out after.
 */
async function drainConsume(
  nc: NatsConnection,
  messages: ConsumerMessages,
  returns: Returns,
  purge: () => Promise<unknown>,
): Promise<void> {
  const inbox = (messages as unknown as { inbox?: unknown }).inbox;
  if (typeof inbox !== 'string' || nc.isClosed()) {
    await messages.close().catch(() => undefined);
    return;
  }
  const catcher = nc.subscribe(inbox, {
    callback: (error, msg) => {
      if (!error && msg.reply?.startsWith('$JS.ACK.')) returns.nak(msg.reply);
    },
  });
  await nc.flush().catch(() => undefined);
  await messages.close().catch(() => undefined);
  const drained = catcher.drain().catch(() => undefined);
  const purged = nc.isClosed() ? undefined : purge().catch(() => undefined);
  await Promise.all([drained, purged]);
}

/** Re-creates a durable stream and consumer that the server lost; `consume()` then picks up again. */
async function recover(messages: ConsumerMessages, spec: JsSubscriptionSpec): Promise<void> {
  if (spec.consumer.durable === undefined) return;
  for await (const status of messages.status()) {
    if (
      status.type === 'consumer_not_found' ||
      status.type === 'stream_not_found' ||
      status.type === 'consumer_deleted'
    ) {
      spec.streams.forget(spec.consumer.stream);
      await spec.ensureStream().catch(() => undefined);
      await spec.streams.ensureConsumer(spec.consumer).catch(() => undefined);
    }
  }
}

/** Subscribes on core NATS: a queue group for queues and topic groups, a plain subscription otherwise. */
export async function subscribeCore(
  nc: NatsConnection,
  subject: string,
  queue: string | undefined,
  prefetch: number,
  onDelivery: DeliveryHandler,
): Promise<Subscription> {
  const gate = new DeliveryGate(prefetch, onDelivery);
  const sub = coreFeed(nc, subject, queue, gate);
  await nc.flush();
  const stop = async () => {
    gate.stop();
    sub.unsubscribe();
  };
  return {
    stop,
    async close() {
      await stop();
      gate.releaseUnsettled();
    },
  };
}
