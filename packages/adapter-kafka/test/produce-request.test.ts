/**
 * The adapter's Produce request encoder against kafkajs 2.2.4's own (v3, the layout v4–v7 reuse): the same bytes
 * for the records the adapter produces, and a refusal (kafkajs encodes) for anything else. Run after a kafkajs
 * upgrade.
 */

import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../src/crc32c.js';
import { encodeProduceRequest, type ProduceRequestArgs } from '../src/produce-request.js';

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const kafkajsRequest = require('kafkajs/src/protocol/requests/produce/v3/request') as (
  args: ProduceRequestArgs,
) => { encode(): Promise<Encoded> };
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (bytes: Buffer) => number;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: unknown): unknown };

async function kafkajsBytes(args: ProduceRequestArgs): Promise<Buffer> {
  return (await kafkajsRequest(args).encode()).buffer;
}

const now = 1_764_210_000_000;
const record = (extra: Record<string, unknown> = {}) => ({
  value: randomBytes(256),
  headers: { 'sb-id': 'm-1', 'content-type': 'application/octet-stream' },
  timestamp: String(now),
  ...extra,
});

function args(partitions: { partition: number | string; firstSequence?: number; messages: unknown[] }[]) {
  return {
    acks: -1,
    timeout: 30000,
    compression: 0,
    producerId: '4711', // as kafkajs' InitProducerId response gives it
    producerEpoch: 3,
    topicData: [{ topic: 'orders', partitions }],
  } as ProduceRequestArgs;
}

describe('encodeProduceRequest (bytes as kafkajs writes them)', () => {
  it('writes one partition of the records the adapter produces', async () => {
    const a = args([
      { partition: 0, firstSequence: 42, messages: Array.from({ length: 50 }, () => record()) },
    ]);
    expect(encodeProduceRequest(a)).toEqual(await kafkajsBytes(a));
  });

  it('writes keys, timestamps out of order, non-ASCII and long headers, Buffer header values, empty values', async () => {
    const messages = [
      record({ key: Buffer.from('customer-42'), timestamp: String(now + 5) }),
      record({
        timestamp: String(now - 70),
        headers: { 'sb-id': 'x', tenant: 'Zürich ✓', long: 'y'.repeat(300) },
      }),
      record({ value: Buffer.alloc(0), headers: {} }),
      record({ headers: { bin: Buffer.from([0, 1, 2]), 'sb-retry-group': 'switchboard.orders' } }),
      record({ value: randomBytes(70_000), timestamp: String(now + 1_000_000) }),
    ];
    const a = args([{ partition: 0, firstSequence: 7, messages }]);
    expect(encodeProduceRequest(a)).toEqual(await kafkajsBytes(a));
  });

  it('writes header names and values kept from earlier records and requests (repeated, changing, non-ASCII, past the cache)', async () => {
    const repeated = (i: number) =>
      record({
        headers: {
          'sb-id': `id-${i}`,
          'sb-content-type': i % 7 === 3 ? 'text/plain' : 'application/octet-stream',
          'grüße ✓': i % 2 === 0 ? 'même' : 'même',
          [`name-${i % 300}`]: 'x'.repeat(i % 5),
        },
      });
    // Three requests in a row: the second and third find the names and values the first left behind.
    for (const start of [0, 400, 800]) {
      const messages = Array.from({ length: 400 }, (_, i) => repeated(start + i));
      const a = args([{ partition: 0, firstSequence: start, messages }]);
      expect(encodeProduceRequest(a)).toEqual(await kafkajsBytes(a));
    }
  });

  it('writes several topics and partitions (partition numbers as kafkajs passes them, strings), producer id -1 as a Long', async () => {
    const a: ProduceRequestArgs = {
      producerId: Long.fromValue(-1),
      acks: 1,
      timeout: 5000,
      topicData: [
        {
          topic: 'a',
          partitions: [
            { partition: '0', firstSequence: 0, messages: [record(), record()] },
            { partition: '2', firstSequence: 9, messages: [record()] },
          ],
        },
        {
          topic: 'b.dead-letter',
          partitions: [{ partition: '1', messages: [record({ key: Buffer.from('k') })] }],
        },
      ],
    };
    expect(encodeProduceRequest(a)).toEqual(await kafkajsBytes(a));
  });

  it('declines what it does not write: string values or keys, missing timestamps, array headers, compression', () => {
    const declined = [
      args([{ partition: 0, messages: [record({ value: 'text' })] }]),
      args([{ partition: 0, messages: [record({ key: 'text' })] }]),
      args([{ partition: 0, messages: [record({ timestamp: undefined })] }]),
      args([{ partition: 0, messages: [record({ timestamp: '123' })] }]),
      args([{ partition: 0, messages: [record({ headers: { a: ['1', '2'] } })] }]),
      args([{ partition: 0, messages: [record(), record({ timestamp: String(now + 2 ** 31) })] }]),
      { ...args([{ partition: 0, messages: [record()] }]), compression: kafkajs.CompressionTypes.GZIP },
      { ...args([{ partition: 0, messages: [record()] }]), transactionalId: 'tx' },
    ];
    for (const [i, a] of declined.entries()) expect([i, encodeProduceRequest(a)]).toEqual([i, undefined]);
  });
});

describe('crc32c', () => {
  it('equals kafkajs’ CRC-32C for every length around the 8-byte steps', () => {
    const bytes = randomBytes(100);
    for (let length = 0; length <= 100; length++) {
      expect(crc32c(bytes, 0, length)).toBe(kafkajsCrc(bytes.subarray(0, length)));
    }
    expect(crc32c(bytes, 3, 77)).toBe(kafkajsCrc(bytes.subarray(3, 77)));
  });
});
