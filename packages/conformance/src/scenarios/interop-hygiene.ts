/** Catalogue section "Interop and hygiene": C48–C50. */
import { ERROR_CODES, ReservedHeaders as H, type SendOptions, userHeadersOf } from '@switchboard/core';
import { assert, assertEqual, rejects, show } from '../assert.js';
import { type Scenario, scenario } from '../types.js';
import { gate } from '../wait.js';
import { arrive, collect, rawCollect } from './helpers.js';
import { C50 } from './soak.js';

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

export const interopHygiene: readonly Scenario[] = [C48, C49, C50];
