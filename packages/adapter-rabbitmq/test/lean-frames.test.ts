/**
 * The adapter's own frame decoding on a real connection: deliveries it decodes and deliveries it leaves to
 * amqplib (a header value or property it does not read) arrive alike, in order, bodies of several frames
 * included.
 */
import { randomBytes } from 'node:crypto';
import { createBus, type Message } from '@switchboard/core';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { rabbitmqTransport } from '../src/index.js';
import { frameDecoding } from '../src/lean-frames.js';
import { rabbitUrl, TEST_QUEUE_EXPIRES_MS } from './broker.js';

const found = await rabbitUrl();
const suite = found.url || process.env.SWITCHBOARD_REQUIRE_BROKERS === '1' ? describe : describe.skip;
const url = found.url ?? 'amqp://127.0.0.1:5672';

suite('frame decoding against RabbitMQ', () => {
  it('decodes deliveries itself and leaves the ones it does not read to amqplib, in order', async () => {
    const queue = `sbt.rmq.lean.${randomBytes(4).toString('hex')}`;
    const bus = createBus({
      transport: rabbitmqTransport({ url, queueExpiresMs: TEST_QUEUE_EXPIRES_MS }),
      drainTimeoutMs: 1000,
    });
    const raw = await amqp.connect(url);
    try {
      const got: Message<unknown>[] = [];
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      await bus.receive(
        queue,
        (message) => {
          got.push(message);
          if (got.length === 4) finish();
        },
        { concurrency: 1 },
      );
      const before = { ...frameDecoding };
      const channel = await raw.createConfirmChannel();
      const large = 'x'.repeat(300_000); // more than one body frame (frameMax 128 KiB)
      channel.sendToQueue(queue, Buffer.from('{"n":1}'), { messageId: 'plain', headers: { 'x-a': 'é' } });
      channel.sendToQueue(queue, Buffer.from('{"n":2}'), {
        messageId: 'nested',
        type: 'order',
        headers: { 'x-nested': { depth: 1 }, 'x-list': ['a', 1] },
      });
      channel.sendToQueue(queue, Buffer.from(JSON.stringify(large)), { messageId: 'large' });
      channel.sendToQueue(queue, Buffer.from('{"n":4}'), { messageId: 'last', headers: { 'x-flag': true } });
      await channel.waitForConfirms();
      await done;
      expect(got.map((m) => m.id)).toEqual(['plain', 'nested', 'large', 'last']);
      expect(got[0]).toMatchObject({ body: { n: 1 }, headers: { 'x-a': 'é' } });
      expect(got[1]).toMatchObject({
        body: { n: 2 },
        headers: { 'x-nested': '{"depth":1}', 'x-list': '["a",1]' },
      });
      expect(got[2]!.body).toBe(large);
      expect(got[3]).toMatchObject({ body: { n: 4 }, headers: { 'x-flag': 'true' } });
      // The nested table's content header went to amqplib; the other frames (3 per message, more for the
      // large body, plus the publisher confirms) to the adapter.
      expect(frameDecoding.amqplib - before.amqplib).toBeGreaterThanOrEqual(1);
      expect(frameDecoding.own - before.own).toBeGreaterThanOrEqual(11);
      await channel.close();
    } finally {
      await raw.close();
      await bus.close();
    }
  });
});
