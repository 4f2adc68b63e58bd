/**
 * JetStream subscriptions: a pull `consume()` of a durable (queue, topic group) or ephemeral consumer, plus
 * the queue's core request subject, and a stop that strands nothing on its way (see {@link drainConsume}).
 */
import type { ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DeliveryHandler, Subscription } from '@switchboard/core';
import { coreFeed } from './core-subscription.js';
import { mapError } from './errors.js';
import { DeliveryGate } from './gate.js';
import { JsDelivery, Returns } from './js-delivery.js';
import type { ConsumerSpec, StreamManager } from './streams.js';

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
  const requests = spec.requestSubject
    ? coreFeed(spec.nc, spec.requestSubject, 'sb', gate, spec.what)
    : undefined;
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
