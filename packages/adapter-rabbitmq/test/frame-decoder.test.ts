import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../src/frame-decoder.js';
import { decodeFramesLeanly, frameDecoding } from '../src/lean-frames.js';

// amqplib's own encoders and decoder (not exported by the package, loaded by path): the reference the adapter's
// decoder must match object for object.
const require = createRequire(import.meta.url);
const lib = join(dirname(require.resolve('amqplib')), 'lib');
const defs = require(join(lib, 'defs.js'));
const frame = require(join(lib, 'frame.js'));

/** What amqplib's recvFrame returns for the first frame of `bytes`. */
function amqplibDecode(bytes: Buffer): unknown {
  return frame.decodeFrame(frame.parseFrame(bytes, 0));
}

/** Our decoding of the first frame of `bytes`, placed at an offset inside a larger buffer with a frame after it. */
function ownDecode(bytes: Buffer): unknown {
  const padded = Buffer.concat([bytes, frame.HEARTBEAT_BUF]);
  return decodeFrame(padded, 0, bytes.readUInt32BE(3));
}

function deliver(fields: Record<string, unknown>): Buffer {
  return defs.encodeMethod(defs.BasicDeliver, 5, fields);
}

function header(properties: Record<string, unknown>, size = 256): Buffer {
  return defs.encodeProperties(defs.BasicProperties, 5, size, properties);
}

describe('decodeFrame (deliveries and confirms without amqplib)', () => {
  it('decodes basic.deliver as amqplib does, tags past 2^32 and non-ASCII names included', () => {
    const cases = [
      { consumerTag: 'amq.ctag-1', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'orders' },
      {
        consumerTag: 'amq.ctag-1',
        deliveryTag: 2 ** 40 + 7,
        redelivered: true,
        exchange: 'switchboard.topics',
        routingKey: 'bestellungen.größe',
      },
      { consumerTag: 'other', deliveryTag: 2 ** 53 - 1, redelivered: false, exchange: 'x', routingKey: '' },
    ];
    for (const fields of cases) {
      const bytes = deliver(fields);
      expect(ownDecode(bytes)).toStrictEqual(amqplibDecode(bytes));
      expect(ownDecode(bytes)).toMatchObject({ fields });
    }
  });

  it('decodes basic.ack (publisher confirms) as amqplib does', () => {
    for (const fields of [
      { deliveryTag: 9, multiple: false },
      { deliveryTag: 2 ** 33 + 1, multiple: true },
    ]) {
      const bytes = defs.encodeMethod(defs.BasicAck, 3, fields);
      expect(ownDecode(bytes)).toStrictEqual(amqplibDecode(bytes));
    }
  });

  it('decodes content headers with every property the adapter reads, as amqplib does', () => {
    const properties = {
      contentType: 'application/octet-stream',
      contentEncoding: 'gzip',
      headers: {
        'sb-ts': '1795765705023',
        'x-tenant': 'ünïcødé ✓',
        'x-delivery-count': { '!': 'long', value: 3 },
        big: { '!': 'long', value: -(2 ** 40) - 3 },
        int: { '!': 'int', value: -7 },
        uint: { '!': 'unsignedint', value: 4_000_000_000 },
        flag: true,
        off: false,
        long: 'v'.repeat(300),
      },
      deliveryMode: 2,
      priority: 4,
      correlationId: 'corr-1',
      replyTo: 'amq.rabbitmq.reply-to.g1h2AA5yZXBseUAxNDA4NzE3MQ.Ko6ZYyoB8UbTQi1n4MJp2A==',
      expiration: '5000',
      messageId: 'Px8L_ia9nMxh1',
      timestamp: 1795765705,
    };
    const bytes = header(properties, 2 ** 35);
    expect(ownDecode(bytes)).toStrictEqual(amqplibDecode(bytes));
    expect(ownDecode(bytes)).toMatchObject({ size: 2 ** 35, fields: { messageId: 'Px8L_ia9nMxh1' } });
  });

  it('keeps decoding right when remembered fields change from frame to frame', () => {
    const sequence = [
      { contentType: 'application/json', headers: { a: '1', 'x-delivery-count': { '!': 'long', value: 0 } } },
      { contentType: 'application/json', headers: { a: '2', 'x-delivery-count': { '!': 'long', value: 1 } } },
      { contentType: 'text/plain', headers: { b: '1', a: '3' } },
      { contentType: 'text/plaim', headers: { ['n'.repeat(64)]: 'x', ['m'.repeat(65)]: 'y' } },
      { contentType: 'text/plaim', headers: { ['n'.repeat(64)]: 'z', ['m'.repeat(65)]: 'w' } },
      { contentType: 'application/json', headers: { h1: '1', h2: '2', h3: '3', h4: '4', h5: '5', h6: '6' } },
      // three values taking turns (the memo keeps two)
      { contentType: 'text/a', headers: { x: '1' } },
      { contentType: 'text/b', headers: { y: '1' } },
      { contentType: 'text/a', headers: { x: '1' } },
      { contentType: 'text/c', headers: { z: '1' } },
      { contentType: 'text/b', headers: { y: '1' } },
      { contentType: 'text/a', headers: { x: '1' } },
      { headers: {} },
      {},
    ];
    for (const properties of sequence) {
      const bytes = header(properties);
      expect(ownDecode(bytes)).toStrictEqual(amqplibDecode(bytes));
    }
  });

  it('decodes body frames as views of the payload', () => {
    const bytes = frame.makeBodyFrame(5, Buffer.from('payload bytes'));
    const own = ownDecode(bytes) as { channel: number; content: Buffer };
    expect(own).toStrictEqual(amqplibDecode(bytes));
    expect(own.content.toString()).toBe('payload bytes');
  });

  it('leaves every other frame to amqplib (undefined, nothing read)', () => {
    const declined = [
      header({ headers: { nested: { a: 1 } } }),
      header({ headers: { list: [1, 2] } }),
      header({ headers: { bytes: Buffer.from('b') } }),
      header({ headers: { when: { '!': 'timestamp', value: 1 } } }),
      header({ deliveryMode: 2, type: 'order' }),
      header({ appId: 'app' }),
      defs.encodeMethod(defs.BasicConsumeOk, 1, { consumerTag: 'c' }),
      defs.encodeMethod(defs.BasicNack, 1, { deliveryTag: 1, multiple: false, requeue: true }),
      frame.HEARTBEAT_BUF,
    ];
    for (const bytes of declined) expect(ownDecode(bytes)).toBeUndefined();
  });
});

