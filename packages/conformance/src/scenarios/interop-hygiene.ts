/** Catalogue section "Interop and hygiene": C48–C50. */
import { ERROR_CODES, ReservedHeaders as H, type SendOptions, userHeadersOf } from '@switchboard/core';
import { assert, assertEqual, rejects, show } from '../assert.js';
import { planScenarios } from '../plan.js';
import { type Scenario, type ScenarioContext, scenario } from '../types.js';
import { elapse, gate } from '../wait.js';
import { ackRetry } from './ack-retry.js';
import { bodiesHeaders } from './bodies-headers.js';
import { deadLetterDelay } from './dead-letter-delay.js';
import { faults } from './faults.js';
import { arrive, collect, rawCollect } from './helpers.js';
import { lifecycle } from './lifecycle.js';
import { orderDedupeBatching } from './order-dedupe-batching.js';
import { requestReply } from './request-reply.js';
import { sendReceive } from './send-receive.js';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export const C48 = scenario({
  id: 'C48',
  title:
    'wire format interop through the transport contract: raw messages are consumed, sent ones are readable',
  async run(ctx) {
    const raw = await ctx.createTransport();
    const inbound = ctx.unique('in');
    const bus = await ctx.createBus();
    const { collector } = await collect(bus, 'queue', inbound);
    const id = ctx.unique('raw-id');
    await raw.publish({ kind: 'queue', name: inbound }, [
      {
        id,
        body: utf8.encode('{"from":"raw","n":1}'),
        headers: {
          [H.id]: id,
          [H.timestamp]: '1700000000000',
          [H.correlationId]: 'corr-raw',
          'x-raw': 'yes',
          'x-unicode': '☺',
        },
        key: 'raw-key',
      },
      {
        id: 'text',
        body: utf8.encode('plain ☺ text'),
        headers: { [H.id]: 'text', [H.contentType]: 'text/plain' },
      },
      {
        id: 'bytes',
        body: new Uint8Array([0, 255, 1]),
        headers: { [H.id]: 'bytes', [H.contentType]: 'application/octet-stream' },
      },
      { id: 'minimal', body: utf8.encode('"no headers at all"'), headers: {} },
    ]);
    await collector.waitForCount(4, arrive(ctx));
    const byId = new Map(collector.items.map((m) => [m.id, m]));
    const full = byId.get(id);
    assert(full, `the raw JSON message did not arrive with its sb-id; ids seen: ${show([...byId.keys()])}`);
    assertEqual(full.body, { from: 'raw', n: 1 }, 'body of the raw JSON message');
    assertEqual(full.headers, { 'x-raw': 'yes', 'x-unicode': '☺' }, 'user headers of the raw message');
    assertEqual(full.correlationId, 'corr-raw', 'correlation id of the raw message');
    assertEqual(full.timestamp, 1700000000000, 'timestamp of the raw message');
    assertEqual(full.key, 'raw-key', 'key of the raw message');
    assertEqual(byId.get('text')?.body, 'plain ☺ text', 'a text/plain body');
    assertEqual(byId.get('bytes')?.body, new Uint8Array([0, 255, 1]), 'an application/octet-stream body');
    assertEqual(byId.get('')?.body, 'no headers at all', 'a body without any header (its id is "")');

    const outbound = ctx.unique('out');
    const reader = await rawCollect(ctx, { kind: 'queue', name: outbound });
    const before = Date.now();
    const options: SendOptions = { headers: { 'x-user': 'u ☺' }, key: 'k1', correlationId: 'corr-out' };
    const sent = await bus.send(outbound, { a: 1, b: ['☺'] }, options);
    await reader.collector.waitForCount(1, arrive(ctx));
    const delivery = reader.collector.items[0]!;
    assertEqual(JSON.parse(fromUtf8.decode(delivery.body)), { a: 1, b: ['☺'] }, 'the body as JSON text');
    assertEqual(delivery.headers[H.id], sent.id, 'sb-id');
    assertEqual(delivery.headers[H.correlationId], 'corr-out', 'sb-correlation-id');
    assertEqual(delivery.headers[H.contentType] ?? 'application/json', 'application/json', 'sb-content-type');
    const ts = Number(delivery.headers[H.timestamp]);
    assert(
      ts >= before - 1000 && ts <= Date.now() + 1000,
      `sb-ts ${delivery.headers[H.timestamp]} is not the send time`,
    );
    assertEqual(
      userHeadersOf(delivery.headers),
      { 'x-user': 'u ☺' },
      'user headers as the raw client sees them',
    );
    assertEqual(delivery.key ?? delivery.headers[H.key], 'k1', 'the key (native, or sb-key)');
  },
});

