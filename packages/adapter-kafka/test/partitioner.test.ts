import kafkajs, { type Message, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { pinnedPartitioner } from '../src/partitioner.js';

const partitionMetadata = [0, 1, 2].map(
  (partitionId): PartitionMetadata => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }),
);
const topic = 't';

describe('pinnedPartitioner (a retried request writes each record to the same partition)', () => {
  it("keeps a keyless record's partition when kafkajs asks again (a retry), where the round robin moves it", () => {
    const partition = pinnedPartitioner();
    const roundRobin = kafkajs.Partitioners.DefaultPartitioner();
    const message: Message = { key: null, value: Buffer.from('m1') };
    const first = partition({ topic, partitionMetadata, message });
    const moved = new Set(
      [0, 1, 2].map(() => roundRobin({ topic, partitionMetadata, message: { value: 'x' } })),
    );
    expect(moved.size).toBeGreaterThan(1);
    for (let retry = 0; retry < 5; retry++) {
      partition({ topic, partitionMetadata, message: { key: null, value: Buffer.from('other') } });
      expect(partition({ topic, partitionMetadata, message })).toBe(first);
    }
    expect(message.partition).toBe(first);
  });

  it('spreads keyless records over partitions like the default partitioner', () => {
    const partition = pinnedPartitioner();
    const chosen = new Set(
      Array.from({ length: 6 }, () => partition({ topic, partitionMetadata, message: { value: 'x' } })),
    );
    expect(chosen.size).toBe(3);
  });

  it('places a keyed record by the murmur2 hash of its key (as the Java client), without pinning it', () => {
    const partition = pinnedPartitioner();
    const reference = kafkajs.Partitioners.DefaultPartitioner();
    for (const key of ['k1', 'k2', 'order-42', 'é']) {
      const message: Message = { key: Buffer.from(key), value: 'v' };
      expect(partition({ topic, partitionMetadata, message })).toBe(
        reference({ topic, partitionMetadata, message: { key: Buffer.from(key), value: 'v' } }),
      );
      expect(message.partition).toBeUndefined();
    }
  });

  it('honours a partition set on the record', () => {
    const partition = pinnedPartitioner();
    expect(partition({ topic, partitionMetadata, message: { value: 'v', partition: 2 } })).toBe(2);
  });
});
