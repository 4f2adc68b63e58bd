import { describe, expect, it } from 'vitest';
import type { ProducedRecord } from '../src/codec.js';
import { type QueuedSend, recordSizeBound, takeRequest } from '../src/request-packing.js';

const record = (bytes: number): ProducedRecord => ({ value: Buffer.alloc(bytes), headers: {} });
const send = (...sizes: number[]): QueuedSend => ({ records: sizes.map(record), next: 0, cancelled: false });
const OVERHEAD = recordSizeBound(record(0));

describe('takeRequest (what one produce request carries)', () => {
  it('coalesces whole sends in queue order while they fit', () => {
    const a = send(10, 10);
    const b = send(10);
    const pending = [a, b];
    const slices = takeRequest(pending, { bytes: 1_000, records: 100 });
    expect(slices).toEqual([
      { send: a, start: 0, end: 2 },
      { send: b, start: 0, end: 1 },
    ]);
    expect(pending).toEqual([]);
  });

  it('splits a send over requests within the byte budget and keeps its rest at the head, in order', () => {
    const a = send(100, 100, 100);
    const b = send(100);
    const pending = [a, b];
    const budget = 2 * (100 + OVERHEAD);
    expect(takeRequest(pending, { bytes: budget, records: 100 })).toEqual([{ send: a, start: 0, end: 2 }]);
    expect(pending).toEqual([a, b]);
    expect(takeRequest(pending, { bytes: budget, records: 100 })).toEqual([
      { send: a, start: 2, end: 3 },
      { send: b, start: 0, end: 1 },
    ]);
    expect(pending).toEqual([]);
  });

  it('never splits across the record limit out of order', () => {
    const a = send(1, 1, 1);
    const pending = [a];
    expect(takeRequest(pending, { bytes: 1_000_000, records: 2 })).toEqual([{ send: a, start: 0, end: 2 }]);
    expect(takeRequest(pending, { bytes: 1_000_000, records: 2 })).toEqual([{ send: a, start: 2, end: 3 }]);
  });

  it('sends a record bigger than the budget alone', () => {
    const a = send(5_000);
    const b = send(1);
    const pending = [a, b];
    expect(takeRequest(pending, { bytes: 1_000, records: 100 })).toEqual([{ send: a, start: 0, end: 1 }]);
    expect(takeRequest(pending, { bytes: 1_000, records: 100 })).toEqual([{ send: b, start: 0, end: 1 }]);
  });

  it('drops cancelled sends, including the untaken rest of a split one', () => {
    const a = send(100, 100);
    const b = send(1);
    const pending = [a, b];
    takeRequest(pending, { bytes: 100 + OVERHEAD, records: 100 });
    a.cancelled = true;
    expect(takeRequest(pending, { bytes: 100 + OVERHEAD, records: 100 })).toEqual([
      { send: b, start: 0, end: 1 },
    ]);
    expect(takeRequest(pending, { bytes: 1_000, records: 100 })).toEqual([]);
  });

  it('bounds a record from above: key, value, UTF-8 header bytes and varint prefixes', () => {
    const r: ProducedRecord = { key: Buffer.from('k1'), value: Buffer.alloc(3), headers: { é: 'ü€' } };
    expect(recordSizeBound(r)).toBeGreaterThanOrEqual(2 + 3 + 2 + 5 + 7);
  });
});
