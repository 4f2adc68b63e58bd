import type { WireMessage } from '@switchboard/core';

/**
 * Adapter-owned header on re-published retry copies: the consumer group id that must handle the copy.
 * Other groups reading the same topic skip it (and count its offset as done). It never reaches a handler.
 */
export const RETRY_GROUP_HEADER = 'sb-retry-group';

/** A record as kafkajs produces it. */
export interface ProducedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Set by the producer's partitioner on a keyless record, so that a retry writes it to the same partition. */
  partition?: number;
}

/** The parts of a consumed kafkajs record the codec reads. */
export interface ConsumedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
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
 * header (UTF-8), the key the record key (UTF-8), which picks the partition. `retryGroup` adds the
 * adapter's routing header for retry copies.
 */
export function toRecord(message: WireMessage, retryGroup?: string): ProducedRecord {
  const body = message.body;
  return {
    key: message.key === undefined ? null : Buffer.from(message.key, 'utf8'),
    value: Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    // kafkajs only reads the headers: the message's own object goes out as it is (no copy per record).
    headers:
      retryGroup === undefined ? message.headers : { ...message.headers, [RETRY_GROUP_HEADER]: retryGroup },
  };
}

/**
 * Kafka record → body, headers and key. A missing value is an empty body; header values are read as UTF-8
 * (a repeated header keeps its last value); a record without headers yields an empty map.
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
  return { body, headers, key: record.key ? record.key.toString('utf8') : undefined, retryGroup };
}
