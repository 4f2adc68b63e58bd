/** Catalogue section "Bodies and headers": C10–C15. */
import { assert, assertEqual, rejects, show } from '../assert.js';
import { spyTransport } from '../spy.js';
import { type Scenario, scenario } from '../types.js';
import { elapse } from '../wait.js';
import { arrive, collect, idOf } from './helpers.js';

/** Bytes 0–255 followed by invalid UTF-8: a lone continuation byte, truncated and overlong sequences, a surrogate. */
export function binaryBody(): Uint8Array {
  const invalid = [
    0x80, 0xc3, 0x28, 0xe2, 0x82, 0xf0, 0x28, 0x8c, 0x28, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff, 0xfe,
  ];
  return Uint8Array.from([...Array.from({ length: 256 }, (_, i) => i), ...invalid]);
}

export const C10 = scenario({
  id: 'C10',
  title: 'a binary body (bytes 0–255 plus invalid UTF-8) arrives byte-equal',
  async run(ctx) {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const { collector } = await collect(bus, 'queue', queue);
    const body = binaryBody();
    const { id } = await bus.send(queue, body);
    await collector.waitForAll([id], idOf, arrive(ctx));
    const received = collector.items[0]!.body;
    assert(received instanceof Uint8Array, `the body arrived as ${show(received)}, not as a Uint8Array`);
    assertEqual(received, body, 'binary body');
    assertEqual(collector.items[0]!.contentType, 'application/octet-stream', 'content type of a binary body');
  },
});

export const C11 = scenario({
  id: 'C11',
  title:
    'empty body, JSON object, string, number, null, boolean, empty bytes each round-trip with their type',
  async run(ctx) {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const { collector } = await collect(bus, 'queue', queue);
    const bodies: readonly unknown[] = [
      undefined,
      { a: 1, b: [true, null, 'x'], c: { d: 'é☺' } },
      'a string',
      '',
      42,
      -3.25,
      null,
      true,
      [],
      new Uint8Array(0),
    ];
    const ids = await Promise.all(
      bodies.map(async (body, i) => (await bus.send(queue, body, { headers: { 'x-case': String(i) } })).id),
    );
    await collector.waitForAll(ids, idOf, arrive(ctx));
    for (const message of collector.items) {
      const i = Number(message.headers['x-case']);
      const expected = bodies[i];
      assertEqual(message.body, expected, `body #${i}`);
      assertEqual(typeof message.body, typeof expected, `type of body #${i} (${show(expected)})`);
      if (expected instanceof Uint8Array)
        assert(message.body instanceof Uint8Array, `body #${i} should arrive as a Uint8Array`);
    }
  },
});

/** Header keys and values that brokers tend to mangle. */
export function trickyHeaders(): Record<string, string> {
  const ascii = Array.from({ length: 127 }, (_, i) => String.fromCharCode(i + 1)).join('');
  return {
    'path/with/slashes': 'a/b/c//d',
    'x-quotes': `"double" 'single' \`back\` \\backslash`,
    'key with spaces': ' value with  spaces ',
    'x-unicode-☺': '☺ 日本語 中文 한국어 🎉',
    '中文-键': 'value',
    'x-ascii-1-127': ascii,
    'X-Mixed-Case': 'Mixed Case Value',
    'x-empty': '',
    'x-json': '{"a":[1,2],"b":null}',
  };
}

export const C12 = scenario({
  id: 'C12',
  title: 'header keys and values with slashes, quotes, spaces, unicode and ASCII 1–127: exact map equality',
  async run(ctx) {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const { collector } = await collect(bus, 'queue', queue);
    const headers = trickyHeaders();
    const { id } = await bus.send(queue, { ok: true }, { headers });
    await collector.waitForAll([id], idOf, arrive(ctx));
    assertEqual(collector.items[0]!.headers, headers, 'received headers');
  },
});

