/** Catalogue section "Lifecycle and faults", part 1 (lifecycle): C38–C43. */
import { connect, type Transport } from '@switchboard/core';
import { assert, assertEqual, assertSetEqual, rejects } from '../assert.js';
import { spyTransport } from '../spy.js';
import { type Scenario, scenario } from '../types.js';
import { Collector, elapse, gate, within } from '../wait.js';
import { arrive, collect, idOf, sendNumbered } from './helpers.js';
import { lostWithoutConsumer } from './persistence.js';

export const C38 = scenario({
  id: 'C38',
  title:
    'close drains: in-flight handlers finish and are acked first; the drain timeout aborts; 20 rounds lose nothing',
  requires: ['persistent'],
  negative: lostWithoutConsumer,
  async run(ctx) {
    // 1. An in-flight handler finishes and is acked before close() resolves.
    const queue = ctx.unique('drain');
    const spy = spyTransport(await ctx.createTransport());
    const bus = await ctx.createBus({ transport: spy.transport, drainTimeoutMs: 10_000 });
    const started = new Collector<string>('started');
    const release = gate();
    await bus.receive(queue, async (message) => {
      started.push(message.id);
      await release.promise;
    });
    const { id } = await bus.send(queue, { inFlight: true });
    await started.waitForCount(1, arrive(ctx));
    let closed = false;
    const closing = bus.close().then(() => {
      closed = true;
    });
    await elapse(100);
    assert(!closed, 'close() resolved while a handler was still running');
    release.open();
    await within(closing, ctx.timeouts.close, 'close() after the handler finished');
    assertEqual(spy.acked, [id], 'messages acked when close() resolved');

    // 2. Past the drain timeout, the handler's signal aborts and close() resolves.
    const drainTimeoutMs = 300;
    const slowQueue = ctx.unique('slow');
    const slow = await ctx.createBus({ drainTimeoutMs });
    const aborted = new Collector<number>('aborted');
    await slow.receive(slowQueue, (message, { signal }) => {
      started.push(message.id);
      return new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => {
          aborted.push(Date.now());
          resolve();
        }),
      );
    });
    const stuck = await slow.send(slowQueue, { stuck: true });
    await started.waitForAll([stuck.id], (x) => x, arrive(ctx));
    const closeAt = Date.now();
    await within(slow.close(), drainTimeoutMs + 3000, 'close() with a handler past the drain timeout');
    assertEqual(aborted.size, 1, 'handlers that saw signal.aborted');
    const abortedAfter = aborted.items[0]! - closeAt;
    assert(
      abortedAfter >= drainTimeoutMs * 0.9,
      `the signal aborted ${abortedAfter} ms after close(), before the ${drainTimeoutMs} ms drain timeout`,
    );

    // 3. 20 open/close rounds lose nothing. A message a closing consumer could not give back (a broker that
    // drops the give-back under load) still returns once its ack deadline passes — at least once, not lost —
    // so where the transport has an ack deadline the waits allow for it, and a note says when it was needed.
    const roundsQueue = ctx.unique('rounds');
    const total = 200;
    const ackDeadlineMs = 10_000;
    const wait = {
      timeoutMs: ctx.timeouts.delivery + (ctx.capabilities.ackDeadline ? ackDeadlineMs : 0),
    };
    const sent = await sendNumbered(await ctx.createBus(), 'queue', roundsQueue, total);
    const handled = new Collector<string>('handled over 20 rounds');
    let slowRounds = 0;
    for (let round = 0; round < 20; round++) {
      const consumer = await ctx.createBus();
      await consumer.receive(
        roundsQueue,
        async (message) => {
          await new Promise((resolve) => setImmediate(resolve));
          handled.push(message.id);
        },
        { concurrency: 4, ackDeadlineMs },
      );
      const target = Math.min(total, (round + 1) * 10);
      const roundStarted = Date.now();
      await handled.waitUntil((items) => new Set(items).size >= target, `${target} distinct messages`, wait);
      if (Date.now() - roundStarted > ctx.timeouts.delivery) slowRounds++;
      await consumer.close();
    }
    if (new Set(handled.items).size < total) {
      await collect(await ctx.createBus(), 'queue', roundsQueue, { ackDeadlineMs }, (message) =>
        handled.push(message.id),
      );
      await handled.waitForAll(sent, (x) => x, wait);
    }
    if (slowRounds > 0)
      ctx.note(`${slowRounds} round(s) waited for a message to come back after its ack deadline`);
    assertSetEqual(handled.items, sent, 'messages handled over 20 open/close rounds');
  },
});

export const C39 = scenario({
  id: 'C39',
  title: 'after close: every operation rejects with CLOSED; close() twice is fine',
  async run(ctx) {
    const bus = await ctx.createBus();
    const queue = ctx.unique('q');
    await bus.send(queue, { before: 'close' });
    await bus.close();
    await Promise.all([bus.close(), bus.close()]);
    await rejects(bus.send(queue, {}), 'CLOSED', 'send after close');
    await rejects(bus.publish(ctx.unique('t'), {}), 'CLOSED', 'publish after close');
    await rejects(
      bus.receive(queue, () => undefined),
      'CLOSED',
      'receive after close',
    );
    await rejects(
      bus.subscribe(ctx.unique('t'), () => undefined, { group: 'g' }),
      'CLOSED',
      'subscribe after close',
    );
    await rejects(bus.request(queue, {}, { timeoutMs: 1000 }), 'CLOSED', 'request after close');
    await rejects(
      bus.reply(queue, () => undefined),
      'CLOSED',
      'reply after close',
    );
    await rejects(async () => bus.consume(queue).next(), 'CLOSED', 'consume after close');
    const transport = await ctx.createTransport();
    await transport.close();
    await transport.close();
    await rejects(
      transport.publish({ kind: 'queue', name: queue }, []),
      'CLOSED',
      'transport.publish after close',
    );
  },
});

