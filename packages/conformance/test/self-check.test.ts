/**
 * The suite checks itself: each scenario below must FAIL against a memory transport broken in one specific
 * way. A scenario that passes against its mutant asserts nothing useful.
 */
import {
  type Capabilities,
  type Delivery,
  memoryTransport,
  type Transport,
  type WireMessage,
} from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { brokerHooksFrom, formatReport, runScenarios } from '../src/index.js';

interface Mutation {
  readonly capabilities?: Partial<Capabilities>;
  readonly publish?: (messages: readonly WireMessage[]) => readonly WireMessage[];
  readonly delivery?: (delivery: Delivery) => Delivery;
  readonly prefetch?: (prefetch: number) => number;
}

/** A memory transport with one defect. */
function mutant(mutation: Mutation): () => Transport {
  return () => {
    const inner = memoryTransport({ broker: 'self-check' });
    const capabilities = { ...inner.capabilities, ...mutation.capabilities };
    return {
      name: 'mutant',
      capabilities,
      native: inner.native,
      connect: () => inner.connect(),
      close: () => inner.close(),
      openInbox: (onMessage) => inner.openInbox(onMessage),
      reply: (address, message) => inner.reply(address, message),
      publish: (destination, messages, options) =>
        inner.publish(destination, mutation.publish ? mutation.publish(messages) : messages, options),
      subscribe: (destination, options, onDelivery) =>
        inner.subscribe(
          destination,
          {
            ...options,
            prefetch: mutation.prefetch ? mutation.prefetch(options.prefetch) : options.prefetch,
          },
          mutation.delivery ? (d) => onDelivery(mutation.delivery!(d)) : onDelivery,
        ),
    };
  };
}

let published = 0;
const mutants: readonly [string, Mutation, readonly string[]][] = [
  [
    'loses every 97th message',
    { publish: (ms) => ms.filter(() => ++published % 97 !== 0) },
    ['C01', 'C05', 'C33'],
  ],
  [
    'delivers every message twice (dedupe declared)',
    { publish: (ms) => ms.flatMap((m) => [m, m]) },
    ['C01', 'C06'],
  ],
  [
    'lower-cases header keys',
    {
      delivery: (d) => ({
        ...d,
        headers: Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v])),
        ack: () => d.ack(),
        nack: (o) => d.nack(o),
      }),
    },
    ['C12'],
  ],
  [
    'decodes and re-encodes bodies as UTF-8',
    {
      publish: (ms) =>
        ms.map((m) => ({ ...m, body: new TextEncoder().encode(new TextDecoder().decode(m.body)) })),
    },
    ['C10'],
  ],
  ['ignores prefetch', { prefetch: () => 1000 }, ['C21']],
  [
    'acks are no-ops',
    { delivery: (d) => ({ ...d, ack: async () => undefined, nack: (o) => d.nack(o) }) },
    ['C16'],
  ],
  ['reverses each published batch', { publish: (ms) => [...ms].reverse() }, ['C31']],
  [
    'ignores delayMs while declaring delay',
    { publish: (ms) => ms.map((m) => ({ ...m, delayMs: undefined })) },
    ['C29'],
  ],
  [
    'ignores ttlMs while declaring ttl',
    { publish: (ms) => ms.map((m) => ({ ...m, ttlMs: undefined })) },
    ['C30'],
  ],
  [
    'ignores dedupeId while declaring dedupe',
    { publish: (ms) => ms.map((m) => ({ ...m, dedupeId: undefined })) },
    ['C32'],
  ],
  ['declares replay without offering it', { capabilities: { replay: true } }, ['C09']],
  ['declares no persistence but keeps messages', { capabilities: { persistent: false } }, ['C02']],
  [
    'drops user headers',
    { publish: (ms) => ms.map((m) => ({ ...m, headers: { 'sb-id': m.id } })) },
    ['C14', 'C25', 'C48'],
  ],
];

describe('self-check: scenarios fail against broken transports', () => {
  for (const [defect, mutation, expected] of mutants) {
    it(`${defect}: ${expected.join(', ')} fail`, async () => {
      const report = await runScenarios({
        name: `mutant (${defect})`,
        create: mutant(mutation),
        only: [...expected],
        timeouts: { delivery: 2000, quiet: 300 },
      });
      const failed = report.results.filter((r) => r.status === 'failed').map((r) => r.id);
      expect(failed, formatReport(report)).toEqual(expected);
    });
  }

  it('leaks a timer per connection: C50 fails', async () => {
    const leaked: NodeJS.Timeout[] = [];
    const leaky = mutant({});
    try {
      const report = await runScenarios({
        name: 'mutant (leaks timers)',
        create: () => {
          const transport = leaky();
          return {
            ...transport,
            capabilities: transport.capabilities,
            native: transport.native,
            connect: async () => {
              leaked.push(setInterval(() => undefined, 60_000));
              await transport.connect();
            },
          };
        },
        only: ['C50'],
      });
      expect(report.failed, formatReport(report)).toBe(1);
      expect(report.results[0]?.error?.message).toContain('Timeout');
    } finally {
      for (const timer of leaked) clearInterval(timer);
    }
  });

  it('an unmodified memory transport passes the same scenarios, and the report reads well', async () => {
    const report = await runScenarios({
      name: 'memory',
      create: () => memoryTransport({ broker: 'self-check' }),
      only: ['C01', 'C09', 'C44'],
    });
    expect(report.passed, formatReport(report)).toBe(2);
    expect(report.skipped).toBe(1);
    const text = formatReport(report);
    expect(text).toContain('PASS C09 (negative: replay not declared');
    expect(text).toContain('SKIP C44');
    expect(text).toContain('memory transport has no broker process');
  });
});

describe('brokerHooksFrom', () => {
  it('maps a skip to a skip reason and keeps the URL current across restarts', async () => {
    expect(brokerHooksFrom({ skipped: true, reason: 'no Docker' }).skip).toBe('no Docker');
    let stopped = false;
    const hooks = brokerHooksFrom({
      skipped: false,
      url: 'redis://127.0.0.1:1000',
      restart: async () => 'redis://127.0.0.1:2000',
      stop: async () => {
        stopped = true;
      },
    });
    expect(hooks.url).toBe('redis://127.0.0.1:1000');
    await hooks.restart?.();
    expect(hooks.url).toBe('redis://127.0.0.1:2000');
    await hooks.stop?.();
    expect(stopped).toBe(true);
  });
});
