/** Catalogue section "Acknowledgement, retry, dead letters", part 2 (dead letters, delay, ttl): C25–C30. */
import {
  type Delivery,
  deadLetterQueueOf,
  ReservedHeaders as H,
  UnrecoverableError,
  userHeadersOf,
} from '@switchboard/core';
import { assert, assertEqual, rejects } from '../assert.js';
import { spyTransport } from '../spy.js';
import { type Scenario, type ScenarioContext, scenario } from '../types.js';
import { Collector, elapse } from '../wait.js';
import { arrive, collect, idOf, rawCollect } from './helpers.js';

const utf8 = new TextDecoder();

/** Subscribes to the dead-letter queue of `queue` through the raw contract (reserved headers visible). */
function watchDeadLetters(ctx: ScenarioContext, queue: string) {
  return rawCollect(ctx, { kind: 'queue', name: deadLetterQueueOf(queue) });
}

/** Checks the reserved headers of a dead letter. */
function assertDeadLetter(letter: Delivery, expected: Record<string, string>, what: string): void {
  for (const [name, value] of Object.entries(expected)) {
    assertEqual(letter.headers[name], value, `${what}: header ${name}`);
  }
}

export const C25 = scenario({
  id: 'C25',
  title: 'poison message, max attempts 3: 3 calls, one dead letter with body, headers and error metadata',
  async run(ctx) {
    const queue = ctx.unique('q');
    const dead = await watchDeadLetters(ctx, queue);
    const bus = await ctx.createBus();
    const calls = new Collector<number>('poison calls');
    const handled = await collect<{ poison: boolean }>(
      bus,
      'queue',
      queue,
      { maxAttempts: 3, backoff: { initialMs: 20, maxMs: 20, jitter: 0 } },
      (message) => {
        if (!message.body.poison) return;
        calls.push(message.attempt);
        throw new Error('C25 poison: cannot handle this');
      },
    );
    const headers = { 'x-order': '42', 'x-unicode': '☺' };
    const body = { poison: true, payload: 'keep me' };
    const { id } = await bus.send(queue, body, { headers, key: 'k1' });
    await dead.collector.waitForCount(1, arrive(ctx));
    const next = await bus.send(queue, { poison: false });
    await handled.collector.waitForAll([next.id], idOf, arrive(ctx));
    await elapse(ctx.timeouts.quiet);
    assertEqual(calls.items, [1, 2, 3], 'attempts of the poison message');
    assertEqual(dead.collector.size, 1, 'copies in the dead-letter queue');
    const letter = dead.collector.items[0]!;
    assertEqual(JSON.parse(utf8.decode(letter.body)), body, 'dead letter body');
    assertEqual(userHeadersOf(letter.headers), headers, 'dead letter user headers');
    assertDeadLetter(
      letter,
      { [H.id]: id, [H.errorCode]: 'HANDLER_ERROR', [H.attempts]: '3', [H.originalDestination]: queue },
      'dead letter',
    );
    assert(
      letter.headers[H.error]?.includes('C25 poison: cannot handle this'),
      `dead letter sb-error should carry the handler's message, got ${letter.headers[H.error]}`,
    );
  },
});

export const C26 = scenario({
  id: 'C26',
  title: 'an UnrecoverableError: one call, straight to dead letter, correlation id kept',
  async run(ctx) {
    const queue = ctx.unique('q');
    const dead = await watchDeadLetters(ctx, queue);
    const bus = await ctx.createBus();
    const calls = new Collector<string>('calls');
    await bus.receive(
      queue,
      (message) => {
        calls.push(message.id);
        throw new UnrecoverableError('C26: malformed order');
      },
      { maxAttempts: 5, backoff: { initialMs: 10, jitter: 0 } },
    );
    const correlationId = ctx.unique('corr');
    const { id } = await bus.send(queue, { order: 'bad' }, { correlationId });
    await dead.collector.waitForCount(1, arrive(ctx));
    await elapse(ctx.timeouts.quiet / 2);
    assertEqual(calls.items, [id], 'handler calls');
    assertDeadLetter(
      dead.collector.items[0]!,
      { [H.id]: id, [H.correlationId]: correlationId, [H.attempts]: '1', [H.originalDestination]: queue },
      'dead letter',
    );
    assert(
      dead.collector.items[0]!.headers[H.error]?.includes('C26: malformed order'),
      'sb-error carries the message',
    );
  },
});

export const C27 = scenario({
  id: 'C27',
  title:
    'an undecodable message from a raw client is dead-lettered with DECODE_FAILED; the next one is processed',
  async run(ctx) {
    const queue = ctx.unique('q');
    const dead = await watchDeadLetters(ctx, queue);
    const bus = await ctx.createBus();
    const { collector } = await collect(bus, 'queue', queue);
    const raw = await ctx.createTransport();
    const badId = ctx.unique('bad');
    const bad = new Uint8Array([0x7b, 0x6e, 0x6f, 0x74, 0x20, 0x6a, 0x73, 0x6f, 0x6e, 0xff, 0xfe]);
    await raw.publish({ kind: 'queue', name: queue }, [
      { id: badId, body: bad, headers: { [H.id]: badId, 'x-raw': 'yes' } },
    ]);
    const good = await bus.send(queue, { valid: true });
    await collector.waitForAll([good.id], idOf, arrive(ctx));
    await dead.collector.waitForCount(1, arrive(ctx));
    assertEqual(collector.items.map(idOf), [good.id], 'messages handled');
    const letter = dead.collector.items[0]!;
    assertDeadLetter(
      letter,
      { [H.id]: badId, [H.errorCode]: 'DECODE_FAILED', [H.originalDestination]: queue, 'x-raw': 'yes' },
      'dead letter',
    );
    assertEqual(letter.body, bad, 'dead letter body (the raw bytes)');
  },
});

