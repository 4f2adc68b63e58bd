import type { Channel, Message } from 'amqplib';

/**
 * Coalesces the acks of one consumer channel. Acks given within one turn of the event loop are sent at the
 * next `setImmediate` as a single `basic.ack` with `multiple` for the longest settled prefix of the delivery
 * tags, plus one plain `basic.ack` for each acked tag past the first unsettled one. A tag is never covered by a
 * `multiple` ack unless every tag up to it was settled here, so a message still being handled (or rejected)
 * is never acked by accident. `flush()` sends what is pending at once (before cancel or close).
 */
export class AckBatcher {
  /** Delivered tags in delivery order, from `head` on not yet known to be settled. */
  private readonly tags: number[] = [];
  private head = 0;
  /** Tags settled here (acked or rejected) that are still in `tags` from `head` on. */
  private readonly settled = new Set<number>();
  /** Acked tags not sent yet. */
  private readonly pending = new Set<number>();
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly channel: Channel) {}

  /** Records a delivery; call in delivery order. */
  delivered(tag: number): void {
    this.tags.push(tag);
  }

  /** Queues the ack of `tag`; sent at the next flush. */
  ack(tag: number): void {
    this.settled.add(tag);
    this.pending.add(tag);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      try {
        this.flush();
      } catch {
        // The channel closed first: RabbitMQ delivers these messages again (at-least-once).
      }
    });
  }

  /** Rejects `tag` with requeue at once (after sending the pending acks, to keep the broker's view ordered). */
  reject(message: Message): void {
    this.flush();
    this.settled.add(message.fields.deliveryTag);
    this.channel.reject(message, true);
  }

  /** Sends every pending ack now. Throws what amqplib throws on a closed channel. */
  flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.pending.size === 0) return;
    let upTo: number | undefined;
    while (this.head < this.tags.length && this.settled.has(this.tags[this.head]!)) {
      const tag = this.tags[this.head++]!;
      this.settled.delete(tag);
      if (this.pending.delete(tag)) upTo = tag;
    }
    if (this.head > 1024 && this.head * 2 > this.tags.length) {
      this.tags.splice(0, this.head);
      this.head = 0;
    }
    if (upTo !== undefined) this.channel.ack(tagOnly(upTo), true);
    for (const tag of this.pending) this.channel.ack(tagOnly(tag), false);
    this.pending.clear();
  }
}

/** amqplib's ack and reject only read `fields.deliveryTag`. */
function tagOnly(deliveryTag: number): Message {
  return { fields: { deliveryTag } } as Message;
}
