/** Catalogue section "Order, dedupe, batching": C31–C33. */
import { assert, assertEqual, assertSetEqual, rejects } from '../assert.js';
import { spyTransport } from '../spy.js';
import { type Scenario, scenario } from '../types.js';
import { Collector, elapse } from '../wait.js';
import { arrive, collect, idOf, sendNumbered } from './helpers.js';

interface Keyed {
  readonly key: string;
  readonly seq: number;
}

export const C31 = scenario({
  id: 'C31',
  title:
    'per-key order: 1,000 messages over 16 keys with handler concurrency 8 are handled in send order per key',
  async run(ctx) {
    const queue = ctx.unique('q');
    const total = 1000;
    const keys = Array.from({ length: 16 }, (_, i) => `key-${i}`);
    const handled = new Collector<Keyed>('handled');
    let running = 0;
    let maxRunning = 0;
    const bus = await ctx.createBus();
    await bus.receive<Keyed>(
      queue,
      async (message) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        handled.push(message.body);
        const hops = (message.body.seq * 7) % 4;
        for (let i = 0; i < hops; i++) await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
      { concurrency: 8 },
    );
    const sender = await ctx.createBus();
    const sends: Promise<unknown>[] = [];
    const perKey = new Map<string, number>();
    for (let i = 0; i < total; i++) {
      const key = keys[(i * 5 + Math.floor(i / 7)) % keys.length]!;
      const seq = perKey.get(key) ?? 0;
      perKey.set(key, seq + 1);
      sends.push(sender.send(queue, { key, seq }, { key }));
    }
    await Promise.all(sends);
    await handled.waitForCount(total, arrive(ctx));
    const last = new Map<string, number>();
    for (const { key, seq } of handled.items) {
      const previous = last.get(key) ?? -1;
      assert(
        seq === previous + 1,
        `key ${key}: message #${seq} was handled after #${previous} (send order broken)`,
      );
      last.set(key, seq);
    }
    assert(
      maxRunning > 1,
      `handlers never ran concurrently (max ${maxRunning}); per-key order was not exercised`,
    );
    assert(maxRunning <= 8, `${maxRunning} handlers ran at once with concurrency 8`);
  },
});

export const C32 = scenario({
  id: 'C32',
  title: 'dedupe: the same dedupe id sent twice within the window is delivered once',
  requires: ['dedupe'],
  async run(ctx) {
    const window = ctx.capabilities.dedupeWindowMs;
    assert(window !== undefined && window > 0, `dedupe is declared but dedupeWindowMs is ${window}`);
    const queue = ctx.unique('q');
    const dedupeId = ctx.unique('dedupe');
    const bus = await ctx.createBus();
    const { collector } = await collect<{ copy: number }>(bus, 'queue', queue);
    const first = await bus.send(queue, { copy: 1 }, { dedupeId });
    const second = await bus.send(queue, { copy: 2 }, { dedupeId });
    const other = await bus.send(queue, { copy: 3 }, { dedupeId: ctx.unique('other') });
    await collector.waitForAll([other.id], idOf, arrive(ctx));
    await collector.waitUntil(
      (items) => items.some((m) => m.id === first.id || m.id === second.id),
      'one copy',
      arrive(ctx),
    );
    await elapse(ctx.timeouts.quiet);
    const copies = collector.items.filter((m) => m.id === first.id || m.id === second.id);
    assertEqual(copies.length, 1, 'copies of the message sent twice with one dedupe id');
  },
  negative: {
    title: 'dedupe not declared: dedupeId rejects with UNSUPPORTED',
    async run(ctx) {
      const bus = await ctx.createBus();
      await rejects(
        bus.send(ctx.unique('q'), { x: 1 }, { dedupeId: 'd1' }),
        'UNSUPPORTED',
        'send with dedupeId',
      );
    },
  },
});

export const C33 = scenario({
  id: 'C33',
  title: '10,000 concurrent sends are batched: all delivered with fewer transport publishes than messages',
  async run(ctx) {
    const queue = ctx.unique('q');
    const total = 10_000;
    const { collector } = await collect(await ctx.createBus(), 'queue', queue, { concurrency: 64 });
    const spy = spyTransport(await ctx.createTransport());
    const sender = await ctx.createBus({ transport: spy.transport });
    const sent = await sendNumbered(sender, 'queue', queue, total);
    await collector.waitForAll(sent, idOf, arrive(ctx, { stallMs: ctx.timeouts.delivery / 2 }));
    assertSetEqual(collector.items.map(idOf), sent, 'delivered messages', { exact: ctx.capabilities.dedupe });
    assertEqual(spy.publishedMessages, total, 'messages handed to the transport');
    assert(
      spy.publishCalls < total,
      `the transport saw ${spy.publishCalls} publish calls for ${total} sends: no batching`,
    );
    ctx.note(`${total} sends in ${spy.publishCalls} publish calls`);
  },
});

export const orderDedupeBatching: readonly Scenario[] = [C31, C32, C33];
