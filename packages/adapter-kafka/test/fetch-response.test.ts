/**
 * The adapter's Fetch response decoder against kafkajs 2.2.4's own (fetch v11): the same records for
 * uncompressed record batches, and a refusal (kafkajs decodes) for compressed or control batches and old message
 * sets. Bytes come from kafkajs' own record encoder, and from the real broker (skipped without
 * SWITCHBOARD_KAFKA_URL). Run after a kafkajs upgrade.
 */

import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeFetchResponse } from '../src/fetch-response.js';
import { withRequestHook } from '../src/request-hook.js';

const require = createRequire(import.meta.url);
interface Encoder {
  buffer: Buffer;
  writeInt16(v: number): Encoder;
  writeInt32(v: number): Encoder;
  writeInt64(v: unknown): Encoder;
  writeString(v: string): Encoder;
  writeBytes(v: Buffer): Encoder;
  writeArray(v: unknown[]): Encoder;
}
const Encoder = require('kafkajs/src/protocol/encoder') as new () => Encoder;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (args: unknown) => Promise<Encoder>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (args: unknown) => Encoder;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: unknown): unknown };
const kafkajsFetch = require('kafkajs/src/protocol/requests/fetch/v11/response') as {
  decode(raw: Buffer): Promise<unknown>;
};

const now = 1_764_210_000_000;

/** A record batch as kafkajs encodes it (starting at `firstOffset`), with `records` of the given fields. */
async function batch(
  firstOffset: number,
  records: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) {
  const encoded = await RecordBatch({
    firstOffset: Long.fromValue(firstOffset),
    firstTimestamp: now,
    maxTimestamp: now + records.length,
    lastOffsetDelta: records.length - 1,
    producerId: Long.fromValue(4711),
    producerEpoch: 2,
    firstSequence: 17,
    records: records.map((r, i) => Record({ offsetDelta: i, timestampDelta: i, ...r })),
    ...extra,
  });
  return encoded.buffer;
}

/** Sets bits of a record batch's attributes (the low byte of the int16 at 21). */
function withAttributes(bytes: Buffer, bits: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[22]! |= bits;
  return copy;
}

/** A Fetch v11 response body holding `recordSets` per partition of one topic (plus an empty topic). */
function response(recordSets: Buffer[], aborted: { producerId: number; firstOffset: number }[] = []): Buffer {
  const partitions = recordSets.map((records, partition) =>
    new Encoder()
      .writeInt32(partition)
      .writeInt16(0)
      .writeInt64(Long.fromValue(1000 + partition))
      .writeInt64(Long.fromValue(990))
      .writeInt64(Long.fromValue(0))
      .writeArray(
        aborted.map((a) =>
          new Encoder().writeInt64(Long.fromValue(a.producerId)).writeInt64(Long.fromValue(a.firstOffset)),
        ),
      )
      .writeInt32(-1)
      .writeBytes(records),
  );
  const topics = [
    new Encoder().writeString('orders').writeArray(partitions),
    new Encoder().writeString('quiet').writeArray([]),
  ];
  return new Encoder().writeInt32(0).writeInt16(0).writeInt32(12345).writeArray(topics).buffer;
}

async function expectSameAsKafkajs(raw: Buffer): Promise<void> {
  const ours = decodeFetchResponse(raw);
  expect(ours).toBeDefined();
  expect(ours).toStrictEqual(await kafkajsFetch.decode(raw));
}

const value = (text: string) => Buffer.from(text);
const plain = [
  { key: value('customer-42'), value: value('{"a":1}'), headers: { 'sb-id': 'm-1', 'content-type': 'x' } },
  { key: null, value: null, headers: {} },
  { value: value('ü'.repeat(300)), headers: { tenant: ['acme', 'beta', 'gamma'], 'sb-attempt': '2' } },
  { key: value(''), value: value(''), headers: { empty: '' } },
];

