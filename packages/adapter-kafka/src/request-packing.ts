import type { ProducedRecord } from './codec.js';

/** A send waiting in the producer's queue; its records may go out over several produce requests, in order. */
export interface QueuedSend {
  readonly records: readonly ProducedRecord[];
  /** Records before this index are in a request written or in flight. */
  next: number;
  /** The caller gave up: records not yet taken are dropped. */
  cancelled: boolean;
}

/** The records `[start, end)` of one queued send, carried by one produce request. */
export interface Slice<S extends QueuedSend> {
  readonly send: S;
  readonly start: number;
  readonly end: number;
}

/** How much one produce request may carry. */
export interface RequestLimits {
  /** Most bytes of encoded records (see {@link recordSizeBound}); a record bigger than this goes alone. */
  readonly bytes: number;
  readonly records: number;
}

/**
 * Takes the next produce request's records off the head of `pending`, in queue order, within `limits`:
 * a send that does not fit whole is split (the rest stays at the head with `next` advanced), so a request never
 * outgrows what the broker accepts in one record batch (`message.max.bytes`) however many sends were coalesced.
 * Cancelled sends are dropped. Returns no slices when nothing is pending.
 */
export function takeRequest<S extends QueuedSend>(pending: S[], limits: RequestLimits): Slice<S>[] {
  const slices: Slice<S>[] = [];
  let bytes = 0;
  let count = 0;
  while (pending.length > 0) {
    const send = pending[0]!;
    if (send.cancelled || send.next >= send.records.length) {
      pending.shift();
      continue;
    }
    const start = send.next;
    let end = start;
    while (end < send.records.length && count < limits.records) {
      const size = recordSizeBound(send.records[end]!);
      if (count > 0 && bytes + size > limits.bytes) break;
      bytes += size;
      count++;
      end++;
    }
    if (end > start) slices.push({ send, start, end });
    send.next = end;
    if (end < send.records.length) break; // the request is full
    pending.shift();
  }
  return slices;
}

/**
 * An upper bound of `record`'s size inside a record batch: its key, value and header bytes plus the largest
 * varint prefixes (length, attributes, timestamp and offset deltas, key and value lengths, header count;
 * two lengths per header).
 */
export function recordSizeBound(record: ProducedRecord): number {
  let size = 36 + record.value.byteLength + (record.key ? record.key.byteLength : 0);
  const headers = record.headers;
  for (const name in headers) size += 10 + Buffer.byteLength(name) + Buffer.byteLength(headers[name]!);
  return size;
}