describe('decodeFramesLeanly (recvFrame over split socket reads)', () => {
  const { Connection } = require(join(lib, 'connection.js'));

  /** A connection object with amqplib's recvFrame reading `chunks` one `stream.read()` at a time. */
  function reader(chunks: Buffer[], lean: boolean): () => unknown[] {
    const queue = [...chunks];
    const connection = Object.create(Connection.prototype);
    Object.assign(connection, {
      rest: Buffer.alloc(0),
      maxFrameSize: 131072,
      channels: [],
      stream: { read: () => queue.shift() ?? null },
    });
    if (lean) expect(decodeFramesLeanly({ connection } as never)).toBe(true);
    return () => {
      const frames: unknown[] = [];
      // Like amqplib's accept loop: read frames until none is complete, then wait for more bytes.
      while (queue.length > 0 || connection.rest.length > 0) {
        const frame = connection.recvFrame();
        if (frame === false && queue.length === 0) break;
        if (frame !== false) frames.push(frame);
      }
      return frames;
    };
  }

  it('returns the frames amqplib returns, whatever the reads are cut into', () => {
    const frames: Buffer[] = [];
    for (let i = 1; i <= 20; i++) {
      frames.push(
        deliver({ consumerTag: 'c', deliveryTag: i, redelivered: false, exchange: '', routingKey: 'q' }),
        header(
          { messageId: `m${i}`, headers: i % 5 === 0 ? { nested: { i } } : { 'sb-ts': String(i) } },
          300,
        ),
        frame.makeBodyFrame(5, Buffer.alloc(300, i)),
      );
      if (i % 7 === 0) frames.push(frame.HEARTBEAT_BUF);
    }
    const bytes = Buffer.concat(frames);
    for (const cut of [1, 7, 13, 64, 500, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let from = 0; from < bytes.length; from += cut) chunks.push(bytes.subarray(from, from + cut));
      const before = frameDecoding.amqplib;
      expect(reader(chunks, true)()).toStrictEqual(reader(chunks, false)());
      expect(frameDecoding.amqplib - before).toBe(4 + 2); // 4 nested-table headers and 2 heartbeats
    }
  });
});
