import { createBus } from '@switchboard/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisTransport } from '../src/index.js';
import { redisUrl } from './broker.js';
import { fresh } from './helpers.js';

const url = await redisUrl();

/** How often the server answered NOSCRIPT so far (INFO errorstats). */
async function noScriptErrors(redis: Redis): Promise<number> {
  const info = await redis.info('errorstats');
  return Number(/errorstat_NOSCRIPT:count=(\d+)/.exec(info)?.[1] ?? 0);
}

// Sends and replies issued while a reading connection is between reads go out on that connection with its
// next read (see src/read-window.ts). These pin the paths that only riding takes.
describe.skipIf(!url)('sends and replies riding along with reads', () => {
  const raw = new Redis(url ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  afterAll(() => raw.quit());

  it('a reply gets through after the server lost the script (a riding EVALSHA falls back to the command connection)', async () => {
    const queue = fresh('ride-noscript');
    const bus = createBus({ transport: redisTransport({ url }) });
    try {
      // A synchronous handler: its reply is issued while the responder's read window is open.
      await bus.reply<number, number>(queue, (m) => m.body + 1);
      expect(await bus.request<number>(queue, 1, { timeoutMs: 5000 })).toBe(2);
      const before = await noScriptErrors(raw);
      await raw.script('FLUSH');
      expect(await bus.request<number>(queue, 41, { timeoutMs: 5000 })).toBe(42);
      expect(await noScriptErrors(raw)).toBeGreaterThan(before);
      // Loaded again by the fallback: the next reply rides without an error.
      expect(await bus.request<number>(queue, 9, { timeoutMs: 5000 })).toBe(10);
    } finally {
      await bus.close();
      await raw.del(`sb:q:{${queue}}`);
    }
  });

  it('requests sent from handlers and from reply callbacks all get their replies, in order per caller', async () => {
    const front = fresh('ride-front');
    const back = fresh('ride-back');
    const bus = createBus({ transport: redisTransport({ url }) });
    try {
      await bus.reply<number, number>(back, (m) => m.body * 2);
      // A handler that sends a request of its own while its read window is open.
      await bus.reply<number, number>(front, (m) => bus.request<number>(back, m.body, { timeoutMs: 5000 }));
      const results: number[] = [];
      for (let i = 0; i < 200; i++) results.push(await bus.request<number>(front, i, { timeoutMs: 5000 }));
      expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
      const concurrent = await Promise.all(
        Array.from({ length: 300 }, (_, i) => bus.request<number>(front, i, { timeoutMs: 10_000 })),
      );
      expect(concurrent).toEqual(Array.from({ length: 300 }, (_, i) => i * 2));
    } finally {
      await bus.close();
      await raw.del(`sb:q:{${front}}`, `sb:q:{${back}}`);
    }
  });
});
