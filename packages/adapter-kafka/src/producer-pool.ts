import type { Kafka, Producer } from 'kafkajs';
import type { ProducedRecord } from './codec.js';
import { type ProducerSettings, ProducerSlot } from './producer.js';

/**
 * The transport's producers: `size` {@link ProducerSlot}s, each an idempotent kafkajs producer with one produce
 * request in flight (kafkajs allows no more per idempotent producer), so up to `size` requests are in flight
 * at once. A record with a key always goes through the same slot (a hash of the key), so records of one key
 * are written in send order, and each slot's requests never overtake one another — per-key order holds, and so
 * does idempotence (Kafka keeps sequence numbers per producer id and partition). A send's keyless records go
 * through one slot, the slots taken in turn. Records of different keys, and keyless records of different sends,
 * may land in a partition in another order than they were sent.
 */
export class ProducerPool {
  private readonly slots: readonly ProducerSlot[];
  /** The slot of the next send without keys. */
  private turn = 0;

  constructor(kafka: Kafka, settings: ProducerSettings, size: number) {
    this.slots = Array.from({ length: size }, () => new ProducerSlot(kafka, settings));
  }

  /** The first slot's producer in use now (for native access). */
  get current(): Producer {
    return this.slots[0]!.current;
  }

  async connect(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.connect()));
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.disconnect()));
  }

  /**
   * Writes `records` with acks=all (see {@link ProducerSlot.send}); resolves once every one is written. Records of
   * one send split over slots by key: if one part fails the send rejects, and the other parts may be written
   * (at least once, as with a request that spans partitions).
   */
  send(
    topic: string,
    records: ProducedRecord[],
    signal: AbortSignal | undefined,
    doing: string,
  ): Promise<void> {
    const slots = this.slots;
    const count = slots.length;
    const keyless = this.turn;
    this.turn = keyless + 1 === count ? 0 : keyless + 1;
    if (count === 1 || !records.some((record) => record.key !== undefined)) {
      return slots[keyless]!.send(topic, records, signal, doing);
    }
    const parts: ProducedRecord[][] = [];
    for (const record of records) {
      const index = record.key === undefined ? keyless : hashOf(record.key) % count;
      const part = parts[index];
      if (part) part.push(record);
      else parts[index] = [record];
    }
    const writes: Promise<void>[] = [];
    parts.forEach((part, index) => {
      writes.push(slots[index]!.send(topic, part, signal, doing));
    });
    return writes.length === 1 ? writes[0]! : Promise.all(writes).then(() => undefined);
  }
}

/** FNV-1a of `key`, an unsigned 32-bit number: the same key always picks the same slot. */
function hashOf(key: Buffer): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key[i]!, 0x01000193);
  return hash >>> 0;
}