export const C40 = scenario({
  id: 'C40',
  title: '10 buses opened and closed concurrently: no unhandled errors, then 50 messages set-equal',
  async run(ctx) {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const bus = await ctx.createBus();
          const queue = ctx.unique(`q${i}`);
          await bus.receive(queue, () => undefined);
          if (i % 2 === 0) {
            await bus.send(queue, { i });
            await bus.close();
          } else {
            const racing = bus.send(queue, { i });
            await bus.close();
            await racing.catch((error: unknown) =>
              rejects(Promise.reject(error), 'CLOSED', 'a send racing close()'),
            );
          }
        }),
      );
      const receiver = await ctx.createBus();
      const queue = ctx.unique('after');
      const { collector } = await collect(receiver, 'queue', queue);
      const sent = await sendNumbered(await ctx.createBus(), 'queue', queue, 50);
      await collector.waitForAll(sent, idOf, arrive(ctx));
      assertSetEqual(collector.items.map(idOf), sent, '50 messages after the storm');
      await elapse(10);
      assertEqual(unhandled.length, 0, `unhandled rejections (${unhandled.map(String).join('; ')})`);
      assertEqual(
        ctx.reportedErrors.map((e) => e.message),
        [],
        'errors reported by the buses',
      );
    } finally {
      process.off('unhandledRejection', listener);
    }
  },
});

export const C41 = scenario({
  id: 'C41',
  title: 'closing one receiver leaves the others working',
  async run(ctx) {
    const bus = await ctx.createBus();
    const queue = ctx.unique('q');
    const topic = ctx.unique('t');
    const a = await collect(bus, 'queue', queue);
    const b = await collect(bus, 'queue', queue);
    const g1 = await collect(bus, 'topic', topic, { group: ctx.unique('g1') });
    const g2 = await collect(bus, 'topic', topic, { group: ctx.unique('g2') });
    await a.receiver.close();
    await g1.receiver.close();
    const queued = await sendNumbered(bus, 'queue', queue, 20);
    const published = await sendNumbered(bus, 'topic', topic, 20);
    await b.collector.waitForAll(queued, idOf, arrive(ctx));
    await g2.collector.waitForAll(published, idOf, arrive(ctx));
    assertEqual(a.collector.size, 0, 'messages the closed receiver got');
    assertSetEqual(b.collector.items.map(idOf), queued, 'messages on the remaining receiver');
    assertSetEqual(g2.collector.items.map(idOf), published, 'events in the remaining group');
  },
});

export const C42 = scenario({
  id: 'C42',
  title: 'an unknown destination is created on demand, or rejected with NOT_FOUND',
  async run(ctx) {
    const bus = await ctx.createBus();
    const queue = ctx.unique('never-declared');
    let created: boolean;
    let id = '';
    try {
      id = (await bus.send(queue, { first: true })).id;
      created = true;
    } catch (error) {
      await rejects(Promise.reject(error), 'NOT_FOUND', 'send to an unknown queue');
      created = false;
    }
    ctx.note(created ? 'queues are created on demand' : 'unknown queues are NOT_FOUND');
    if (!created) return;
    const { collector } = await collect(bus, 'queue', queue);
    const next = await bus.send(queue, { second: true });
    const expected = ctx.capabilities.persistent ? [id, next.id] : [next.id];
    await collector.waitForAll(expected, idOf, arrive(ctx));
    try {
      await (
        await bus.subscribe(ctx.unique('unknown-topic'), () => undefined, { group: ctx.unique('g') })
      ).close();
    } catch (error) {
      await rejects(Promise.reject(error), 'NOT_FOUND', 'subscribe to an unknown topic');
    }
  },
});

export const C43 = scenario({
  id: 'C43',
  title: 'a dead URL fails fast with UNAVAILABLE; a second URL in the list is used when the first is down',
  async run(ctx) {
    const fast = 2000;
    const started = Date.now();
    await rejects(connect(''), 'INVALID_ARGUMENT', 'connect("")');
    await rejects(connect('not a url'), 'INVALID_ARGUMENT', 'connect("not a url")');
    await rejects(connect('nosuchscheme://127.0.0.1:1'), 'UNSUPPORTED', 'connect with an unknown scheme');
    assert(Date.now() - started < fast, `malformed URLs took ${Date.now() - started} ms to fail`);
    if (ctx.unreachableTransport) {
      const transport: Transport = await ctx.unreachableTransport();
      const at = Date.now();
      await within(
        rejects(transport.connect(), 'UNAVAILABLE', 'connect to a dead URL'),
        60_000,
        'connect() to a dead URL to fail',
      );
      ctx.note(`a dead URL failed after ${Date.now() - at} ms`);
    } else ctx.note('no unreachable endpoint from the provisioning: dead-URL check not run');
    if (ctx.failoverTransport) {
      const bus = await ctx.createBus({ transport: await ctx.failoverTransport() });
      const queue = ctx.unique('q');
      const { collector } = await collect(bus, 'queue', queue);
      const { id } = await bus.send(queue, { via: 'second url' });
      await collector.waitForAll([id], idOf, arrive(ctx));
    } else ctx.note('no URL list from the provisioning: failover check not run');
  },
});

export const lifecycle: readonly Scenario[] = [C38, C39, C40, C41, C42, C43];
