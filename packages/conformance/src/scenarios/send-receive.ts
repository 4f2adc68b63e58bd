/** Catalogue section "Send and receive": C01–C09. */
import type { Message } from '@switchboard/core';
import { assert, assertEqual, assertSetEqual, rejects } from '../assert.js';
import { type Scenario, scenario } from '../types.js';
import { elapse } from '../wait.js';
import { arrive, collect, idOf, type Numbered, sendNumbered } from './helpers.js';
import { lostWithoutConsumer } from './persistence.js';

export const C01 = scenario({
  id: 'C01',
  title: 'send and receive 100 [1,000] messages with body and header',
  async run(ctx) {
    const queue = ctx.unique('q');
    const count = ctx.size(100, 1000);
    const bus = await ctx.createBus();
    const { collector } = await collect(bus, 'queue', queue);
    const sent = new Map<string, { body: unknown; headers: Record<string, string> }>();
    await Promise.all(
      Array.from({ length: count }, async (_, n) => {
        const body = { n, text: `message ${n} ☺`, nested: { even: n % 2 === 0, list: [n, null, 'x'] } };
        const headers = { 'x-n': String(n), 'x-scenario': 'C01' };
        const { id } = await bus.send(queue, body, { headers });
        sent.set(id, { body, headers });
      }),
    );
    await collector.waitForAll(sent.keys(), idOf, arrive(ctx));
    assertSetEqual(collector.items.map(idOf), sent.keys(), 'received ids', {
      exact: ctx.capabilities.dedupe,
    });
    for (const message of collector.items) {
      const original = sent.get(message.id)!;
      assertEqual(message.body, original.body, `body of ${message.id}`);
      assertEqual(message.headers, original.headers, `headers of ${message.id}`);
      assertEqual(message.destination, queue, `destination of ${message.id}`);
    }
  },
});

export const C02 = scenario({
  id: 'C02',
  title: 'messages sent before the first receiver starts reach a queue or group declared up front',
  requires: ['persistent'],
  async run(ctx) {
    const queue = ctx.unique('q');
    const topic = ctx.unique('t');
    const group = ctx.unique('g');
    const bus = await ctx.createBus();
    const declared = await bus.subscribe(topic, () => undefined, { group });
    await declared.close();
    const queued = await sendNumbered(bus, 'queue', queue, 20);
    const published = await sendNumbered(bus, 'topic', topic, 20);
    const consumer = await ctx.createBus();
    const q = await collect(consumer, 'queue', queue);
    const t = await collect(consumer, 'topic', topic, { group });
    await q.collector.waitForAll(queued, idOf, arrive(ctx));
    await t.collector.waitForAll(published, idOf, arrive(ctx));
    assertSetEqual(q.collector.items.map(idOf), queued, 'queue messages sent before the receiver');
    assertSetEqual(t.collector.items.map(idOf), published, 'events published while the group had no member');
  },
  negative: lostWithoutConsumer,
});

export const C03 = scenario({
  id: 'C03',
  title: 'destination isolation: nothing crosses between two queues or two topics within 500 ms',
  async run(ctx) {
    const bus = await ctx.createBus();
    const names = {
      qa: ctx.unique('qa'),
      qb: ctx.unique('qb'),
      ta: ctx.unique('ta'),
      tb: ctx.unique('tb'),
    };
    const group = ctx.unique('g');
    const receivers = {
      qa: await collect(bus, 'queue', names.qa),
      qb: await collect(bus, 'queue', names.qb),
      ta: await collect(bus, 'topic', names.ta, { group }),
      tb: await collect(bus, 'topic', names.tb, { group }),
    };
    const sent = {
      qa: await sendNumbered(bus, 'queue', names.qa, 20),
      qb: await sendNumbered(bus, 'queue', names.qb, 20),
      ta: await sendNumbered(bus, 'topic', names.ta, 20),
      tb: await sendNumbered(bus, 'topic', names.tb, 20),
    };
    for (const key of ['qa', 'qb', 'ta', 'tb'] as const) {
      await receivers[key].collector.waitForAll(sent[key], idOf, arrive(ctx));
    }
    await elapse(ctx.timeouts.quiet);
    for (const key of ['qa', 'qb', 'ta', 'tb'] as const) {
      assertSetEqual(receivers[key].collector.items.map(idOf), sent[key], `messages on ${names[key]}`);
    }
  },
});

export const C04 = scenario({
  id: 'C04',
  title: '20 destinations × 100 messages concurrently: set-equal per destination',
  async run(ctx) {
    const sender = await ctx.createBus();
    const consumer = await ctx.createBus();
    const queues = Array.from({ length: 20 }, (_, i) => ctx.unique(`q${i}`));
    const collectors = await Promise.all(queues.map((q) => collect(consumer, 'queue', q)));
    const sent = await Promise.all(queues.map((q) => sendNumbered(sender, 'queue', q, 100)));
    await Promise.all(
      collectors.map(({ collector }, i) => collector.waitForAll(sent[i]!, idOf, arrive(ctx))),
    );
    for (const [i, { collector }] of collectors.entries()) {
      assertSetEqual(collector.items.map(idOf), sent[i]!, `messages on ${queues[i]}`);
    }
  },
});

