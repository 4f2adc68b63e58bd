import {
  type Delivery,
  type DeliveryHandler,
  MessagingError,
  type NackOptions,
  type Subscription,
  type TransportSubscribeOptions,
} from '@switchboard/core';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AckBatcher } from './ack-batcher.js';
import type { ConnectionManager, Resumable } from './connection.js';
import { type DeliverySource, RabbitDelivery } from './delivery.js';
import { mapError } from './errors.js';
import { MAX_PRIORITY } from './options.js';
import type { Session } from './session.js';

/** What one subscription consumes and how it returns failed messages. */
export interface SubscriptionSpec {
  /** The durable queue to consume, or undefined for an exclusive auto-delete queue named by the broker. */
  readonly queue: string | undefined;
  /** With a topic: the routing pattern the queue is bound to on the topic exchange. */
  readonly binding: string | undefined;
  readonly options: TransportSubscribeOptions;
  readonly onDelivery: DeliveryHandler;
  /**
   * True for quorum queues: a nack is `basic.reject` with requeue and the broker counts redeliveries in
   * `x-delivery-count`. False: a nack re-publishes a copy (with the headers the bus hands over) to the same
   * queue and acks the original.
   */
  readonly requeueNatively: boolean;
  /** Re-publishes a copy to a queue and resolves once it is confirmed. */
  readonly republish: (queue: string, delivery: Delivery, nack: NackOptions) => Promise<void>;
  /** Arguments of the durable queue. */
  readonly queueArguments: Record<string, unknown>;
  readonly describe: string;
  /** How long `start()` waits for a connection that dropped while subscribing. */
  readonly waitForReconnectMs: number;
  /** Called once when the subscription closed. */
  readonly onClosed: (subscription: RabbitSubscription) => void;
}

/**
 * A consumer on its own channel, so that a channel error (say, a queue declared elsewhere with other
 * arguments) ends only this subscription. After a lost connection it is resumed on the new one by the
 * {@link ConnectionManager}; if only its channel dies (the queue was deleted, the consumer cancelled), it
 * opens a new channel after a short pause. Deliveries handed out on a closed channel cannot be settled any
 * more: RabbitMQ returns them to the queue, and `ack`/`nack` reject with a retryable UNAVAILABLE.
 */
export class RabbitSubscription implements Subscription, Resumable {
  private channel: Channel | undefined;
  private acker: AckBatcher | undefined;
  private consumerTag: string | undefined;
  private resumedOn: Session | undefined;
  private stopped = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly untrack: () => void;
  /** What this subscription's deliveries settle through (built once, not per message). */
  private readonly source: DeliverySource;

  constructor(
    private readonly manager: ConnectionManager,
    private readonly spec: SubscriptionSpec,
  ) {
    this.untrack = manager.track(this);
    const subscription = this;
    this.source = {
      get currentChannel() {
        return subscription.channel;
      },
      describe: spec.describe,
      requeueNatively: spec.requeueNatively,
      republish: spec.republish,
    };
  }

  /** Starts consuming on the current connection; rejects with the mapped error (e.g. CONFLICT). */
  async start(): Promise<void> {
    const action = `subscribing to ${this.spec.describe}`;
    try {
      try {
        await this.resume(await this.manager.session(undefined, action));
      } catch (error) {
        // The connection dropped while subscribing: the manager resumes this subscription on the next
        // connection; wait for it (bounded), then make sure it happened.
        if (!MessagingError.is(error, 'UNAVAILABLE') || this.stopped) throw error;
        const session = await this.manager.session(AbortSignal.timeout(this.spec.waitForReconnectMs), action);
        if (this.resumedOn !== session) await this.resume(session);
      }
    } catch (error) {
      this.stopped = true;
      this.closed = true;
      this.untrack();
      throw error;
    }
  }

  async resume(session: Session): Promise<void> {
    if (this.stopped || (this.resumedOn === session && this.channel)) return;
    const { spec } = this;
    let channel: Channel | undefined;
    try {
      channel = await session.model.createChannel();
      channel.on('error', () => undefined);
      const opened = channel;
      opened.once('close', () => this.onChannelClosed(opened, session));
      await channel.prefetch(spec.options.prefetch, false);
      const queue =
        spec.queue === undefined
          ? (
              await channel.assertQueue('', {
                exclusive: true,
                autoDelete: true,
                durable: false,
                arguments: { 'x-max-priority': MAX_PRIORITY },
              })
            ).queue
          : (await channel.assertQueue(spec.queue, { durable: true, arguments: spec.queueArguments })).queue;
      if (spec.binding !== undefined) await channel.bindQueue(queue, session.exchange, spec.binding);
      if (this.stopped) {
        await channel.close().catch(() => undefined);
        return;
      }
      this.channel = channel;
      const acker = new AckBatcher(channel);
      this.acker = acker;
      const reply = await channel.consume(queue, (message) => this.onMessage(opened, acker, queue, message), {
        noAck: false,
      });
      this.consumerTag = reply.consumerTag;
      this.resumedOn = session;
    } catch (error) {
      if (channel) channel.close().catch(() => undefined);
      throw mapError(error, { action: `subscribing to ${spec.describe}`, url: session.url });
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const { channel, consumerTag } = this;
    this.flushAcks();
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stop();
    this.untrack();
    this.spec.onClosed(this);
    this.flushAcks();
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await channel.close().catch(() => undefined);
  }

  /** Sends the coalesced acks now; on a closed channel they are lost and RabbitMQ redelivers. */
  private flushAcks(): void {
    try {
      this.acker?.flush();
    } catch {
      // the channel closed: the messages will be delivered again
    }
  }

  private onChannelClosed(channel: Channel, session: Session): void {
    if (this.channel === channel) this.channel = undefined;
    // A lost connection is handled by the manager's resume; a lone channel failure is retried here.
    if (this.stopped || !session.open) return;
    this.retryTimer = setTimeout(() => {
      const live = this.manager.live;
      if (live && !this.stopped && !this.channel)
        this.resume(live).catch(() => this.onChannelClosed(channel, live));
    }, 1000);
  }

  private onMessage(
    channel: Channel,
    acker: AckBatcher,
    queue: string,
    message: ConsumeMessage | null,
  ): void {
    if (message === null) {
      // The broker cancelled the consumer (queue deleted): reopen the channel later.
      channel.close().catch(() => undefined);
      return;
    }
    const tag = message.fields.deliveryTag;
    // Registered even when ignored, so that no `multiple` ack can ever cover it.
    acker.delivered(tag);
    if (this.stopped) return;
    const delivery = new RabbitDelivery(this.source, channel, acker, queue, message);
    this.spec.onDelivery(delivery);
  }
}
