import { type Delivery, type NackOptions, SETTLED } from '@switchboard/core';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AckBatcher } from './ack-batcher.js';
import { fromConsumeMessage } from './codec.js';
import { mapError, unavailable } from './errors.js';

/** What a delivery needs from the subscription it came from. */
export interface DeliverySource {
  /** The subscription's channel now: a delivery from an earlier channel can no longer be settled. */
  readonly currentChannel: Channel | undefined;
  /** For error messages, e.g. `the queue "orders"`. */
  readonly describe: string;
  /** True for quorum queues: a nack is `basic.reject` with requeue (the broker counts redeliveries). */
  readonly requeueNatively: boolean;
  /** Re-publishes a copy of `delivery` to `queue` with the nack's headers (classic and exclusive queues). */
  republish(queue: string, delivery: Delivery, nack: NackOptions): Promise<void>;
}

/**
 * One consumed AMQP message as a {@link Delivery}: settled once, by an ack (coalesced by the channel's
 * {@link AckBatcher}) or a nack (reject with requeue on quorum queues, else a re-published copy and an ack).
 * A settlement after its channel closed rejects with a retryable UNAVAILABLE: RabbitMQ delivers the message
 * again. One object per message, no closures (this is the consumer's hot path).
 */
export class RabbitDelivery implements Delivery {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly key: string | undefined;
  readonly redeliveries: number;
  private settled = false;

  constructor(
    private readonly source: DeliverySource,
    private readonly channel: Channel,
    private readonly acker: AckBatcher,
    private readonly queue: string,
    private readonly message: ConsumeMessage,
  ) {
    const decoded = fromConsumeMessage(message);
    this.body = decoded.body;
    this.headers = decoded.headers;
    this.key = decoded.key;
    this.redeliveries = decoded.redeliveries;
  }

  /**
   * Hands the tag to the channel's ack batcher and returns core's `SETTLED` (the bus then frees the handler's
   * slot at once): the batcher writes it when the current run of synchronous and promise work ends, and a channel
   * lost before then brings the message back. Rejects at once when the channel it came on is gone.
   */
  ack(): Promise<void> {
    if (this.settled) return SETTLED;
    this.settled = true;
    if (this.source.currentChannel !== this.channel) return this.lost('acking');
    try {
      this.acker.ack(this.message.fields.deliveryTag);
      return SETTLED;
    } catch (error) {
      return Promise.reject(mapError(error, { action: `acking a message of ${this.source.describe}` }));
    }
  }

  async nack(nack: NackOptions): Promise<void> {
    if (this.settled) return;
    if (this.source.requeueNatively) {
      this.settled = true;
      if (this.source.currentChannel !== this.channel) return this.lost('returning');
      try {
        this.acker.reject(this.message);
        return;
      } catch (error) {
        throw mapError(error, { action: `returning a message to ${this.source.describe}` });
      }
    }
    await this.source.republish(this.queue, this, nack);
    await this.ack();
  }

  private lost(doing: string): Promise<void> {
    return Promise.reject(
      unavailable(
        `${doing} a message of ${this.source.describe}`,
        'the channel it came on closed; RabbitMQ will deliver the message again',
      ),
    );
  }
}
