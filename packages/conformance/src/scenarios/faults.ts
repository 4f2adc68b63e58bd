/** Catalogue section "Lifecycle and faults", part 2 (faults): C44–C47. */
import { type Bus, MessagingError } from '@switchboard/core';
import { assert, assertEqual, assertSetEqual, fail, show } from '../assert.js';
import { spyTransport } from '../spy.js';
import { type Scenario, scenario } from '../types.js';
import { Collector, elapse } from '../wait.js';
import { arrive, collect, idOf, sendNumbered } from './helpers.js';
import { lostWithoutConsumer } from './persistence.js';

export const C44 = scenario({
  id: 'C44',
  title: 'broker restart at 1/3 of 10,000 messages with concurrent senders: set-equal after it comes back',
  requires: ['persistent'],
  needs: ['restartBroker'],
  async run(ctx) {
    const queue = ctx.unique('q');
    const total = 10_000;
    const senders = 4;
    const { collector } = await collect(await ctx.createBus(), 'queue', queue, { concurrency: 32 });
    const confirmed = new Set<string>();
    const errors: string[] = [];
    let restart: Promise<void> | undefined;
    const sendWithRetry = async (bus: Bus, n: number): Promise<void> => {
      const id = `${queue}.${n}`;
      for (let attempt = 1; ; attempt++) {
        try {
          await bus.send(queue, { n }, { id });
          confirmed.add(id);
          if (!restart && confirmed.size >= total / 3) restart = ctx.restartBroker!();
          return;
        } catch (error) {
          if (!MessagingError.is(error) || !error.retryable) {
            fail(
              `a sender saw a non-retryable error during the restart: ${error instanceof Error ? error.message : show(error)}`,
            );
          }
          errors.push(error.code);
          if (attempt > 600) throw error;
          await elapse(Math.min(1000, 50 * attempt));
        }
      }
    };
    await Promise.all(
      Array.from({ length: senders }, async (_, s) => {
        const bus = await ctx.createBus({ sendTimeoutMs: 10_000 });
        for (let n = s; n < total; n += senders * 50) {
          const chunk: Promise<void>[] = [];
          for (let k = n; k < Math.min(total, n + senders * 50); k += senders)
            chunk.push(sendWithRetry(bus, k));
          await Promise.all(chunk);
        }
      }),
    );
    assert(restart, 'the restart was never triggered');
    await restart;
    const ids = Array.from({ length: total }, (_, n) => `${queue}.${n}`);
    await collector.waitForAll(ids, idOf, { timeoutMs: Math.max(120_000, ctx.timeouts.delivery) });
    assertSetEqual(collector.items.map(idOf), ids, 'messages across the broker restart');
    ctx.note(
      `retryable errors seen by senders: ${errors.length} (${[...new Set(errors)].join(', ') || 'none'})`,
    );
  },
});

export const C45 = scenario({
  id: 'C45',
  title: 'a consumer process killed with SIGKILL mid-stream: a new consumer gets every unacked message',
  requires: ['persistent'],
  needs: ['killableConsumer'],
  async run(ctx) {
    const queue = ctx.unique('q');
    const total = ctx.size(100, 1000);
    const ackFirst = total / 4;
    const concurrency = 8;
    const sent = await sendNumbered(await ctx.createBus(), 'queue', queue, total);
    const child = await ctx.killableConsumer!(queue, { ackFirst, concurrency });
    await child.waitUntil(
      () => child.completed.size >= ackFirst && child.held.size >= concurrency,
      `${ackFirst} completed and ${concurrency} held`,
      ctx.timeouts.delivery,
    );
    const held = [...child.held];
    await child.kill();
    const { collector } = await collect(await ctx.createBus(), 'queue', queue, { ackDeadlineMs: 2000 });
    const unacked = sent.filter((id) => !child.completed.has(id));
    await collector.waitForAll(unacked, idOf, { timeoutMs: Math.max(60_000, ctx.timeouts.delivery) });
    const got = new Set(collector.items.map(idOf));
    assert(
      held.every((id) => got.has(id)),
      'a message the killed consumer held was not redelivered',
    );
    ctx.note(`child completed ${child.completed.size}, held ${held.length}; new consumer got ${got.size}`);
  },
});

export const C46 = scenario({
  id: 'C46',
  title: 'publisher confirms: send resolves only after the broker has the message',
  async run(ctx) {
    const queue = ctx.unique('q');
    const persistent = ctx.capabilities.persistent;
    const early = persistent ? undefined : await collect(await ctx.createBus(), 'queue', queue);
    const spy = spyTransport(await ctx.createTransport());
    const sender = await ctx.createBus({ transport: spy.transport });
    const unconfirmed: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        sender.send(queue, { n }).then(({ id }) => {
          if (!spy.confirmed.has(id)) unconfirmed.push(id);
          return id;
        }),
      ),
    );
    assertEqual(unconfirmed, [], 'sends that resolved before the transport publish resolved');
    await spy.transport.close();
    const { collector } = early ?? (await collect(await ctx.createBus(), 'queue', queue));
    await collector.waitForAll(results, idOf, arrive(ctx));
    assertSetEqual(collector.items.map(idOf), results, 'messages confirmed before the sender closed');
  },
});

export const C47 = scenario({
  id: 'C47',
  title: 'a group member leaves mid-stream: the remaining members reach set-equal',
  requires: ['persistent'],
  negative: lostWithoutConsumer,
  async run(ctx) {
    const topic = ctx.unique('t');
    const group = ctx.unique('g');
    const total = ctx.size(300, 3000);
    const handled = new Collector<string>('group');
    const members = await Promise.all(
      Array.from({ length: 3 }, async () =>
        collect(await ctx.createBus(), 'topic', topic, { group, concurrency: 2 }, async (message) => {
          await new Promise((resolve) => setImmediate(resolve));
          handled.push(message.id);
        }),
      ),
    );
    const sent = await sendNumbered(await ctx.createBus(), 'topic', topic, total);
    await handled.waitForCount(total / 3, arrive(ctx));
    await members[0]!.receiver.close();
    const leftAt = members[0]!.collector.size;
    await handled.waitForAll(sent, (x) => x, arrive(ctx));
    assertSetEqual(handled.items, sent, 'events handled by the group');
    assertEqual(members[0]!.collector.size, leftAt, 'events handled by the member after it left');
    ctx.note(`per member: ${members.map((m) => m.collector.size).join(', ')}`);
  },
});

export const faults: readonly Scenario[] = [C44, C45, C46, C47];
