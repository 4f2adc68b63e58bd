/**
 * Interop with a plain kafkajs client, exactly as docs/wire-format/kafka.md describes it, plus bad input
 * against the real broker. Needs SWITCHBOARD_KAFKA_URL (see test/broker.ts); skipped loudly otherwise.
 */
import { randomUUID } from 'node:crypto';
import { createBus, type Message, MessagingError } from '@switchboard/core';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchDecoding } from '../src/fetch-hook.js';
import { kafkaTransport, transportFromUrl } from '../src/index.js';
import { produceEncoding } from '../src/produce-hook.js';
import { FAST } from './broker.js';

const url = process.env.SWITCHBOARD_KAFKA_URL;
if (!url && process.env.SWITCHBOARD_REQUIRE_BROKERS === '1')
  throw new Error('SWITCHBOARD_KAFKA_URL is required');
const brokers = url ? url.replace(/^kafka:\/\//, '').split(',') : [];

describe.skipIf(!url)('raw kafkajs interop and bad input (real broker)', () => {
  const kafka = new kafkajs.Kafka({ brokers, clientId: 'raw-test', logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  const created: string[] = [];
  const fresh = (prefix: string) => {
    const name = `sbk.${prefix}.${randomUUID().slice(0, 8)}`;
    created.push(name, `${name}.dead-letter`);
    return name;
  };

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('a raw producer writes a record (value JSON, headers, key) that a Switchboard receiver handles', async () => {
    const queue = fresh('raw-in');
    const bus = createBus({ transport: transportFromUrl(`${url}${FAST}`) });
    const decodedBefore = fetchDecoding.own;
    try {
      const got = new Promise<Message<unknown>>((resolve) => void bus.receive(queue, (m) => resolve(m)));
      await new Promise((resolve) => setTimeout(resolve, 0));
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: queue,
        messages: [
          {
            key: 'k1',
            value: JSON.stringify({ hello: 'kafka' }),
            headers: { tenant: 'acme', 'sb-id': 'raw-1' },
          },
        ],
      });
      await producer.disconnect();
      const message = await got;
      expect(message.body).toEqual({ hello: 'kafka' });
      expect(message.headers).toEqual({ tenant: 'acme' });
      expect(message.key).toBe('k1');
      expect(message.id).toBe('raw-1');
      expect(message.timestamp).toBeGreaterThan(0); // no sb-ts header: the record timestamp
      // Read through the adapter's own Fetch decoder (fetch-hook.ts), not kafkajs': its hook is in place.
      expect(fetchDecoding.own).toBeGreaterThan(decodedBefore);
    } finally {
      await bus.close();
    }
  });

  it('a raw consumer reads what Switchboard sends: value bytes, sb- headers and user headers, key', async () => {
    const topic = fresh('raw-out');
    const bus = createBus({ transport: transportFromUrl(`${url}${FAST}`) });
    const consumer = kafka.consumer({ groupId: `raw-${randomUUID()}` });
    try {
      const before = Date.now();
      const encodedBefore = produceEncoding.own;
      const { id } = await bus.send(topic, { n: 1 }, { headers: { region: 'eu' }, key: 'order-7' });
      // Written by the adapter's own Produce encoder (produce-hook.ts), not kafkajs': its hook is in place.
      expect(produceEncoding.own).toBeGreaterThan(encodedBefore);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const record = await new Promise<kafkajs.KafkaMessage>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(message) });
      });
      expect(JSON.parse(record.value!.toString('utf8'))).toEqual({ n: 1 });
      expect(record.key!.toString()).toBe('order-7');
      expect(record.headers!.region!.toString()).toBe('eu');
      expect(record.headers!['sb-id']!.toString()).toBe(id);
      // The send time travels as the record timestamp, not as an sb-ts header.
      expect(record.headers!['sb-ts']).toBeUndefined();
      expect(Number(record.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    } finally {
      await consumer.disconnect();
      await bus.close();
    }
  });

  it('a raw record with an undecodable value and no headers is dead-lettered with DECODE_FAILED; the next one is handled', async () => {
    const queue = fresh('raw-bad');
    const bus = createBus({ transport: transportFromUrl(`${url}${FAST}`), onError: () => undefined });
    try {
      const handled: unknown[] = [];
      const good = new Promise<void>(
        (resolve) =>
          void bus.receive(queue, (m) => {
            handled.push(m.body);
            resolve();
          }),
      );
      const dead = new Promise<Message<unknown>>(
        (resolve) => void bus.receive(`${queue}.dead-letter`, (m) => resolve(m)),
      );
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: queue, messages: [{ value: '{not json' }, { value: '"fine"' }] });
      await producer.disconnect();
      await good;
      const letter = await dead;
      expect(handled).toEqual(['fine']);
      expect(letter.failure?.errorCode).toBe('DECODE_FAILED');
    } finally {
      await bus.close();
    }
  });

  it('a topic deleted behind the bus: the send fails with a retryable NOT_FOUND, the next one creates it again', async () => {
    const queue = fresh('deleted');
    const bus = createBus({ transport: transportFromUrl(`${url}${FAST}`) });
    try {
      await bus.send(queue, { n: 1 });
      await admin.deleteTopics({ topics: [queue] });
      const error = await bus.send(queue, { n: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagingError);
      expect((error as MessagingError).code).toBe('NOT_FOUND');
      expect((error as MessagingError).retryable).toBe(true);
      await bus.send(queue, { n: 3 });
      const got = new Promise<Message<unknown>>((resolve) => void bus.receive(queue, (m) => resolve(m)));
      expect((await got).body).toEqual({ n: 3 });
    } finally {
      await bus.close();
    }
  });

  it('rejects a topic name Kafka refuses with INVALID_ARGUMENT before anything is sent', async () => {
    const bus = createBus({ transport: transportFromUrl(`${url}${FAST}`) });
    try {
      await expect(bus.send('orders:eu', { x: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await bus.close();
    }
  });

  it('maps a record over the broker limit to PAYLOAD_TOO_LARGE when maxPayloadBytes is set above it', async () => {
    const topic = fresh('too-large');
    const transport = kafkaTransport({ brokers, maxPayloadBytes: 4 * 1024 * 1024 });
    try {
      await transport.connect();
      const body = new Uint8Array(2 * 1024 * 1024);
      const error = await transport
        .publish({ kind: 'queue', name: topic }, [{ id: 'x', body, headers: {} }])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(MessagingError.is(error, 'PAYLOAD_TOO_LARGE')).toBe(true);
      expect((error as MessagingError).retryable).toBe(false);
    } finally {
      await transport.close();
    }
  });

  it('concurrent sends together over one record batch limit are all written, in order (split over requests)', async () => {
    const queue = fresh('coalesced-large');
    // One producer: keyless sends spread over several producers may land in another order (per-key order only).
    const transport = kafkaTransport({ brokers, partitions: 1, producers: 1 });
    const consumer = kafka.consumer({ groupId: `${queue}.raw` });
    try {
      await transport.connect();
      const destination = { kind: 'queue', name: queue } as const;
      const message = (i: number) => ({
        id: `m${i}`,
        body: new Uint8Array(300_000).fill(i),
        headers: { n: `${i}` },
      });
      // 4 sends of 3 × 300 kB each: every one fits a 1 MB record batch alone, together they do not.
      const sends = [0, 1, 2, 3].map((s) =>
        transport.publish(destination, [message(3 * s), message(3 * s + 1), message(3 * s + 2)]),
      );
      await Promise.all(sends);
      const seen: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [queue], fromBeginning: true });
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message: m }) => {
            seen.push(m.headers?.n?.toString() ?? '?');
            if (seen.length === 12) resolve();
          },
        });
      });
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `${i}`));
    } finally {
      await consumer.disconnect();
      await transport.close();
    }
  });

  it('an unreachable broker list fails with a retryable UNAVAILABLE within the connect timeout', async () => {
    const transport = kafkaTransport({ brokers: ['127.0.0.1:1', '127.0.0.1:2'], connectTimeoutMs: 1500 });
    const error = await transport.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(MessagingError.is(error, 'UNAVAILABLE')).toBe(true);
    expect((error as MessagingError).retryable).toBe(true);
    await transport.close();
  });

  it('a SASL failure is typed and never prints the password', async () => {
    const transport = transportFromUrl(`kafka://alice:hunter2-secret@${brokers[0]}?connectTimeoutMs=3000`);
    const error = await transport.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MessagingError);
    // The test broker has no SASL listener: the handshake is refused, which is an authentication failure too.
    expect((error as MessagingError).code).toBe('UNAUTHENTICATED');
    expect((error as MessagingError).retryable).toBe(false);
    expect(String((error as Error).message)).not.toContain('hunter2-secret');
    await transport.close();
  });
});
