/**
 * Core-NATS subscriptions: at most once. A queue is the queue group `sb`, a topic group a queue group named
 * after it; nothing is acknowledged to the server.
 */
import type { Msg, NatsConnection, Subscription as NatsSub } from '@nats-io/transport-node';
import { type DeliveryHandler, SETTLED, type Subscription } from '@switchboard/core';
import { DirectReader } from './direct-read.js';
import { reportError } from './errors.js';
import { BaseDelivery, DeliveryGate } from './gate.js';
import { headersOf, headersOfBytes } from './header-block.js';

/**
 * A core-NATS delivery: nothing to acknowledge. A nack hands the same message to this subscription again
 * (with one more redelivery); a message not settled when the subscription closes is lost (at most once).
 */
class CoreDelivery extends BaseDelivery {
  /** Nothing to wait for: core's shared settled promise, which lets the bus free the handler's slot at once. */
  ack(): Promise<void> {
    this.settle();
    return SETTLED;
  }

  async nack(): Promise<void> {
    if (!this.settle()) return;
    this.gate.offer(new CoreDelivery(this.body, this.headers, this.redeliveries + 1, this.gate), true);
  }

  protected giveBack(): void {}
}

/**
 * Feeds core-NATS messages on `subject` (in `queue` group, if any) into `gate`. An error the client reports on
 * the subscription (a permissions violation, the subscription closed by the server) has no caller to reject:
 * it is reported on stderr as a MessagingError (messages it concerns are lost: at most once).
 */
export function coreFeed(
  nc: NatsConnection,
  subject: string,
  queue: string | undefined,
  gate: DeliveryGate,
  what: string,
): NatsSub {
  const sub = nc.subscribe(subject, {
    ...(queue === undefined ? {} : { queue }),
    callback: (error, msg: Msg) => {
      if (error) reportError(error, what);
      else gate.offer(new CoreDelivery(msg.data, headersOf(msg), 0, gate));
    },
  });
  DirectReader.of(nc)?.route(sub, (bytes, headerLength) =>
    gate.offer(new CoreDelivery(bytes.subarray(headerLength), headersOfBytes(bytes, headerLength), 0, gate)),
  );
  return sub;
}

/** Subscribes on core NATS: a queue group for queues and topic groups, a plain subscription otherwise. */
export async function subscribeCore(
  nc: NatsConnection,
  subject: string,
  queue: string | undefined,
  prefetch: number,
  onDelivery: DeliveryHandler,
  what: string,
): Promise<Subscription> {
  const gate = new DeliveryGate(prefetch, onDelivery);
  const sub = coreFeed(nc, subject, queue, gate, what);
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