export const C13 = scenario({
  id: 'C13',
  title:
    'an invalid header (non-string value, over-long key) rejects with INVALID_ARGUMENT and nothing is sent',
  async run(ctx) {
    const queue = ctx.unique('q');
    const spy = spyTransport(await ctx.createTransport());
    const bus = await ctx.createBus({ transport: spy.transport });
    const { collector } = await collect(bus, 'queue', queue);
    const invalid: readonly [string, unknown][] = [
      ['a number value', { 'x-n': 5 }],
      ['a null value', { 'x-n': null }],
      ['an object value', { 'x-n': { a: 1 } }],
      ['a 257-character key', { ['k'.repeat(257)]: 'v' }],
      ['an empty key', { '': 'v' }],
      ['headers that are not an object', 'x-n=5'],
    ];
    for (const [what, headers] of invalid) {
      await rejects(
        bus.send(queue, { what }, { headers: headers as Record<string, string> }),
        'INVALID_ARGUMENT',
        `send with ${what}`,
      );
      await rejects(
        bus.publish(ctx.unique('t'), { what }, { headers: headers as Record<string, string> }),
        'INVALID_ARGUMENT',
        `publish with ${what}`,
      );
    }
    assert(
      spy.publishCalls === 0,
      `the transport saw ${spy.publishCalls} publish call(s) for rejected sends`,
    );
    const { id } = await bus.send(queue, { valid: true }, { headers: { ['k'.repeat(256)]: 'longest key' } });
    await collector.waitForAll([id], idOf, arrive(ctx));
    await elapse(ctx.timeouts.quiet / 5);
    assertEqual(collector.items.map(idOf), [id], 'messages received (only the valid one)');
  },
});

export const C14 = scenario({
  id: 'C14',
  title: 'reserved metadata round-trips and never leaks into user headers; the reserved prefix is rejected',
  async run(ctx) {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const { collector } = await collect(bus, 'queue', queue);
    const id = ctx.unique('id');
    const correlationId = ctx.unique('corr');
    const before = Date.now();
    await bus.send(queue, { json: true }, { id, correlationId, headers: { 'x-user': 'u' } });
    const bytes = await bus.send(queue, new Uint8Array([1, 2, 3]));
    const after = Date.now();
    await collector.waitForAll([id, bytes.id], idOf, arrive(ctx));
    const json = collector.items.find((m) => m.id === id)!;
    const binary = collector.items.find((m) => m.id === bytes.id)!;
    assertEqual(json.correlationId, correlationId, 'correlation id');
    assert(
      json.timestamp >= before - 1000 && json.timestamp <= after + 1000,
      `timestamp ${json.timestamp} is not within the send window ${before}…${after}`,
    );
    assertEqual(json.contentType, 'application/json', 'content type of a JSON body');
    assertEqual(binary.contentType, 'application/octet-stream', 'content type of a bytes body');
    assertEqual(json.attempt, 1, 'attempt of a first delivery');
    assertEqual(json.headers, { 'x-user': 'u' }, 'user headers (no reserved metadata)');
    assertEqual(binary.headers, {}, 'user headers of a message sent without any');
    for (const name of ['sb-trace', 'SB-Trace', 'Sb-id']) {
      await rejects(
        bus.send(queue, {}, { headers: { [name]: 'x' } }),
        'INVALID_ARGUMENT',
        `a user header named ${name}`,
      );
    }
  },
});

export const C15 = scenario({
  id: 'C15',
  title:
    'the largest allowed payload round-trips; one byte over rejects with PAYLOAD_TOO_LARGE; the next send works',
  async run(ctx) {
    const queue = ctx.unique('q');
    const bus = await ctx.createBus();
    const max = ctx.capabilities.maxPayloadBytes;
    assert(
      Number.isInteger(max) && max > 0,
      `capabilities.maxPayloadBytes must be a positive integer, got ${max}`,
    );
    const { collector } = await collect(bus, 'queue', queue);
    const largest = new Uint8Array(max);
    for (let i = 0; i < max; i += 4096) largest[i] = i % 251;
    largest[max - 1] = 7;
    const big = await bus.send(queue, largest);
    await rejects(
      bus.send(queue, new Uint8Array(max + 1)),
      'PAYLOAD_TOO_LARGE',
      `a body of ${max + 1} bytes`,
    );
    const next = await bus.send(queue, { after: 'too large' });
    await collector.waitForAll([big.id, next.id], idOf, arrive(ctx));
    const received = collector.items.find((m) => m.id === big.id)!.body;
    assertEqual(received, largest, `the ${max}-byte body`);
  },
});

export const bodiesHeaders: readonly Scenario[] = [C10, C11, C12, C13, C14, C15];
