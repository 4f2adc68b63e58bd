import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { smokeBroker, uniqueName } from './support.js';

const broker = await smokeBroker('redis');

type Entry = [id: string, fields: string[]];

/**
 * The entries of the first stream in an XREADGROUP reply: RESP2 gives `[[key, entries]]`; ioredis 6's
 * default RESP3 with legacy mapping flattens the map to `[key, entries, ...]`.
 */
function firstStreamEntries(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const pair: unknown = typeof reply[0] === 'string' ? reply : reply[0];
  return Array.isArray(pair) ? (pair[1] as Entry[]) : [];
}

describe.skipIf(broker.skipped)('redis raw client (ioredis, streams)', () => {
  it('XADDs, reads with XREADGROUP and XACKs', async () => {
    if (broker.skipped) return;
    const redis = new Redis(broker.url, { maxRetriesPerRequest: 2, lazyConnect: true });
    await redis.connect();
    const stream = uniqueName('smoke-redis');
    try {
      await redis.xgroup('CREATE', stream, 'smoke', '$', 'MKSTREAM');
      const id = await redis.xadd(stream, '*', 'body', 'hello');
      const reply = await redis.call(
        'XREADGROUP',
        'GROUP',
        'smoke',
        'c1',
        'COUNT',
        10,
        'BLOCK',
        5000,
        'STREAMS',
        stream,
        '>',
      );
      const entries = firstStreamEntries(reply);
      expect(entries.map(([entryId]) => entryId)).toEqual([id]);
      expect(entries[0]?.[1]).toEqual(['body', 'hello']);
      expect(await redis.xack(stream, 'smoke', id as string)).toBe(1);
      const pending = (await redis.xpending(stream, 'smoke')) as [number, ...unknown[]];
      expect(pending[0]).toBe(0);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  });
});