export const C05 = scenario({
  id: 'C05',
  title: '10,000 messages from 20 concurrent senders: set-equal',
  async run(ctx) {
    const queue = ctx.unique('q');
    const total = 10_000;
    const consumer = await ctx.createBus();
    const { collector } = await collect(consumer, 'queue', queue, { concurrency: 64 });
    const senders = await Promise.all(Array.from({ length: 20 }, () => ctx.createBus()));
    const sent = (
      await Promise.all(
        senders.map((bus, i) => sendNumbered(bus, 'queue', queue, total / 20, () => ({}), i * (total / 20))),
      )
    ).flat();
    await collector.waitForAll(sent, idOf, arrive(ctx, { stallMs: ctx.timeouts.delivery / 2 }));
    assertSetEqual(collector.items.map(idOf), sent, 'messages from 20 senders', {
      exact: ctx.capabilities.dedupe,
    });
  },
});

export const C06 = scenario({
  id: 'C06',
  title: 'competing consumers: 5 receivers share 5,000 messages, each handled by exactly one',
  async run(ctx) {
    const queue = ctx.unique('q');
    const total = 5000;
    const handledBy = new Map<string, number[]>();
    const receivers = await Promise.all(
      Array.from({ length: 5 }, async (_, consumer) => {
        const bus = await ctx.createBus();
        return collect(bus, 'queue', queue, { concurrency: 4 }, async (message) => {
          await new Promise((resolve) => setImmediate(resolve));
          const list = handledBy.get(message.id) ?? [];
          list.push(consumer);
          handledBy.set(message.id, list);
        });
      }),
    );
    const sender = await ctx.createBus();
    const sent = await sendNumbered(sender, 'queue', queue, total);
    await Promise.all(
      receivers.map(({ collector }) =>
        collector.waitUntil(
          () => handledBy.size >= total,
          `${total} messages across 5 consumers`,
          arrive(ctx),
        ),
      ),
    );
    assertSetEqual([...handledBy.keys()], sent, 'union over 5 consumers');
    const twice = [...handledBy].filter(([, consumers]) => consumers.length > 1);
    assert(
      twice.length === 0,
      `${twice.length} message(s) were handled by more than one consumer, e.g. ${twice[0]?.[0]} by ${twice[0]?.[1].join(', ')}`,
    );
    const busy = receivers.filter(({ collector }) => collector.size > 0).length;
    assert(busy >= 2, `only ${busy} of 5 consumers did any work — messages are not shared`);
    ctx.note(`work per consumer: ${receivers.map(({ collector }) => collector.size).join(', ')}`);
  },
});

export const C07 = scenario({
  id: 'C07',
  title: 'fan-out: 2 groups on one topic each get all 50 events',
  async run(ctx) {
    const topic = ctx.unique('t');
    const groups = [ctx.unique('g1'), ctx.unique('g2')];
    const collectors = await Promise.all(
      groups.map(
        async (group) => (await collect(await ctx.createBus(), 'topic', topic, { group })).collector,
      ),
    );
    const sent = await sendNumbered(await ctx.createBus(), 'topic', topic, 50);
    for (const [i, collector] of collectors.entries()) {
      await collector.waitForAll(sent, idOf, arrive(ctx));
      assertSetEqual(collector.items.map(idOf), sent, `events in group ${groups[i]}`);
    }
  },
});

export const C08 = scenario({
  id: 'C08',
  title: 'a subscriber without a group gets only what is published while it is subscribed',
  async run(ctx) {
    const topic = ctx.unique('t');
    const publisher = await ctx.createBus();
    const subscriber = await ctx.createBus();
    const before = await sendNumbered(publisher, 'topic', topic, 5, () => ({}), 0);
    const first = await collect<Numbered>(subscriber, 'topic', topic);
    const during = await sendNumbered(publisher, 'topic', topic, 5, () => ({}), 5);
    await first.collector.waitForAll(during, idOf, arrive(ctx));
    await first.receiver.close();
    const between = await sendNumbered(publisher, 'topic', topic, 5, () => ({}), 10);
    const second = await collect<Numbered>(subscriber, 'topic', topic);
    const after = await sendNumbered(publisher, 'topic', topic, 5, () => ({}), 15);
    await second.collector.waitForAll(after, idOf, arrive(ctx));
    await elapse(ctx.timeouts.quiet);
    const seen = (messages: readonly Message<Numbered>[]) =>
      messages.map((m) => m.body.n).sort((a, b) => a - b);
    assertSetEqual(
      first.collector.items.map(idOf),
      during,
      `first subscription (before: ${before.length} not expected)`,
    );
    assertSetEqual(
      second.collector.items.map(idOf),
      after,
      `second subscription (sequence numbers ${seen(second.collector.items).join(',')})`,
    );
    assert(between.length === 5, 'published 5 events while unsubscribed');
  },
});

export const C09 = scenario({
  id: 'C09',
  title: 'a new group replays the retained history (startFrom earliest)',
  requires: ['replay'],
  async run(ctx) {
    const topic = ctx.unique('t');
    const bus = await ctx.createBus();
    const history = await sendNumbered(bus, 'topic', topic, 10);
    const { collector } = await collect(bus, 'topic', topic, {
      group: ctx.unique('g'),
      startFrom: 'earliest',
    });
    const later = await sendNumbered(bus, 'topic', topic, 5, () => ({}), 10);
    await collector.waitForAll([...history, ...later], idOf, arrive(ctx));
    assertSetEqual(collector.items.map(idOf), [...history, ...later], 'history plus new events');
  },
  negative: {
    title: 'replay not declared: startFrom "earliest" rejects with UNSUPPORTED',
    async run(ctx) {
      const bus = await ctx.createBus();
      await rejects(
        bus.subscribe(ctx.unique('t'), () => undefined, { group: ctx.unique('g'), startFrom: 'earliest' }),
        'UNSUPPORTED',
        'subscribe with startFrom earliest',
      );
    },
  },
});

export const sendReceive: readonly Scenario[] = [C01, C02, C03, C04, C05, C06, C07, C08, C09];