export const C49 = scenario({
  id: 'C49',
  title: 'error codes: every failure carries a code from the fixed set and the right retryable flag',
  async run(ctx) {
    assertEqual(new Set(ERROR_CODES).size, 15, 'distinct error codes in ERROR_CODES');
    const bus = await ctx.createBus();
    const queue = ctx.unique('q');
    const { capabilities } = ctx;
    await rejects(bus.send('bad name!', 1), 'INVALID_ARGUMENT', 'an invalid queue name');
    await rejects(
      bus.receive(queue, () => undefined, { concurrency: 0 }),
      'INVALID_ARGUMENT',
      'concurrency 0',
    );
    await rejects(bus.send(queue, 1n), 'INVALID_ARGUMENT', 'a BigInt body');
    await rejects(
      bus.send(queue, new Uint8Array(capabilities.maxPayloadBytes + 1)),
      'PAYLOAD_TOO_LARGE',
      'an oversized body',
    );
    const unsupported: [string, SendOptions][] = [
      ['priority', { priority: 5 }],
      ['delay', { delayMs: 100 }],
      ['ttl', { ttlMs: 100 }],
      ['dedupe', { dedupeId: 'x' }],
    ];
    const undeclared = unsupported.filter(([flag]) => !capabilities[flag as 'priority']);
    for (const [flag, options] of undeclared) {
      await rejects(bus.send(queue, 1, options), 'UNSUPPORTED', `an option needing ${flag}`);
    }
    if (undeclared.length === 0) ctx.note('every optional send capability is declared: no UNSUPPORTED case');
    await rejects(
      bus.request(ctx.unique('nobody'), 1, { timeoutMs: 300 }),
      ['NO_RESPONDERS', 'TIMEOUT'],
      'a request nobody answers',
    );
    const silent = ctx.unique('silent');
    const release = gate();
    await bus.reply(silent, async () => {
      await release.promise;
      return 'late';
    });
    await rejects(bus.request(silent, 1, { timeoutMs: 300 }), 'TIMEOUT', 'a request answered too late');
    await rejects(bus.request(silent, 1, { signal: AbortSignal.abort() }), 'CANCELLED', 'an aborted request');
    release.open();
    const failing = ctx.unique('failing');
    await bus.reply(failing, () => {
      throw new Error('nope');
    });
    await rejects(
      bus.request(failing, 1, { timeoutMs: ctx.timeouts.delivery }),
      'REMOTE_ERROR',
      'a responder error',
    );
    const closed = await ctx.createBus();
    await closed.close();
    await rejects(closed.send(queue, 1), 'CLOSED', 'a send on a closed bus');
    for (const error of ctx.reportedErrors) {
      assert(
        ERROR_CODES.includes(error.code),
        `a reported error has code ${error.code}, outside the fixed set`,
      );
    }
  },
});

/** Scenarios C50 runs in parallel in the quick profile (cheap, no quiet periods). */
const SOAK_QUICK = ['C01', 'C07', 'C11', 'C12', 'C14', 'C17', 'C24', 'C31', 'C34', 'C36', 'C41'];

type Snapshot = Map<string, number>;

function snapshot(): Snapshot {
  const counts: Snapshot = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  for (const event of [
    'exit',
    'beforeExit',
    'SIGINT',
    'SIGTERM',
    'unhandledRejection',
    'uncaughtException',
  ] as const) {
    counts.set(`process '${event}' listeners`, process.listenerCount(event));
  }
  return counts;
}

function grown(before: Snapshot, after: Snapshot): string[] {
  return [...after]
    .filter(([what, n]) => n > (before.get(what) ?? 0))
    .map(([what, n]) => `${what}: ${before.get(what) ?? 0} → ${n}`);
}

export const C50 = scenario({
  id: 'C50',
  title: 'soak: scenarios run in parallel copies; no handles, listeners or timers left after close',
  async run(ctx: ScenarioContext) {
    const everything = [
      ...sendReceive,
      ...bodiesHeaders,
      ...ackRetry,
      ...deadLetterDelay,
      ...orderDedupeBatching,
      ...requestReply,
      ...lifecycle,
      ...faults,
    ].filter((s) => !s.timing && !s.needs?.length);
    const chosen = ctx.profile === 'full' ? everything : everything.filter((s) => SOAK_QUICK.includes(s.id));
    const copies = ctx.size(3, 10);
    const planned = planScenarios(chosen, ctx.capabilities, {
      name: ctx.transportName,
      broker: undefined,
      requireBrokers: false,
    }).filter((p) => p.run);
    const before = snapshot();
    const started = Date.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: copies }, (_, copy) =>
        planned.map(async (p) => {
          const { context, cleanup } = ctx.fork(`${p.scenario.id}-${copy}`, 'quick');
          try {
            await p.run!(context);
          } catch (error) {
            throw new Error(
              `${p.scenario.id} copy ${copy + 1}: ${error instanceof Error ? error.message : String(error)}`,
            );
          } finally {
            await cleanup();
          }
        }),
      ).flat(),
    );
    const failures = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [String((o.reason as Error).message)] : [],
    );
    assert(
      failures.length === 0,
      `${failures.length} parallel run(s) failed: ${failures.slice(0, 3).join(' | ')}`,
    );
    ctx.note(`${planned.length} scenarios × ${copies} copies in parallel took ${Date.now() - started} ms`);
    // Poll with a fresh timer each time, so that no timer of ours is active while the snapshot is taken.
    let left = grown(before, snapshot());
    for (const deadline = Date.now() + 5000; left.length > 0 && Date.now() < deadline; ) {
      await elapse(50);
      left = grown(before, snapshot());
    }
    assert(left.length === 0, `left behind after every bus closed: ${left.join(', ')}`);
  },
});

export const interopHygiene: readonly Scenario[] = [C48, C49, C50];
