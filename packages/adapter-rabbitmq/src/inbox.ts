import { randomUUID } from 'node:crypto';
import type { Inbox, InboxMessage } from '@switchboard/core';
import type { Channel, ConsumeMessage } from 'amqplib';
import { ChannelSlot } from './channel-slot.js';
import { DIRECT_REPLY_TO, fromConsumeMessage } from './codec.js';
import type { ConnectionManager, Resumable } from './connection.js';
import { mapError } from './errors.js';
import type { Session } from './session.js';

/** Prefix of inbox addresses; the real reply address is the AMQP `reply_to` the broker fills in. */
export const INBOX_ADDRESS_PREFIX = 'rabbitmq-direct-reply-to:';

/**
 * A request/reply inbox over RabbitMQ direct reply-to: a confirm channel consumes the pseudo-queue
 * `amq.rabbitmq.reply-to` (no-ack), and every request of this bus is published on that same channel with
 * AMQP `reply_to: amq.rabbitmq.reply-to`, which the broker rewrites to an address routing back to this
 * consumer. The responder's adapter reads that address from `reply_to` (it wins over the `sb-reply-to`
 * header) and publishes the reply to the default exchange with it as routing key. Nothing is declared on
 * the broker, so nothing is left behind. Replies to requests still open across a reconnect are lost (the
 * address changes with the channel); those requests time out.
 */
export class DirectReplyInbox implements Inbox, Resumable {
  readonly address = `${INBOX_ADDRESS_PREFIX}${randomUUID()}`;
  /** The channel requests must be published on; replaced after a reconnect. */
  slot: ChannelSlot<Channel> | undefined;
  private closed = false;
  private readonly untrack: () => void;

  constructor(
    private readonly manager: ConnectionManager,
    private readonly onMessage: (message: InboxMessage) => void,
    private readonly onClose: (inbox: DirectReplyInbox) => void,
  ) {
    this.untrack = manager.track(this);
  }

  async start(): Promise<void> {
    try {
      await this.resume(await this.manager.session(undefined, 'opening the reply inbox'));
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async resume(session: Session): Promise<void> {
    if (this.closed) return;
    const slot = new ChannelSlot<Channel>(session.model, false, async (channel) => {
      await channel.consume(DIRECT_REPLY_TO, (message) => this.deliver(message), { noAck: true });
    });
    try {
      await slot.get();
    } catch (error) {
      throw mapError(error, { action: 'opening the reply inbox (direct reply-to)', url: session.url });
    }
    this.slot = slot;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.untrack();
    this.onClose(this);
    const slot = this.slot;
    this.slot = undefined;
    await slot?.close();
  }

  private deliver(message: ConsumeMessage | null): void {
    if (message === null || this.closed) return;
    const { body, headers } = fromConsumeMessage(message);
    this.onMessage({ body, headers });
  }
}
