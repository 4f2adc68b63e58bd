import type { Channel, Message } from 'amqplib';

/**
 * Coalesces the acks of one consumer channel. Acks given in one run of synchronous and promise work are sent
 * when it ends (`process.nextTick`) as a single `basic.ack` with `multiple` for the longest settled prefix of
 * the delivery tags, plus one plain `basic.ack` for each acked tag past the first unsettled one. A tag is never
 * covered by a `multiple` ack unless every tag up to it was settled here, so a message still being handled (or
 * rejected) is never acked by accident. `flush()` sends what is pending at once (before cancel or close).
 *
 * Why `nextTick` and not `setImmediate`: the ack must reach amqplib's write queue before its multiplexer's
 * next pass, so that it leaves in the same pass as the reply it follows instead of a turn later. An ack a
 * turn late reached the broker while it was idle between round trips and made request/reply through a
 * quorum queue measurably slower (docs/design.md, ninth session). Handlers that finish in the same run (the
 * messages of one socket read, when their handlers do not wait on I/O) still have their acks sent as one
 * frame: the end-to-end benchmark sent as many ack frames as with `setImmediate`.
 *
 * Acks in delivery order (the common case: one handler, or handlers that finish in turn) only move the end of
 * the settled prefix; the sets hold the tags settled out of order, until the prefix reaches them.
 */
export class AckBatcher {
  /** Delivered tags in delivery order, from `head` on not yet known to be settled. */
  private readonly tags: number[] = [];
  private head = 0;
  /** Tags settled here (acked or rejected) out of order, still in `tags` from `head` on. */
  private readonly settled = new Set<number>();
  /** Out-of-order acked tags not sent yet. */
  private readonly pending = new Set<number>();
  /** The last acked tag of the settled prefix not covered by a sent ack yet. */
  private upTo: number | undefined;
  private scheduled = false;
  private readonly flushScheduled = () => {
    if (!this.scheduled) return; // flushed meanwhile
    try {
      this.flush();
    } catch {
      // The channel closed first: RabbitMQ delivers these messages again (at-least-once).
    }
  };

  constructor(private readonly channel: Channel) {}

  /** Records a delivery; call in delivery order. */
  delivered(tag: number): void {
    this.tags.push(tag);
  }

  /** Queues the ack of `tag`; sent at the next flush. */
  ack(tag: number): void {
    if (tag === this.tags[this.head]) {
      this.head++;
      this.upTo = tag;
      if (this.settled.size > 0) this.advance();
    } else {
      this.settled.add(tag);
      this.pending.add(tag);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushScheduled);
    }
  }

  /** Rejects `tag` with requeue at once (after sending the pending acks, to keep the broker's view ordered). */
  reject(message: Message): void {
    this.flush();
    const tag = message.fields.deliveryTag;
    if (tag === this.tags[this.head]) {
      this.head++;
      if (this.settled.size > 0) this.advance();
    } else this.settled.add(tag);
    this.channel.reject(message, true);
  }

  /** Sends every pending ack now. Throws what amqplib throws on a closed channel. */
  flush(): void {
    this.scheduled = false;
    if (this.head > 1024 && this.head * 2 > this.tags.length) {
      this.tags.splice(0, this.head);
      this.head = 0;
    }
    const upTo = this.upTo;
    this.upTo = undefined;
    if (upTo !== undefined) this.channel.ack(tagOnly(upTo), true);
    if (this.pending.size === 0) return;
    for (const tag of this.pending) this.channel.ack(tagOnly(tag), false);
    this.pending.clear();
  }

  /** Moves the settled prefix over the tags settled out of order that now follow it. */
  private advance(): void {
    while (this.head < this.tags.length && this.settled.has(this.tags[this.head]!)) {
      const tag = this.tags[this.head++]!;
      this.settled.delete(tag);
      if (this.pending.delete(tag)) this.upTo = tag;
    }
  }
}

/** amqplib's ack and reject only read `fields.deliveryTag`. */
function tagOnly(deliveryTag: number): Message {
  return { fields: { deliveryTag } } as Message;
}
