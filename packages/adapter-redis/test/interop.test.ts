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
      expect(fields['h:sb-id']).toBe(id);
      expect(fields.key).toBe('k1');
      expect(Number(fields['h:sb-ts'])).toBeGreaterThan(0);
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
