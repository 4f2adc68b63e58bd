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
import { decodeFramesLeanly, frameDecoding } from '../src/lean-frames.js';
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
          if (got.length === 5) finish();
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
      channel.sendToQueue(queue, Buffer.from('{"n":4}'), {
        messageId: 'fourth',
        headers: { 'x-flag': true },
      });
      channel.sendToQueue(queue, Buffer.alloc(0), {
        messageId: 'empty',
        contentType: 'application/octet-stream',
      });
      await channel.waitForConfirms();
      await done;
      expect(got.map((m) => m.id)).toEqual(['plain', 'nested', 'large', 'fourth', 'empty']);
      expect(got[0]).toMatchObject({ body: { n: 1 }, headers: { 'x-a': 'é' } });
      expect(got[1]).toMatchObject({
        body: { n: 2 },
        headers: { 'x-nested': '{"depth":1}', 'x-list': '["a",1]' },
      });
      expect(got[2]!.body).toBe(large);
      expect(got[3]).toMatchObject({ body: { n: 4 }, headers: { 'x-flag': 'true' } });
      expect(got[4]!.body).toBeInstanceOf(Uint8Array);
      expect((got[4]!.body as Uint8Array).length).toBe(0);
      // The nested table's content header went to amqplib, the large body's frames through amqplib's channel
      // one by one; small messages whose frames arrived together went to their channel whole.
      expect(frameDecoding.amqplib - before.amqplib).toBeGreaterThanOrEqual(1);
      expect(frameDecoding.own - before.own).toBeGreaterThanOrEqual(5 + 2);
      expect(frameDecoding.whole - before.whole).toBeGreaterThanOrEqual(1);
      await channel.close();
    } finally {
      await raw.close();
      await bus.close();
    }
  });

  it('a consumer callback that throws is handled as amqplib handles it: handler-error, else the channel closes', async () => {
    const connection = await amqp.connect(url);
    expect(decodeFramesLeanly(connection)).toBe(true);
    const queue = `sbt.rmq.lean-throw.${randomBytes(4).toString('hex')}`;
    try {
      const setup = await connection.createConfirmChannel();
      await setup.assertQueue(queue, { durable: false, arguments: { 'x-queue-type': 'classic' } });
      // With a handler-error listener the channel goes on: both messages arrive, the error is reported.
      const listening = await connection.createChannel();
      const seen: string[] = [];
      const reported = new Promise<unknown>((resolve) => listening.on('handler-error', resolve));
      let second: () => void = () => undefined;
      const secondArrived = new Promise<void>((resolve) => {
        second = resolve;
      });
      await listening.consume(queue, (message) => {
        seen.push(message!.content.toString());
        listening.ack(message!);
        if (seen.length === 1) throw new Error('handler failed');
        second();
      });
      const wholeBefore = frameDecoding.whole;
      setup.sendToQueue(queue, Buffer.from('one'));
      setup.sendToQueue(queue, Buffer.from('two'));
      await setup.waitForConfirms();
      expect(((await reported) as Error).message).toBe('handler failed');
      await secondArrived;
      expect(seen).toEqual(['one', 'two']);
      expect(frameDecoding.whole).toBeGreaterThan(wholeBefore);
      await listening.close();
      // Without one the channel closes (541), the connection stays usable.
      const plain = await connection.createChannel();
      plain.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => plain.once('close', () => resolve()));
      await plain.consume(queue, () => {
        throw new Error('handler failed');
      });
      setup.sendToQueue(queue, Buffer.from('three'));
      await setup.waitForConfirms();
      await closed;
      expect((await setup.checkQueue(queue)).queue).toBe(queue);
      await setup.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });
});
