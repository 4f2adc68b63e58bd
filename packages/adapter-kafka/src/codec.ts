import type { WireMessage } from '@switchboard/core';

/**
 * Adapter-owned header on re-published retry copies: the consumer group id that must handle the copy.
 * Other groups reading the same topic skip it (and count its offset as done). It never reaches a handler.
 */
export const RETRY_GROUP_HEADER = 'sb-retry-group';

/** The reserved header the record timestamp carries (see {@link toRecord}). */
const TIMESTAMP_HEADER = 'sb-ts';

/**
 * How far `sb-ts` may lie from the time of writing to travel as the record timestamp. Topic retention counts
 * from record timestamps: an older one (a retry or dead letter of an old message) stays a header, so it never
 * makes the broker delete the copy early.
 */
const TIMESTAMP_WINDOW_MS = 60_000;

/** A record as kafkajs produces it. */
export interface ProducedRecord {
  /** Absent: a null key (kafkajs writes an absent key as null; no property keeps its per-record copy small). */
  readonly key?: Buffer;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** The record timestamp (ms since the epoch, decimal); absent = the time kafkajs writes the request. */
  readonly timestamp?: string;
  /** Set by the producer's partitioner on a keyless record, so that a retry writes it to the same partition. */
  partition?: number;
}

/** The parts of a consumed kafkajs record the codec reads. */
export interface ConsumedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The record timestamp, ms since the epoch (decimal); kafkajs always sets it. */
  readonly timestamp?: string;
  readonly headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;
}

/** What a consumed record becomes: the body bytes, string headers and the key. */
export interface DecodedRecord {
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
  readonly key: string | undefined;
  /** The value of {@link RETRY_GROUP_HEADER}, removed from `headers`. */
  readonly retryGroup: string | undefined;
}

const EMPTY = new Uint8Array(0);

/**
 * Wire message → Kafka record: the body is the record value (bytes as they are), every header a record
 * header (UTF-8), the key the record key (UTF-8), which picks the partition. `sb-ts` becomes the record
 * timestamp instead of a header when it is a plain decimal within {@link TIMESTAMP_WINDOW_MS} of `now` (the
 * usual case: kafkajs encodes each header with a buffer of its own, so every header saved is CPU and garbage
 * saved per record); otherwise the record timestamp is `now`, so every record of a request has one (kafkajs
 * takes a batch's max timestamp from the records that carry one). `retryGroup` adds the adapter's routing
 * header for retry copies.
 */
export function toRecord(message: WireMessage, now: number, retryGroup?: string): ProducedRecord {
  const body = message.body;
  const value = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const source = message.headers;
  const ts = source[TIMESTAMP_HEADER];
  let timestamp: string;
  let headers: Record<string, string>;
  if (ts !== undefined && isNearTimestamp(ts, now)) {
    timestamp = ts;
    headers = {};
    for (const name in source) if (name !== TIMESTAMP_HEADER) headers[name] = source[name]!;
    if (retryGroup !== undefined) headers[RETRY_GROUP_HEADER] = retryGroup;
  } else {
    timestamp = String(now);
    // kafkajs only reads the headers: the message's own object goes out as it is (no copy per record).
    headers = retryGroup === undefined ? source : { ...source, [RETRY_GROUP_HEADER]: retryGroup };
  }
  if (message.key === undefined) return { value, headers, timestamp };
  return { key: Buffer.from(message.key, 'utf8'), value, headers, timestamp };
}

/** Whether `ts` is a decimal integer within {@link TIMESTAMP_WINDOW_MS} of `now`. */
function isNearTimestamp(ts: string, now: number): boolean {
  if (ts.length === 0 || ts.length > 15) return false;
  for (let i = 0; i < ts.length; i++) {
    const c = ts.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Math.abs(Number(ts) - now) <= TIMESTAMP_WINDOW_MS;
}

/**
 * Kafka record → body, headers and key. A missing value is an empty body; header values are read as UTF-8
 * (a repeated header keeps its last value); a record without headers yields an empty map. Without an `sb-ts`
 * header, the record timestamp is `sb-ts`.
 */
export function fromRecord(record: ConsumedRecord): DecodedRecord {
  const value = record.value;
  const body = value ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : EMPTY;
  const headers: Record<string, string> = {};
  let retryGroup: string | undefined;
  if (record.headers) {
    for (const name in record.headers) {
      const raw = record.headers[name];
      if (raw === undefined) continue;
      const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
      if (last === undefined) continue;
      const text = typeof last === 'string' ? last : last.toString('utf8');
      if (name === RETRY_GROUP_HEADER) retryGroup = text;
      else headers[name] = text;
    }
  }
  if (record.timestamp !== undefined && headers[TIMESTAMP_HEADER] === undefined) {
    headers[TIMESTAMP_HEADER] = record.timestamp;
  }
  return { body, headers, key: record.key ? record.key.toString('utf8') : undefined, retryGroup };
}
