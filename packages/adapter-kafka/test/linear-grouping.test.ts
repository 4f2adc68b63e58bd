/**
 * The adapter's linear grouping against kafkajs 2.2.4's own `groupMessagesPerPartition` (which calls
 * `messages.reduce`): the same groups in the same order, the partitioner asked once per record (and once for a
 * check), and a plain `reduce` for any other reducer, even one that looks like a grouping. Run after a kafkajs upgrade.
 */

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { withLinearGrouping } from '../src/linear-grouping.js';
import { pinnedPartitioner } from '../src/partitioner.js';

const require = createRequire(import.meta.url);
type Grouping = (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (args: unknown) => number;
}) => Record<string, unknown[]>;
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition') as Grouping;

const partitionMetadata = [0, 1, 2, 3, 4].map((partitionId) => ({ partitionId, leader: 1 }));
const records = () =>
  Array.from({ length: 700 }, (_, i) => ({
    value: Buffer.from(`v${i}`),
    // keyless records carry their partition (kafkajs' round robin starts at random), keyed ones go by murmur2
    ...(i % 3 === 0 ? { partition: i % 5 } : { key: Buffer.from(`key-${i % 17}`) }),
    headers: {},
  }));

describe('withLinearGrouping', () => {
  it("groups like kafkajs' groupMessagesPerPartition, keyed and keyless, asking the partitioner once per record (+1)", () => {
    const plain = records();
    const linear = withLinearGrouping(records());
    const calls = { plain: 0, linear: 0 };
    const counted = (which: 'plain' | 'linear') => {
      const partition = pinnedPartitioner();
      return (args: unknown) => {
        calls[which]++;
        return partition(args as never);
      };
    };
    const expected = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata,
      messages: plain,
      partitioner: counted('plain'),
    });
    const actual = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata,
      messages: linear,
      partitioner: counted('linear'),
    });
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    expect(Object.keys(actual).length).toBe(5);
    expect(actual).toStrictEqual(expected); // same records (values, keys, pinned partitions), same order
    expect(calls.linear).toBe(calls.plain + 1); // once per record, once more for the append check
  });

  it('is a plain reduce for any other reducer, and leaves other array methods alone', () => {
    const numbers = withLinearGrouping([1, 2, 3, 4]);
    expect(numbers.reduce((sum, n) => sum + n, 0)).toBe(10);
    expect(numbers.reduce((sum, n) => sum + n)).toBe(10);
    const replacing = (acc: Record<string, number[]>, n: number) => ({ ...acc, [n % 2]: [n] });
    expect(numbers.reduce(replacing, {})).toEqual({
      0: [4],
      1: [3],
    });
    expect(numbers.map((n) => n * 2)).toEqual([2, 4, 6, 8]);
    expect(Object.keys(numbers)).toEqual(['0', '1', '2', '3']); // reduce is not enumerable
  });
});