export const C28 = scenario({
  id: 'C28',
  title: 'delayed retry: not redelivered before the delay, redelivered within delay + 2 s',
  requires: ['nackDelay'],
  timing: true,
  run: delayedRetry,
  negative: { title: 'nackDelay not declared: the bus holds the retry itself', run: delayedRetry },
});

async function delayedRetry(ctx: ScenarioContext): Promise<void> {
  const queue = ctx.unique('q');
  const delayMs = 700;
  const calls = new Collector<number>('calls');
  const bus = await ctx.createBus();
  await bus.receive(
    queue,
    () => {
      calls.push(Date.now());
      if (calls.size === 1) throw new Error('C28: retry me later');
    },
    { maxAttempts: 3, backoff: { initialMs: delayMs, maxMs: delayMs, multiplier: 1, jitter: 0 } },
  );
  await bus.send(queue, { retry: 'delayed' });
  await calls.waitForCount(2, { timeoutMs: delayMs + 2000 + ctx.timeouts.delivery });
  const waited = calls.items[1]! - calls.items[0]!;
  assert(waited >= delayMs - 25, `redelivered after ${waited} ms, before the ${delayMs} ms retry delay`);
  assert(waited <= delayMs + 2000, `redelivered after ${waited} ms, later than delay + 2 s`);
  ctx.note(`retry delay ${delayMs} ms, redelivered after ${waited} ms`);
}

export const C29 = scenario({
  id: 'C29',
  title: 'delayed send: not delivered before the delay',
  requires: ['delay'],
  timing: true,
  async run(ctx) {
    const queue = ctx.unique('q');
    const delayMs = 700;
    const bus = await ctx.createBus();
    const arrivals = new Collector<{ id: string; at: number }>('arrivals');
    await bus.receive(queue, (message) => arrivals.push({ id: message.id, at: Date.now() }));
    const sentAt = Date.now();
    const delayed = await bus.send(queue, { delayed: true }, { delayMs });
    const immediate = await bus.send(queue, { delayed: false });
    await arrivals.waitForAll([delayed.id, immediate.id], (a) => a.id, {
      timeoutMs: delayMs + 2000 + ctx.timeouts.delivery,
    });
    const at = arrivals.items.find((a) => a.id === delayed.id)!.at - sentAt;
    assertEqual(arrivals.items[0]!.id, immediate.id, 'the undelayed message arrives first');
    assert(at >= delayMs - 25, `the delayed message arrived after ${at} ms, before its ${delayMs} ms delay`);
    assert(at <= delayMs + 2000, `the delayed message arrived after ${at} ms, later than delay + 2 s`);
    ctx.note(`delay ${delayMs} ms, delivered after ${at} ms`);
  },
  negative: {
    title: 'delay not declared: delayMs > 0 rejects with UNSUPPORTED and nothing is sent',
    async run(ctx) {
      const queue = ctx.unique('q');
      const spy = spyTransport(await ctx.createTransport());
      const bus = await ctx.createBus({ transport: spy.transport });
      await rejects(bus.send(queue, { x: 1 }, { delayMs: 500 }), 'UNSUPPORTED', 'send with delayMs 500');
      assertEqual(spy.publishCalls, 0, 'publish calls for the rejected send');
      await bus.send(queue, { x: 2 }, { delayMs: 0 });
    },
  },
});

export const C30 = scenario({
  id: 'C30',
  title: 'TTL: a message that expires before a consumer starts is not delivered',
  requires: ['ttl'],
  async run(ctx) {
    const queue = ctx.unique('q');
    const ttlMs = 200;
    const bus = await ctx.createBus();
    const expiring = await bus.send(queue, { expires: true }, { ttlMs });
    const lasting = await bus.send(queue, { expires: false }, { ttlMs: 60_000 });
    const plain = await bus.send(queue, { expires: false });
    await elapse(ttlMs * 2);
    const { collector } = await collect(await ctx.createBus(), 'queue', queue);
    await collector.waitForAll([lasting.id, plain.id], idOf, arrive(ctx));
    await elapse(ctx.timeouts.quiet);
    assert(!collector.items.some((m) => m.id === expiring.id), 'the expired message was delivered');
  },
  negative: {
    title: 'ttl not declared: ttlMs rejects with UNSUPPORTED',
    async run(ctx) {
      const bus = await ctx.createBus();
      await rejects(bus.send(ctx.unique('q'), { x: 1 }, { ttlMs: 1000 }), 'UNSUPPORTED', 'send with ttlMs');
    },
  },
});

export const deadLetterDelay: readonly Scenario[] = [C25, C26, C27, C28, C29, C30];
