/**
 * The ack batcher against a real channel: acks in any order, rejects and unsettled messages in between; the
 * broker must end up with exactly the rejected and the unsettled messages back in the queue.
 */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { AckBatcher } from '../src/ack-batcher.js';
import { rabbitUrl } from './broker.js';

const found = await rabbitUrl();
const suite = found.url || process.env.SWITCHBOARD_REQUIRE_BROKERS === '1' ? describe : describe.skip;
const url = found.url ?? 'amqp://127.0.0.1:5672';

/** A deterministic shuffle (the same order every run). */
function scrambled<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

suite('AckBatcher against RabbitMQ', () => {
  it('acks exactly what was acked, in order or not, and never covers a rejected or unsettled message', async () => {
    const connection = await amqp.connect(url);
    const queue = `sbt.rmq.acks.${randomBytes(4).toString('hex')}`;
    try {
      const setup = await connection.createConfirmChannel();
      await setup.assertQueue(queue, { durable: false, arguments: { 'x-queue-type': 'classic' } });
      for (let i = 0; i < 60; i++) setup.sendToQueue(queue, Buffer.from(String(i)));
      await setup.waitForConfirms();
      const channel = await connection.createChannel();
      const batcher = new AckBatcher(channel);
      const messages: amqp.GetMessage[] = [];
      for (let i = 0; i < 60; i++) {
        const message = await channel.get(queue, { noAck: false });
        if (message === false) throw new Error('the queue ran dry');
        batcher.delivered(message.fields.deliveryTag);
        messages.push(message);
      }
      // The first 20 in order (the prefix path), the rest scrambled; 5 rejected, 3 never settled.
      const rejected = new Set([3, 21, 22, 40, 59]);
      const unsettled = new Set([10, 35, 50]);
      const order = [...messages.slice(0, 20), ...scrambled(messages.slice(20))];
      for (const [index, message] of order.entries()) {
        const n = Number(message.content.toString());
        if (unsettled.has(n)) continue;
        if (rejected.has(n)) batcher.reject(message);
        else batcher.ack(message.fields.deliveryTag);
        if (index % 7 === 0) batcher.flush();
      }
      batcher.flush();
      await channel.close(); // unsettled messages go back to the queue
      const back: number[] = [];
      for (;;) {
        const message = await setup.get(queue, { noAck: true });
        if (message === false) break;
        back.push(Number(message.content.toString()));
      }
      expect(back.sort((a, b) => a - b)).toEqual([...rejected, ...unsettled].sort((a, b) => a - b));
      await setup.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });
});
