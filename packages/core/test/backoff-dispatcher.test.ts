import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/bus/dispatcher.js';
import type { Delivery } from '../src/index.js';
import { backoffDelay, DEFAULT_BACKOFF } from '../src/index.js';

describe('backoffDelay', () => {
  it('grows exponentially from initialMs and is capped at maxMs', () => {
    const exact = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([2, 3, 4, 5].map((n) => backoffDelay(exact, n))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay({ ...exact, maxMs: 500 }, 10)).toBe(500);
  });

  it('spreads each delay by at most ± jitter', () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0)).toBe(160);
    expect(backoffDelay(DEFAULT_BACKOFF, 3, () => 0.999999)).toBe(240);
  });
});

describe('Dispatcher', () => {
  const delivery = (key: string | undefined, n: number): Delivery =>
    ({
      key,
      headers: { n: String(n) },
      body: new Uint8Array(),
      redeliveries: 0,
      ack: async () => {},
      nack: async () => {},
    }) as Delivery;

  it('never runs more than `concurrency` at once and keeps per-key order', async () => {
    let running = 0;
    let peak = 0;
    const seen = new Map<string, number[]>();
    const releases: (() => void)[] = [];
    const dispatcher = new Dispatcher(3, async (d) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => releases.push(r));
      seen.set(d.key!, [...(seen.get(d.key!) ?? []), Number(d.headers.n)]);
      running--;
    });
    for (let n = 0; n < 30; n++) dispatcher.onDelivery(delivery(`k${n % 4}`, n));
    while (seen.size < 4 || [...seen.values()].reduce((a, v) => a + v.length, 0) < 30) {
      await new Promise((r) => setImmediate(r));
      for (const release of releases.splice(0)) release();
    }
    expect(peak).toBe(3);
    for (const [key, order] of seen) expect(order, key).toEqual([...order].sort((a, b) => a - b));
  });

  it('starts nothing after stop and reports idle once running handlers end', async () => {
    let started = 0;
    let release!: () => void;
    const dispatcher = new Dispatcher(1, async () => {
      started++;
      await new Promise<void>((r) => (release = r));
    });
    dispatcher.onDelivery(delivery(undefined, 1));
    dispatcher.onDelivery(delivery(undefined, 2));
    dispatcher.stop();
    const idle = dispatcher.idle();
    release();
    await idle;
    expect(started).toBe(1);
  });
});
