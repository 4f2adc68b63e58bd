import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePublish, type PublishProperties } from '../src/frame-encoder.js';

// amqplib's own encoders (not exported by the package, loaded by path): the reference the adapter's
// encoder must match byte for byte.
const require = createRequire(import.meta.url);
const lib = join(dirname(require.resolve('amqplib')), 'lib');
const defs = require(join(lib, 'defs.js'));
const frame = require(join(lib, 'frame.js'));

/** What amqplib 2.x writes for `channel.publish` (connection.sendMessage), concatenated. */
function amqplibBytes(
  channel: number,
  frameMax: number,
  exchange: string,
  routingKey: string,
  body: Buffer,
  p: PublishProperties,
): Buffer {
  const method = defs.encodeMethod(defs.BasicPublish, channel, {
    exchange,
    routingKey,
    mandatory: false,
    immediate: false,
    ticket: undefined,
  });
  const header = defs.encodeProperties(defs.BasicProperties, channel, body.length, p);
  const parts: Buffer[] = [method, header];
  const maxBody = frameMax - 8;
  for (let from = 0; from < body.length; from += maxBody) {
    parts.push(frame.makeBodyFrame(channel, body.subarray(from, from + maxBody)));
  }
  return Buffer.concat(parts);
}

describe('encodePublish', () => {
  const full: PublishProperties = {
    contentType: 'application/octet-stream',
    headers: { 'sb-ts': '1795738563248', 'x-tenant': 'ünïcødé ✓', 'sb-key': 'k'.repeat(300) },
    deliveryMode: 2,
    priority: 3,
    correlationId: 'corr-1',
    replyTo: 'amq.rabbitmq.reply-to',
    expiration: '5000',
    messageId: 'XNygEFk-eU2X1',
    timestamp: 1795738563,
  };
  const cases: [string, PublishProperties, Buffer][] = [
    ['every property the adapter sets', full, Buffer.from('x'.repeat(256))],
    ['only delivery mode', { deliveryMode: 2 }, Buffer.from('{}')],
    ['a request: every property but the header table', { ...full, headers: undefined }, Buffer.from('{}')],
    ['an empty body and empty header table', { deliveryMode: 1, headers: {} }, Buffer.alloc(0)],
    [
      'long non-ASCII strings',
      { ...full, messageId: 'é'.repeat(120), headers: { h: 'ß'.repeat(70) } },
      Buffer.from('b'),
    ],
  ];
  for (const [name, properties, body] of cases) {
    it(`writes what amqplib writes: ${name}`, () => {
      const ours = encodePublish(7, 131072, 'switchboard.topics', 'orders.created', body, properties);
      expect(
        ours.equals(amqplibBytes(7, 131072, 'switchboard.topics', 'orders.created', body, properties)),
      ).toBe(true);
    });
  }

  it('splits a body longer than frameMax over several body frames, like amqplib', () => {
    const body = Buffer.alloc(10_000, 7);
    const ours = encodePublish(1, 4096, '', 'q', body, full);
    expect(ours.equals(amqplibBytes(1, 4096, '', 'q', body, full))).toBe(true);
  });

  it('encodes consecutive messages independently (the shared slab is never overwritten)', () => {
    const first = encodePublish(1, 131072, '', 'a', Buffer.from('one'), full);
    const copy = Buffer.from(first);
    for (let i = 0; i < 200; i++) encodePublish(1, 131072, '', 'b', Buffer.alloc(600, i), full);
    expect(first.equals(copy)).toBe(true);
  });

  it('rejects a field longer than an AMQP short string', () => {
    expect(() =>
      encodePublish(1, 131072, '', 'q'.repeat(256), Buffer.from('x'), { deliveryMode: 2 }),
    ).toThrow(TypeError);
    expect(() =>
      encodePublish(1, 131072, '', 'q', Buffer.from('x'), {
        deliveryMode: 2,
        headers: { ['k'.repeat(256)]: 'v' },
      }),
    ).toThrow(/255 bytes/);
  });
});
