import { createBus } from '@switchboard/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { transportFromUrl } from '../src/index.js';
import { redisUrl } from './broker.js';
import { Collector, fresh } from './helpers.js';

const url = await redisUrl();

/** The examples of docs/wire-format/redis.md, run with the real ioredis client. */
describe.skipIf(!url)('raw ioredis interop (docs/wire-format/redis.md)', () => {
  const raw = new Redis(url ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  afterAll(() => raw.quit());

  it('a raw XADD with body, key and h:<name> fields is consumed with its body, headers and key', async () => {
    const queue = fresh('raw-in');
    const bus = createBus({ transport: transportFromUrl(url!) });
    const got = new Collector<{ body: unknown; headers: unknown; key: unknown; id: string; ts: number }>();
    try {
      await bus.receive(queue, (m) =>
        got.add({ body: m.body, headers: m.headers, key: m.key, id: m.id, ts: m.timestamp }),
      );
      await raw.xadd(
        `sb:q:{${queue}}`,
        '*',
        'body',
        '{"orderId":42}',
        'key',
        'customer-7',
        'h:tenant',
        'acme',
        'h:sb-id',
        'order-42',
        'h:sb-ts',
        '1700000000000',
      );
      await got.waitFor(1);
      expect(got.items[0]).toEqual({
        body: { orderId: 42 },
        headers: { tenant: 'acme' },
        key: 'customer-7',
        id: 'order-42',
        ts: 1700000000000,
      });
    } finally {
      await bus.close();
      await raw.del(`sb:q:{${queue}}`);
    }
  });

  it('a raw XADD with the reserved headers in an sb field (as Switchboard writes them) is consumed alike', async () => {
    const queue = fresh('raw-sb');
    const bus = createBus({ transport: transportFromUrl(url!) });
    const got = new Collector<{ body: unknown; headers: unknown; id: string; ts: number }>();
    try {
      await bus.receive(queue, (m) =>
        got.add({ body: m.body, headers: m.headers, id: m.id, ts: m.timestamp }),
      );
      await raw.xadd(
        `sb:q:{${queue}}`,
        '*',
        'body',
        '{"orderId":43}',
        'sb',
        '{"sb-id":"order-43","sb-ts":"1700000000001"}',
        'h:tenant',
        'acme',
      );
      await got.waitFor(1);
      expect(got.items[0]).toEqual({
        body: { orderId: 43 },
        headers: { tenant: 'acme' },
        id: 'order-43',
        ts: 1700000000001,
      });
    } finally {
      await bus.close();
      await raw.del(`sb:q:{${queue}}`);
    }
  });

  it('a raw responder reads a request as documented and its reply reaches the requester', async () => {
    const queue = fresh('raw-responder');
    const stream = `sb:q:{${queue}}`;
    const bus = createBus({ transport: transportFromUrl(url!) });
    try {
      await raw.xgroup('CREATE', stream, 'switchboard', '0', 'MKSTREAM');
      const asked = bus.request<{ sum: number }>(queue, { a: 2, b: 3 }, { timeoutMs: 10_000 });
      const read = (await raw.xreadgroup(
        'GROUP',
        'switchboard',
        'raw',
        'COUNT',
        1,
        'BLOCK',
        5000,
        'STREAMS',
        stream,
        '>',
      )) as [string, [string, string[]][]][];
      const [entryId, flat] = read[0]![1][0]!;
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      const request = JSON.parse(fields.sb!) as Record<string, string>;
      const { a, b } = JSON.parse(fields.body!) as { a: number; b: number };
      const address = request['sb-reply-to']!;
      // The reply: the packing of docs/wire-format/redis.md, published on the inbox's channel.
      const reply = packed([
        'body',
        JSON.stringify({ sum: a + b }),
        'sb',
        JSON.stringify({
          'sb-correlation-id': request['sb-correlation-id'],
          'sb-reply-status': 'ok',
        }),
      ]);
      expect(await raw.publish(address, reply)).toBe(1);
      await raw.xack(stream, 'switchboard', entryId);
      expect(await asked).toEqual({ sum: 5 });
    } finally {
      await bus.close();
      await raw.del(stream);
    }
  });

  it('a message Switchboard sends is readable with XRANGE as documented', async () => {
    const queue = fresh('raw-out');
    const bus = createBus({ transport: transportFromUrl(url!) });
    try {
      const { id } = await bus.send(queue, { hello: 'world' }, { headers: { tenant: 'acme' }, key: 'k1' });
      const entries = await raw.xrange(`sb:q:{${queue}}`, '-', '+');
      expect(entries).toHaveLength(1);
      const flat = entries[0]![1];
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      expect(JSON.parse(fields.body!)).toEqual({ hello: 'world' });
      expect(fields['h:tenant']).toBe('acme');
      expect(fields.key).toBe('k1');
      // The reserved headers: one JSON object in the field `sb`, none as h:sb-… fields.
      const reserved = JSON.parse(fields.sb!) as Record<string, string>;
      expect(reserved['sb-id']).toBe(id);
      expect(Number(reserved['sb-ts'])).toBeGreaterThan(0);
      expect(Object.keys(fields).filter((name) => name.startsWith('h:sb-'))).toEqual([]);
    } finally {
      await bus.close();
      await raw.del(`sb:q:{${queue}}`);
    }
  });

  it('a binary body written with a raw Buffer arrives byte-equal', async () => {
    const queue = fresh('raw-bin');
    const bus = createBus({ transport: transportFromUrl(url!) });
    const got = new Collector<Uint8Array>();
    try {
      await bus.receive<Uint8Array>(queue, (m) => got.add(m.body));
      const bytes = Buffer.from([0, 1, 254, 255, 0xc3, 0x28]);
      await raw.xadd(`sb:q:{${queue}}`, '*', 'body', bytes, 'h:sb-content-type', 'application/octet-stream');
      await got.waitFor(1);
      expect([...got.items[0]!]).toEqual([...bytes]);
    } finally {
      await bus.close();
      await raw.del(`sb:q:{${queue}}`);
    }
  });
});

/** Packs fields as docs/wire-format/redis.md says: a u32 count, then a u32 byte length and the bytes of each. */
function packed(fields: string[]): Buffer {
  const parts = [u32(fields.length)];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    parts.push(u32(bytes.length), bytes);
  }
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(n);
  return bytes;
}