describe('decodeFetchResponse (against kafkajs fetch v11)', () => {
  it('decodes keys, null keys and values, headers (repeated, empty) like kafkajs', async () => {
    await expectSameAsKafkajs(response([await batch(0, plain)]));
  });

  it('decodes several batches per partition and several partitions', async () => {
    const first = await batch(100, plain.slice(0, 2));
    const second = await batch(102, plain.slice(2));
    const many = await batch(
      5000,
      Array.from({ length: 300 }, (_, i) => ({ value: value(`v${i}`), headers: {} })),
    );
    await expectSameAsKafkajs(response([Buffer.concat([first, second]), many, Buffer.alloc(0)]));
  });

  it('decodes offsets and timestamps beyond 2^32, append-time and transactional batches', async () => {
    const far = await batch(2 ** 40 + 7, plain, { firstTimestamp: now, maxTimestamp: now + 99 });
    const appendTime = withAttributes(await batch(3, plain), 0x08);
    const transactional = await batch(9, plain, { transactional: true });
    await expectSameAsKafkajs(
      response([far, appendTime, transactional], [{ producerId: 4711, firstOffset: 9 }]),
    );
  });

  it('stops at a batch cut short by the fetch size, as kafkajs does', async () => {
    const whole = await batch(0, plain);
    const cut = (await batch(4, plain)).subarray(0, 70);
    await expectSameAsKafkajs(response([Buffer.concat([whole, cut])]));
  });

  it('leaves compressed and control batches, old message sets and malformed responses to kafkajs', async () => {
    const gzip = await batch(0, plain, { compression: kafkajs.CompressionTypes.GZIP });
    expect(decodeFetchResponse(response([gzip]))).toBeUndefined();
    const plainThenGzip = Buffer.concat([await batch(0, plain), await batch(4, plain, { compression: 1 })]);
    expect(decodeFetchResponse(response([plainThenGzip]))).toBeUndefined();
    expect(decodeFetchResponse(response([withAttributes(await batch(0, plain), 0x20)]))).toBeUndefined();
    const messageSet = Buffer.from(await batch(0, plain));
    messageSet[16] = 1;
    expect(decodeFetchResponse(response([messageSet]))).toBeUndefined();
    const whole = response([await batch(0, plain)]);
    expect(decodeFetchResponse(whole.subarray(0, 30))).toBeUndefined(); // cut inside a partition header
    const proto = await batch(0, [{ value: value('x'), headers: { ['__proto__']: 'y' } }]);
    expect(decodeFetchResponse(response([proto]))).toBeUndefined();
  });
});

const url = process.env.SWITCHBOARD_KAFKA_URL;
if (!url && process.env.SWITCHBOARD_REQUIRE_BROKERS === '1')
  throw new Error('SWITCHBOARD_KAFKA_URL is required');

describe.skipIf(!url)('decodeFetchResponse on the real broker', () => {
  it('gives what kafkajs gives for every Fetch response of a topic with plain and gzip batches', async () => {
    const brokers = (url ?? '').replace(/^kafka:\/\//, '').split(',');
    const kafka = new kafkajs.Kafka({ brokers, clientId: 'fetch-test', logLevel: kafkajs.logLevel.NOTHING });
    const topic = `sbk.fetch.${randomUUID().slice(0, 8)}`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    const raws: Buffer[] = [];
    // A consumer whose Fetch responses are recorded, then decoded by kafkajs as usual.
    const { client: consumer, hooked } = withRequestHook(
      kafka,
      () => kafka.consumer({ groupId: `${topic}.g`, maxWaitTimeInMs: 100 }),
      (apiKey, build) =>
        apiKey !== 1
          ? build
          : (args) => {
              const built = build(args);
              const { decode, parse } = built.response;
              return {
                ...built,
                response: {
                  parse,
                  decode: (raw: Buffer) => {
                    raws.push(raw);
                    return decode(raw);
                  },
                },
              };
            },
    );
    expect(hooked).toBe(true);
    try {
      await Promise.all([admin.connect(), producer.connect()]);
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      let received = 0;
      let expected = 0;
      let arrived = () => {};
      await consumer.run({
        eachBatch: async ({ batch }) => {
          received += batch.messages.length;
          if (received >= expected) arrived();
        },
      });
      // One send at a time, each consumed before the next, so that a response holds plain or gzip batches.
      const messages = plain.map((m, i) => ({ ...m, partition: i % 2 })) as kafkajs.Message[];
      for (const compression of [undefined, kafkajs.CompressionTypes.GZIP, undefined]) {
        expected += plain.length;
        const consumed = new Promise<void>((resolve) => {
          arrived = resolve;
        });
        await producer.send({ topic, messages, compression });
        if (received < expected) await consumed;
      }
      let declined = 0;
      let decodedRecords = 0;
      type Decoded = { responses: { partitions: { messages: unknown[] }[] }[] };
      for (const raw of raws) {
        const ours = decodeFetchResponse(raw) as Decoded | undefined;
        if (ours === undefined) {
          declined++;
          continue;
        }
        expect(ours).toStrictEqual(await kafkajsFetch.decode(raw));
        for (const t of ours.responses) for (const p of t.partitions) decodedRecords += p.messages.length;
      }
      expect(declined).toBeGreaterThan(0); // the responses holding the gzip batch
      expect(decodedRecords).toBeGreaterThanOrEqual(2 * plain.length); // the two plain sends
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
