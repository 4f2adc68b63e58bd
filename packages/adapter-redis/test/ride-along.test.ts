import { createBus } from '@switchboard/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisTransport } from '../src/index.js';
import { redisUrl } from './broker.js';
import { fresh } from './helpers.js';

const url = await redisUrl();

// Sends and replies issued while a reading connection is between reads go out on that connection with its
// next read (see src/read-window.ts). These pin the paths that only riding takes.
describe.skipIf(!url)('sends and replies riding along with reads', () => {
  const raw = new Redis(url ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  afterAll(() => raw.quit());

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
