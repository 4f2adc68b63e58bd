/**
 * NATS-specific behaviour against a real nats-server: raw-client interop in both directions (the example of
 * docs/wire-format/nats.md), header encoding, bad input and error mapping.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { connect as connectBus, createBus, type Message, MessagingError } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsTransport, transportFromUrl } from '../src/index.js';
import { optionsFromUrl } from '../src/url-options.js';
import { deleteStreams, freshPrefix, natsUrl } from './broker.js';

const found = await natsUrl(false);
const required = process.env.SWITCHBOARD_REQUIRE_BROKERS === '1';
if (!found.url && required)
  throw new Error(`SWITCHBOARD_REQUIRE_BROKERS=1 but no NATS broker: ${found.reason}`);
if (!found.url) console.warn(`[adapter-nats] skipping broker tests: ${found.reason}`);
const url = found.url ?? 'nats://127.0.0.1:4222';
const prefix = freshPrefix();

afterAll(async () => {
  if (found.url) await deleteStreams(url, prefix);
});

describe('options and names (no broker)', () => {
  it('parses servers, credentials and parameters from a URL', () => {
    const options = optionsFromUrl('nats://alice:s3cret@a:4222,b:4223?mode=core&prefix=x&storage=memory');
    expect(options).toMatchObject({
      servers: ['nats://a:4222', 'nats://b:4223'],
      user: 'alice',
      password: 's3cret',
      mode: 'core',
      prefix: 'x',
      storage: 'memory',
    });
  });

  it('rejects an unknown URL parameter with INVALID_ARGUMENT, without printing the password', () => {
    let caught: unknown;
    try {
      transportFromUrl('nats://alice:s3cret@a:4222?colour=blue');
    } catch (error) {
      caught = error;
    }
    expect(MessagingError.is(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).not.toContain('s3cret');
  });

  it('rejects a bad option with INVALID_ARGUMENT naming it', () => {
    expect(() => natsTransport({ replicas: 9 })).toThrow(/replicas/);
    expect(() => natsTransport({ prefix: 'a.b' })).toThrow(/prefix/);
  });
});

describe.skipIf(!found.url)('against nats-server', () => {
  let bus: Awaited<ReturnType<typeof connectBus>>;
  beforeAll(async () => {
    bus = await connectBus(`${url}?prefix=${prefix}`);
  });
  afterAll(async () => {
    await bus?.close();
  });

  it('consumes a message a raw JetStream client published, headers included', async () => {
    const queue = `raw.in.${Date.now()}`;
    let resolve!: (message: Message<unknown>) => void;
    const got = new Promise<Message<unknown>>((r) => {
      resolve = r;
    });
    // Receiving creates the queue's stream; a raw client then publishes to the queue's subject.
    await bus.receive(queue, async (message) => resolve(message));
    const nc = await connect({ servers: url });
    const h = headers();
    h.set('sb-id', 'raw-1');
    h.set('tenant', 'acme');
    await jetstream(nc).publish(`${prefix}.q.${queue}`, JSON.stringify({ hello: 'world' }), { headers: h });
    await nc.close();
    const message = await got;
    expect(message.id).toBe('raw-1');
    expect(message.body).toEqual({ hello: 'world' });
    expect(message.headers).toEqual({ tenant: 'acme' });
  });

  it('writes messages a raw client reads as documented, with encoded headers decodable', async () => {
    const queue = `raw.out.${Date.now()}`;
    const tricky = { 'x key': ' padded ', multi: 'a\r\nb', smile: '☺ 漢字', 'Nats-Foo': 'kept' };
    await bus.send(queue, { n: 1 }, { headers: tricky, key: 'k1' });
    const nc = await connect({ servers: url });
    const jsm = await jetstreamManager(nc);
    const stream = (await jsm.streams.find(`${prefix}.q.${queue}`)) as string;
    const stored = (await jsm.streams.getMessage(stream, { seq: 1 }))!;
    await nc.close();
    expect(JSON.parse(new TextDecoder().decode(stored.data))).toEqual({ n: 1 });
    expect(stored.header.get('sb-key')).toBe('k1');
    expect(stored.header.get('smile')).toBe('☺ 漢字');
    expect(stored.header.get('=?utf-8?b?eCBrZXk=?=')).toBe('=?utf-8?b?IHBhZGRlZCA=?=');
    const received = new Promise<Message<unknown>>((resolve) => {
      void bus.receive(queue, async (message) => resolve(message));
    });
    expect((await received).headers).toEqual(tricky);
  });

  it('rejects a queue name with an empty subject token with INVALID_ARGUMENT', async () => {
    const transport = natsTransport({ servers: [url], prefix });
    await transport.connect();
    await expect(transport.publish({ kind: 'queue', name: 'a..b' }, [])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await transport.close();
  });

  it('reports a stream with an incompatible configuration as CONFLICT naming the setting', async () => {
    const own = freshPrefix();
    const nc = await connect({ servers: url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: `${own}_Q_orders`, subjects: [`${own}.q.orders`], storage: 'memory' });
    const transport = natsTransport({ servers: [url], prefix: own });
    try {
      const body = new TextEncoder().encode('1');
      const error = await transport
        .publish({ kind: 'queue', name: 'orders' }, [{ id: '1', body, headers: {} }])
        .catch((e: unknown) => e);
      expect(MessagingError.is(error, 'CONFLICT')).toBe(true);
      expect((error as Error).message).toMatch(/retention/);
    } finally {
      await transport.close();
      await jsm.streams.delete(`${own}_Q_orders`);
      await nc.close();
    }
  });

  it('answers a request nobody serves with NO_RESPONDERS at once', async () => {
    const error = await bus.request(`nobody.${Date.now()}`, 'ping', { timeoutMs: 20_000 }).catch((e) => e);
    expect(MessagingError.is(error, 'NO_RESPONDERS')).toBe(true);
  });

  it('maps a refused connection to a retryable UNAVAILABLE without the password', async () => {
    const transport = transportFromUrl('nats://bob:hunter2@127.0.0.1:1?connectTimeoutMs=2000');
    const error = await transport.connect().catch((e: unknown) => e);
    expect(MessagingError.is(error, 'UNAVAILABLE')).toBe(true);
    expect((error as MessagingError).retryable).toBe(true);
    expect((error as Error).message).not.toContain('hunter2');
    await transport.close();
  });

  it('reads max_payload from the server into capabilities', async () => {
    const transport = natsTransport({ servers: [url], prefix });
    await transport.connect();
    const serverMax = transport.native.nc.info?.max_payload ?? 0;
    expect(transport.capabilities.maxPayloadBytes).toBeLessThan(serverMax);
    expect(transport.capabilities.maxPayloadBytes).toBeGreaterThan(serverMax - 16_384);
    await transport.close();
  });
});

describe.skipIf(!found.url)('core mode reads its messages directly (direct-read.ts)', () => {
  it('receives small, large and header-rich messages without the client parsing them', async () => {
    const transport = natsTransport({ servers: [url], prefix: freshPrefix(), mode: 'core' });
    await transport.connect();
    const coreBus = createBus({ transport });
    try {
      const protocol = (transport.native.nc as unknown as { protocol: { processMsg(...a: unknown[]): void } })
        .protocol;
      let parsedByClient = 0;
      const processMsg = protocol.processMsg.bind(protocol);
      protocol.processMsg = (...args: unknown[]) => {
        parsedByClient++;
        processMsg(...args);
      };
      const large = new Uint8Array(900_000).fill(7);
      large[large.length - 1] = 13;
      const sent: { body: Uint8Array; headers: Record<string, string> }[] = [
        { body: new TextEncoder().encode('line\r\nbreak'), headers: { 'x-uni': '漢字 ☺', 'x-pad': ' a ' } },
        { body: large, headers: {} },
        { body: new Uint8Array(0), headers: { tenant: 'acme' } },
      ];
      const received: Message<Uint8Array>[] = [];
      let done!: () => void;
      const all = new Promise<void>((resolve) => {
        done = resolve;
      });
      await coreBus.receive<Uint8Array>('direct', (message) => {
        received.push(message);
        if (received.length === sent.length) done();
      });
      for (const m of sent) await coreBus.send('direct', m.body, { headers: m.headers });
      await all;
      expect(
        received.map((m) => Buffer.from(m.body).equals(Buffer.from(sent[received.indexOf(m)]!.body))),
      ).toEqual([true, true, true]);
      expect(received.map((m) => m.headers)).toEqual(sent.map((m) => expect.objectContaining(m.headers)));
      expect(parsedByClient).toBe(0);
    } finally {
      await coreBus.close();
    }
  });
});

const persistent = await natsUrl(true);

describe.skipIf(!persistent.url || !persistent.restart)('core mode across a server restart', () => {
  it('keeps reading its subscription directly after the client reconnects', async () => {
    const transport = natsTransport({ servers: [persistent.url!], prefix: freshPrefix(), mode: 'core' });
    await transport.connect();
    const coreBus = createBus({ transport });
    try {
      const bodies: string[] = [];
      let onBody: (body: string) => void = () => {};
      await coreBus.receive<string>('after-restart', (message) => {
        bodies.push(message.body);
        onBody(message.body);
      });
      /** Sends `body` until it arrives (core NATS drops what is sent before the subscription is back). */
      const roundTrip = async (body: string) => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const arrived = new Promise<boolean>((resolve) => {
            onBody = (got) => got === `${body}#${attempt}` && resolve(true);
            setTimeout(() => resolve(false), 200);
          });
          await coreBus.send('after-restart', `${body}#${attempt}`);
          if (await arrived) return;
        }
        throw new Error(`${body} never arrived`);
      };
      await roundTrip('before');
      const protocol = (
        transport.native.nc as unknown as { protocol: { parser: unknown; processMsg(...a: unknown[]): void } }
      ).protocol;
      const parserBefore = protocol.parser;
      await persistent.restart!();
      let parsedByClient = 0;
      const processMsg = protocol.processMsg.bind(protocol);
      protocol.processMsg = (...args: unknown[]) => {
        parsedByClient++;
        processMsg(...args);
      };
      await roundTrip('after');
      expect(protocol.parser).not.toBe(parserBefore); // the client reconnected with a new parser
      expect(bodies.at(-1)).toMatch(/^after#/);
      expect(parsedByClient).toBe(0);
    } finally {
      await coreBus.close();
    }
  }, 60_000);
});
