/** Catalogue section "Acknowledgement, retry, dead letters", part 1 (ack and retry): C16–C24. */
import type { Delivery } from '@switchboard/core';
import { assert, assertEqual, assertSetEqual } from '../assert.js';
import { type Scenario, scenario } from '../types.js';
import { Collector, elapse, gate } from '../wait.js';
import { arrive, collect, deliveryId, idOf, type Numbered, rawCollect, sendNumbered } from './helpers.js';
import { lostWithoutConsumer } from './persistence.js';

/** Fast, deterministic retries for scenarios that are not about backoff. */
const quickRetry = { backoff: { initialMs: 20, maxMs: 50, jitter: 0 }, maxAttempts: 10 } as const;

export const C16 = scenario({
  id: 'C16',
  title: 'ack is final: no redelivery within twice the ack deadline; a second ack does not throw',
  async run(ctx) {
    const ackDeadlineMs = 300;
    const rawQueue = ctx.unique('raw');
    const busQueue = ctx.unique('bus');
    const bus = await ctx.createBus();
    const transport = await ctx.createTransport();
    const raw = new Collector<Delivery>(rawQueue);
    const doubleAcks: Promise<void>[] = [];
    await transport.subscribe(
      { kind: 'queue', name: rawQueue },
      { prefetch: 10, ackDeadlineMs },
      (delivery) => {
        raw.push(delivery);
        doubleAcks.push(delivery.ack().then(() => delivery.ack()));
      },
    );
    const viaBus = await collect(bus, 'queue', busQueue, { ackDeadlineMs });
    const rawIds = await sendNumbered(bus, 'queue', rawQueue, 5);
    const busIds = await sendNumbered(bus, 'queue', busQueue, 5);
    await raw.waitForAll(rawIds, deliveryId, arrive(ctx));
    await viaBus.collector.waitForAll(busIds, idOf, arrive(ctx));
    await Promise.all(doubleAcks).catch((error: unknown) => {
      throw new Error(
        `acking a delivery twice threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    await elapse(2 * ackDeadlineMs + 100);
    assertSetEqual(raw.items.map(deliveryId), rawIds, 'raw deliveries after acking', { exact: true });
    assertSetEqual(viaBus.collector.items.map(idOf), busIds, 'handled messages after acking', {
      exact: true,
    });
  },
});

export const C17 = scenario({
  id: 'C17',
  title: 'a handler that throws for the first 2 of 100 messages: all handled, those 2 seen at least twice',
  async run(ctx) {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const calls = new Map<number, number>();
    const { collector } = await collect<Numbered>(bus, 'queue', queue, quickRetry, (message) => {
      const seen = (calls.get(message.body.n) ?? 0) + 1;
      calls.set(message.body.n, seen);
      if (message.body.n < 2 && seen === 1) throw new Error(`C17: first attempt of #${message.body.n} fails`);
    });
    const sent = await sendNumbered(bus, 'queue', queue, 100);
    await collector.waitForAll(sent, idOf, arrive(ctx));
    assertSetEqual(collector.items.map(idOf), sent, 'handled messages');
    for (const n of [0, 1])
      assert((calls.get(n) ?? 0) >= 2, `message #${n} was handled ${calls.get(n)} time(s), expected ≥ 2`);
  },
});

export const C18 = scenario({
  id: 'C18',
  title: 'every 10th of 1,000 messages fails once: set-equal in the end, processing never stalls',
  async run(ctx) {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const failed = new Set<number>();
    const { collector } = await collect<Numbered>(bus, 'queue', queue, quickRetry, (message) => {
      if (message.body.n % 10 === 0 && !failed.has(message.body.n)) {
        failed.add(message.body.n);
        throw new Error(`C18: #${message.body.n} fails once`);
      }
    });
    const sent = await sendNumbered(bus, 'queue', queue, 1000);
    await collector.waitForAll(sent, idOf, arrive(ctx, { stallMs: 5000 }));
    assertSetEqual(collector.items.map(idOf), sent, 'handled messages');
    assertEqual(failed.size, 100, 'messages that failed once');
  },
});

export const C19 = scenario({
  id: 'C19',
  title: 'failed messages survive a consumer restart: close mid-stream, reopen, nothing lost',
  requires: ['persistent'],
  negative: lostWithoutConsumer,
  async run(ctx) {
    const queue = ctx.unique('q');
    const total = ctx.size(200, 1000);
    const options = { backoff: { initialMs: 300, maxMs: 300, jitter: 0 }, maxAttempts: 20, concurrency: 4 };
    const failOnce = (failed: Set<string>) => (message: { id: string; body: Numbered }) => {
      if (message.body.n % 5 === 0 && !failed.has(message.id)) {
        failed.add(message.id);
        throw new Error(`C19: #${message.body.n} fails once`);
      }
    };
    const failed = new Set<string>();
    const first = await ctx.createBus();
    const a = await collect<Numbered>(first, 'queue', queue, options, failOnce(failed));
    const sent = await sendNumbered(await ctx.createBus(), 'queue', queue, total);
    await a.collector.waitForCount(total / 2, arrive(ctx));
    await first.close();
    const b = await collect<Numbered>(await ctx.createBus(), 'queue', queue, options, failOnce(failed));
    const handled = () => [...a.collector.items, ...b.collector.items].map(idOf);
    await b.collector.waitUntil(
      () => new Set(handled()).size >= total,
      `${total} distinct messages over both consumers`,
      arrive(ctx),
    );
    assertSetEqual(handled(), sent, 'messages handled before and after the restart');
    ctx.note(`before restart ${a.collector.size}, after ${b.collector.size}, failed once ${failed.size}`);
  },
});

export const C20 = scenario({
  id: 'C20',
  title: 'out-of-order completion: ack A, B, D, fail C, E; after a restart C and E arrive, none lost',
  requires: ['persistent'],
  negative: lostWithoutConsumer,
  async run(ctx) {
    const queue = ctx.unique('q');
    const letters = ['A', 'B', 'C', 'D', 'E'];
    const outcomes = new Collector<string>('outcomes');
    const first = await ctx.createBus();
    await first.receive<string>(
      queue,
      async (message) => {
        if (message.body === 'C' || message.body === 'E') {
          outcomes.push(`${message.body}:failed`);
          throw new Error(`C20: ${message.body} fails`);
        }
        outcomes.push(`${message.body}:acked`);
      },
      { concurrency: 5, maxAttempts: 10, backoff: { initialMs: 400, maxMs: 400, jitter: 0 } },
    );
    const sender = await ctx.createBus();
    const ids = new Map<string, string>();
    for (const letter of letters) ids.set(letter, (await sender.send(queue, letter)).id);
    await outcomes.waitForAll(
      ['A:acked', 'B:acked', 'C:failed', 'D:acked', 'E:failed'],
      (x) => x,
      arrive(ctx),
    );
    await first.close();
    const second = await collect<string>(await ctx.createBus(), 'queue', queue);
    await second.collector.waitForAll([ids.get('C')!, ids.get('E')!], idOf, arrive(ctx));
    await elapse(ctx.timeouts.quiet);
    assertSetEqual(
      second.collector.items.map((m) => m.body),
      ['C', 'E'],
      'messages after the restart',
    );
    for (const message of second.collector.items) {
      assert(
        message.attempt >= 2,
        `${message.body} arrived after the restart with attempt ${message.attempt}, expected ≥ 2`,
      );
    }
  },
});

export const C21 = scenario({
  id: 'C21',
  title: 'prefetch 1: message 2 is withheld while message 1 is unacked and arrives after the ack',
  requires: ['persistent'],
  negative: lostWithoutConsumer,
  async run(ctx) {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const sent = await sendNumbered(bus, 'queue', queue, 2);
    const { collector } = await rawCollect(ctx, { kind: 'queue', name: queue }, { ack: false, prefetch: 1 });
    await collector.waitForCount(1, arrive(ctx));
    await elapse(ctx.timeouts.quiet);
    assertEqual(collector.size, 1, 'deliveries while the first is unacked (prefetch 1)');
    await collector.items[0]!.ack();
    await collector.waitForCount(2, arrive(ctx));
    assertSetEqual(collector.items.map(deliveryId), sent, 'deliveries after the ack', { exact: true });
  },
});

export const C22 = scenario({
  id: 'C22',
  title: 'backpressure: a backlog of 2n with n/2 handlers stuck (1 s [5 s]) drains completely afterwards',
  async run(ctx) {
    const queue = ctx.unique('q');
    const n = ctx.size(40, 200);
    const stuckMs = ctx.size(1000, 5000);
    const release = gate();
    let stuck = 0;
    const bus = await ctx.createBus();
    const { collector } = await collect(bus, 'queue', queue, { concurrency: n, prefetch: n }, async () => {
      if (stuck < n / 2) {
        stuck++;
        await release.promise;
      }
    });
    const started = Date.now();
    const sent = await sendNumbered(await ctx.createBus(), 'queue', queue, 2 * n);
    await collector.waitForCount((3 * n) / 2, arrive(ctx, { stallMs: 5000 }));
    assertEqual(stuck, n / 2, 'handlers stuck');
    await elapse(Math.max(0, stuckMs - (Date.now() - started)));
    release.open();
    await collector.waitForAll(sent, idOf, arrive(ctx));
    assertSetEqual(collector.items.map(idOf), sent, 'the whole backlog');
  },
});

export const C23 = scenario({
  id: 'C23',
  title: 'a handler that never settles: the message goes to another consumer after the ack deadline',
  requires: ['ackDeadline'],
  async run(ctx) {
    const queue = ctx.unique('q');
    const ackDeadlineMs = 500;
    const taken = new Collector<string>('stuck consumer');
    const stuckBus = await ctx.createBus({ drainTimeoutMs: 100 });
    await stuckBus.receive(
      queue,
      (message, { signal }) =>
        new Promise<void>((_, reject) => {
          taken.push(message.id);
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
      { ackDeadlineMs, concurrency: 1, prefetch: 1 },
    );
    const { id } = await stuckBus.send(queue, { never: 'settled' });
    await taken.waitForCount(1, arrive(ctx));
    const took = Date.now();
    const other = await collect(await ctx.createBus(), 'queue', queue, { ackDeadlineMs });
    await other.collector.waitForAll([id], idOf, { timeoutMs: ackDeadlineMs * 4 + 2000 });
    const after = Date.now() - took;
    assert(
      after >= ackDeadlineMs * 0.9,
      `redelivered after ${after} ms, before the ${ackDeadlineMs} ms ack deadline`,
    );
    ctx.note(`redelivered to the other consumer ${after} ms after the first delivery`);
  },
  negative: {
    title: 'ackDeadline not declared: an unsettled message is not given to another consumer',
    async run(ctx) {
      const queue = ctx.unique('q');
      const taken = new Collector<string>('stuck consumer');
      const release = gate();
      const stuckBus = await ctx.createBus();
      await stuckBus.receive(
        queue,
        async (message) => {
          taken.push(message.id);
          await release.promise;
        },
        { ackDeadlineMs: 200, concurrency: 1, prefetch: 1 },
      );
      await stuckBus.send(queue, { held: true });
      await taken.waitForCount(1, arrive(ctx));
      const other = await collect(await ctx.createBus(), 'queue', queue, { ackDeadlineMs: 200 });
      await elapse(ctx.timeouts.quiet + 400);
      release.open();
      assertEqual(other.collector.size, 0, 'messages the second consumer got while the first held it');
    },
  },
});

export const C24 = scenario({
  id: 'C24',
  title: 'attempt counter: after k failures the handler sees attempt === k + 1',
  async run(ctx) {
    const queue = ctx.unique('q');
    const k = 3;
    const attempts = new Collector<number>('attempts');
    const bus = await ctx.createBus();
    await bus.receive(
      queue,
      (message) => {
        attempts.push(message.attempt);
        if (attempts.size <= k) throw new Error(`C24: failure ${attempts.size}`);
      },
      quickRetry,
    );
    await bus.send(queue, { k });
    await attempts.waitForCount(k + 1, arrive(ctx));
    await elapse(ctx.timeouts.quiet / 5);
    assertEqual(attempts.items, [1, 2, 3, 4], 'attempt numbers seen by the handler');
  },
});

export const ackRetry: readonly Scenario[] = [C16, C17, C18, C19, C20, C21, C22, C23, C24];
