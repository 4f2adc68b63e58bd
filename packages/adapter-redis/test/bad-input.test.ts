import { createBus, MessagingError } from '@switchboard/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { tooOldVersion } from '../src/connection.js';
import { redisTransport, transportFromUrl } from '../src/index.js';
import { redisUrl } from './broker.js';
import { Collector, fresh } from './helpers.js';

const url = await redisUrl();

describe('options and URLs', () => {
  it.each(['http://127.0.0.1:6379', 'redis://', 'not a url', 'redis://127.0.0.1:6379/abc'])(
    'rejects the malformed URL %s with INVALID_ARGUMENT',
    (bad) => {
      const error = (() => {
        try {
          transportFromUrl(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(MessagingError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    },
  );

  it('rejects bad options with INVALID_ARGUMENT naming the field', () => {
    expect(() => redisTransport({ blockMs: -1 })).toThrow(/blockMs/);
    expect(() => redisTransport({ keyPrefix: 'a{b}' })).toThrow(/keyPrefix/);
    expect(() => redisTransport({ batchSize: 1.5 })).toThrow(/batchSize/);
    expect(() => redisTransport({ confirmAcks: 'yes' as unknown as boolean })).toThrow(/confirmAcks/);
  });

  it('a server older than Redis 6.2 is refused (the check behind UNSUPPORTED at connect)', () => {
    expect(tooOldVersion('# Server\r\nredis_version:6.0.16\r\nredis_mode:standalone\r\n')).toBe('6.0.16');
    expect(tooOldVersion('# Server\r\nredis_version:5.0.7\r\n')).toBe('5.0.7');
    expect(tooOldVersion('# Server\r\nredis_version:6.2.0\r\n')).toBeUndefined();
    expect(tooOldVersion('# Server\r\nredis_version:7.0.15\r\n')).toBeUndefined();
    expect(tooOldVersion('no version here')).toBeUndefined();
  });

  it('never prints the password of a malformed URL', () => {
    expect(() => transportFromUrl('redis://user:hunter2@/db')).toThrow(/^(?!.*hunter2)/s);
  });
});

describe.skipIf(!url)('bad input against a real Redis', () => {
  const raw = new Redis(url ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  afterAll(() => raw.quit());

  it('WRONGTYPE: a key of another type gives CONFLICT naming the key, on send and on receive', async () => {
    const queue = fresh('wrongtype');
    const key = `sb:q:{${queue}}`;
    await raw.set(key, 'not a stream');
    const bus = createBus({ transport: transportFromUrl(url!) });
    try {
      const sent = await bus.send(queue, { n: 1 }).catch((e: unknown) => e);
      expect(MessagingError.is(sent, 'CONFLICT')).toBe(true);
      expect((sent as Error).message).toContain(key);
      expect((sent as MessagingError).retryable).toBe(false);
      const received = await bus.receive(queue, () => undefined).catch((e: unknown) => e);
      expect(MessagingError.is(received, 'CONFLICT')).toBe(true);
    } finally {
      await bus.close();
      await raw.del(key);
    }
  });

  it('WRONGPASS: wrong credentials give UNAUTHENTICATED without printing the password', async () => {
    const { hostname: host, port } = new URL(url!);
    const transport = transportFromUrl(`redis://nobody:s3cret-pw@${host}:${port}`);
    const error = await transport.connect().catch((e: unknown) => e);
    await transport.close();
    expect(MessagingError.is(error, 'UNAUTHENTICATED')).toBe(true);
    expect((error as Error).message).not.toContain('s3cret-pw');
    expect((error as Error).message).toContain('[adapter-redis]');
  });

  it('an entry without a body field is dead-lettered with DECODE_FAILED and the consumer goes on', async () => {
    const queue = fresh('nobody');
    const stream = `sb:q:{${queue}}`;
    const deadStream = `sb:q:{${queue}.dead-letter}`;
    const bus = createBus({ transport: transportFromUrl(url!) });
    const good = new Collector<unknown>();
    try {
      // Concurrency 1: the third entry is handled only after the first two were dead-lettered.
      await bus.receive(queue, (m) => good.add(m.body), { concurrency: 1 });
      await raw.xadd(stream, '*', 'payload', 'no body field here');
      await raw.xadd(stream, '*', 'body', '{not json');
      await raw.xadd(stream, '*', 'body', '{"ok":true}');
      await good.waitFor(1);
      // On the wire: two entries in the dead-letter stream with the bus's error headers.
      const dead = await raw.xrange(deadStream, '-', '+');
      const reservedOf = (f: string[]) => JSON.parse(f[f.indexOf('sb') + 1]!) as Record<string, string>;
      expect(dead.map(([, f]) => reservedOf(f)['sb-error-code'])).toEqual(['DECODE_FAILED', 'DECODE_FAILED']);
      expect(good.items).toEqual([{ ok: true }]);
      // Through the bus: dead letters whose body cannot be decoded arrive with their raw bytes as the body.
      const letters = new Collector<{ body: unknown; code?: string; error?: string; from?: string }>();
      await bus.receive(
        `${queue}.dead-letter`,
        (m) =>
          letters.add({
            body: m.body,
            code: m.failure?.errorCode,
            error: m.failure?.error,
            from: m.failure?.originalDestination,
          }),
        { concurrency: 1 },
      );
      await letters.waitFor(2);
      const [missing, undecodable] = letters.items;
      expect(missing!.code).toBe('DECODE_FAILED');
      expect(missing!.error).toContain('the stream entry has no body field');
      expect(missing!.from).toBe(queue);
      // Its body is empty, which JSON (no content type) decodes as undefined.
      expect(missing!.body).toBeUndefined();
      expect(undecodable!.code).toBe('DECODE_FAILED');
      expect(undecodable!.from).toBe(queue);
      expect(Buffer.from(undecodable!.body as Uint8Array).toString('utf8')).toBe('{not json');
    } finally {
      await bus.close();
      await raw.del(stream, deadStream);
    }
  });
});
