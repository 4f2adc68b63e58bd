/**
 * How frames leave the socket, against a real connection: each pass of amqplib's multiplexer writes its
 * first frame set alone and the rest in one more write (corkMultiplexedWrites), and an ack given in the same
 * tick as a reply leaves in the same pass, after it (AckBatcher flushes before the next pass).
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { AckBatcher } from '../src/ack-batcher.js';
import { corkMultiplexedWrites } from '../src/corked-writes.js';
import { rabbitUrl } from './broker.js';

const found = await rabbitUrl();
const suite = found.url || process.env.SWITCHBOARD_REQUIRE_BROKERS === '1' ? describe : describe.skip;
const url = found.url ?? 'amqp://127.0.0.1:5672';

/** The AMQP methods of one socket write, e.g. `['publish', 'header', 'body']`. */
type Write = string[];

const METHODS: Record<string, string> = { '60.40': 'publish', '60.80': 'ack' };

/** Names the frames of `bytes` (type byte, channel, size, payload, frame-end). */
function framesOf(bytes: Buffer): string[] {
  const names: string[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const type = bytes[offset]!;
    const size = bytes.readUInt32BE(offset + 3);
    if (type === 1) {
      const method = `${bytes.readUInt16BE(offset + 7)}.${bytes.readUInt16BE(offset + 9)}`;
      names.push(METHODS[method] ?? method);
    } else names.push(type === 2 ? 'header' : type === 3 ? 'body' : `type-${type}`);
    offset += size + 8;
  }
  return names;
}

/** Records what each system-level write of `socket` carries, until the returned function is called. */
function recordWrites(socket: Socket): { writes: Write[]; stop: () => void } {
  const writes: Write[] = [];
  const internals = socket as unknown as {
    _write: (chunk: Buffer, ...rest: unknown[]) => void;
    _writev: (chunks: { chunk: Buffer }[], ...rest: unknown[]) => void;
  };
  const { _write, _writev } = internals;
  internals._write = function (chunk, ...rest) {
    writes.push(framesOf(chunk));
    return _write.call(this, chunk, ...rest);
  };
  internals._writev = function (chunks, ...rest) {
    writes.push(chunks.flatMap(({ chunk }) => framesOf(chunk)));
    return _writev.call(this, chunks, ...rest);
  };
  return {
    writes,
    stop: () => {
      internals._write = _write;
      internals._writev = _writev;
    },
  };
}

/** Resolves after the multiplexer's next pass (it runs at `setImmediate`) has written. */
const afterPass = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

suite('write passes against RabbitMQ', () => {
  it('writes the first frame set of a pass at once and the rest in one more write', async () => {
    const connection = await amqp.connect(url, { noDelay: true });
    try {
      expect(corkMultiplexedWrites(connection)).toBe(true);
      const channel = await connection.createChannel();
      const socket = (connection.connection as unknown as { stream: Socket }).stream;
      const recorder = recordWrites(socket);
      // amq.direct with an unbound key: the broker drops them, nothing is declared.
      for (let i = 0; i < 5; i++) channel.publish('amq.direct', 'nowhere', Buffer.from(String(i)));
      await afterPass();
      recorder.stop();
      const publish = ['publish', 'header', 'body'];
      expect(recorder.writes).toEqual([publish, [...publish, ...publish, ...publish, ...publish]]);
      await channel.close();
    } finally {
      await connection.close();
    }
  });

  it('sends an ack given in the same tick as a reply in the same pass, after the reply', async () => {
    const connection = await amqp.connect(url, { noDelay: true });
    const queue = `sbt.rmq.passes.${randomBytes(4).toString('hex')}`;
    try {
      corkMultiplexedWrites(connection);
      const consumer = await connection.createChannel();
      const replies = await connection.createChannel();
      await consumer.assertQueue(queue, { durable: false, autoDelete: true });
      const batcher = new AckBatcher(consumer);
      const delivered = new Promise<amqp.ConsumeMessage>((resolve) => {
        void consumer.consume(queue, (message) => message && resolve(message));
      });
      consumer.sendToQueue(queue, Buffer.from('request'));
      const request = await delivered;
      batcher.delivered(request.fields.deliveryTag);
      const socket = (connection.connection as unknown as { stream: Socket }).stream;
      const recorder = recordWrites(socket);
      replies.publish('amq.direct', 'nowhere', Buffer.from('reply'));
      batcher.ack(request.fields.deliveryTag);
      await afterPass();
      recorder.stop();
      expect(recorder.writes).toEqual([['publish', 'header', 'body'], ['ack']]);
      await consumer.close();
      await replies.close();
    } finally {
      await connection.close();
    }
  });
});
