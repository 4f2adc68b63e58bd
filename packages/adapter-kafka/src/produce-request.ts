import { crc32c } from './crc32c.js';
import { encodedValue, type HeaderName, headerName, planValueLength } from './header-names.js';
import { copyShort, utf8Length, varIntSize, writeVarInt } from './wire-bytes.js';

/** The arguments kafkajs' broker passes to its Produce request builder (versions 3 to 7 share one layout). */
export interface ProduceRequestArgs {
  readonly acks: number;
  readonly timeout: number;
  readonly compression?: number;
  readonly transactionalId?: string | null;
  /** A decimal string (as kafkajs' InitProducerId gives it), a number, a bigint or a kafkajs `Long`; -1: none. */
  readonly producerId?: unknown;
  readonly producerEpoch?: number;
  readonly topicData: readonly {
    readonly topic: string;
    readonly partitions: readonly {
      readonly partition: number | string;
      readonly firstSequence?: number;
      readonly messages: readonly unknown[];
    }[];
  }[];
}

/** The record fields this encoder writes; anything else makes it decline the request. */
interface PlainRecord {
  readonly key?: Buffer | null;
  readonly value: Buffer;
  readonly headers?: Record<string, unknown>;
  readonly timestamp: string;
}

/** Bytes of a partition's record set besides its records: offset, length, epoch, magic, crc, batch header. */
const BATCH_OVERHEAD = 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** A record timestamp this encoder writes: 13 decimal digits (2001 to 2286), so string order is numeric order. */
const MIN_TIMESTAMP = 1e12;
const MAX_TIMESTAMP = 1e13;
/** Largest timestamp spread within one batch written here: deltas stay 32-bit varints (kafkajs writes 64-bit ones). */
const MAX_TIMESTAMP_DELTA = 2 ** 30;
const MAGIC = 2;

/**
 * Encodes the body of a Produce request (v3–v7, uncompressed, not transactional) byte for byte as kafkajs 2.2.4
 * does — one buffer sized in a first pass instead of a zero-filled 512-byte buffer per record and per header,
 * and a faster CRC. Handles the records the adapter produces: `value` a Buffer, `key` a Buffer or absent, string
 * (or Buffer) header values, and a `timestamp` of 13 decimal digits on every record. Returns `undefined` for
 * anything else (then kafkajs encodes the request itself); `test/produce-request.test.ts` compares the bytes
 * with kafkajs' own encoder.
 */
export function encodeProduceRequest(args: ProduceRequestArgs): Buffer | undefined {
  if (args.transactionalId != null || (args.compression ?? 0) !== 0) return undefined;
  const producerId = toBigInt(args.producerId ?? -1);
  if (producerId === undefined) return undefined;
  const plan = PLAN;
  plan.next = 0;
  /** Each partition's smallest and largest record timestamp, in request order. */
  const ranges: number[] = [];
  let total = 2 + 2 + 4 + 4;
  for (const { topic, partitions } of args.topicData) {
    total += 2 + Buffer.byteLength(topic) + 4;
    for (const { messages } of partitions) {
      if (!timestampRange(messages, ranges)) return undefined;
      const first = ranges[ranges.length - 2]!;
      total += 4 + 4 + BATCH_OVERHEAD;
      for (let i = 0; i < messages.length; i++) {
        const size = planRecord(plan, messages[i] as PlainRecord, i, first);
        if (size < 0) return undefined;
        total += varIntSize(size) + size;
      }
    }
  }
  const buf = Buffer.allocUnsafe(total);
  let off = buf.writeInt16BE(-1, 0); // transactional id: null
  off = buf.writeInt16BE(args.acks, off);
  off = buf.writeInt32BE(args.timeout, off);
  off = buf.writeInt32BE(args.topicData.length, off);
  plan.next = 0;
  let range = 0;
  for (const { topic, partitions } of args.topicData) {
    off = buf.writeInt16BE(Buffer.byteLength(topic), off);
    off += buf.write(topic, off, 'utf8');
    off = buf.writeInt32BE(partitions.length, off);
    for (const { partition, firstSequence, messages } of partitions) {
      off = buf.writeInt32BE(Number(partition), off);
      const setSizeAt = off;
      off = buf.writeBigInt64BE(0n, off + 4); // first offset
      const lengthAt = off;
      off = buf.writeInt32BE(0, off + 4); // partition leader epoch
      off = buf.writeInt8(MAGIC, off);
      const crcAt = off;
      off += 4;
      const min = ranges[range++]!;
      const max = ranges[range++]!;
      off = buf.writeInt16BE(0, off); // attributes: no compression, create time, not transactional
      off = buf.writeInt32BE(messages.length - 1, off);
      off = buf.writeBigInt64BE(BigInt(min), off);
      off = buf.writeBigInt64BE(BigInt(max), off);
      off = buf.writeBigInt64BE(producerId, off);
      off = buf.writeInt16BE(args.producerEpoch ?? 0, off);
      off = buf.writeInt32BE(firstSequence ?? 0, off);
      off = buf.writeInt32BE(messages.length, off);
      for (let i = 0; i < messages.length; i++) {
        off = writeRecord(buf, off, messages[i] as PlainRecord, i, plan);
      }
      buf.writeUInt32BE(crc32c(buf, crcAt + 4, off), crcAt);
      buf.writeInt32BE(off - lengthAt - 4, lengthAt);
      buf.writeInt32BE(off - setSizeAt - 4, setSizeAt);
    }
  }
  return buf;
}

/**
 * Pushes the smallest and largest timestamp of `messages` onto `ranges`; false when there are no messages or one
 * timestamp is not a 13-digit decimal string (kafkajs orders timestamps as strings: same length, same order).
 */
function timestampRange(messages: readonly unknown[], ranges: number[]): boolean {
  if (messages.length === 0) return false;
  let min = MAX_TIMESTAMP;
  let max = 0;
  for (const message of messages) {
    const ts = (message as PlainRecord | null)?.timestamp;
    if (typeof ts !== 'string' || ts.length !== 13) return false;
    const value = Number(ts);
    if (!Number.isInteger(value) || value < MIN_TIMESTAMP) return false;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (max - min > MAX_TIMESTAMP_DELTA) return false;
  ranges.push(min, max);
  return true;
}

/**
 * Numbers the first pass works out and the second writes, in record order: per record its size, timestamp delta
 * and header count, then each header's name and value lengths. One array reused by every call (encoding is
 * synchronous); `next` is the read or write position.
 */
interface Plan {
  readonly values: number[];
  /** Per header, at the index of its name length in `values`: the name's cache entry, if any. */
  readonly names: (HeaderName | undefined)[];
  next: number;
}
const PLAN: Plan = { values: [], names: [], next: 0 };

/**
 * Adds a record to `plan` and returns its bytes after the length prefix, or -1 when the record is not one this
 * encoder writes.
 */
function planRecord(plan: Plan, record: PlainRecord, offsetDelta: number, first: number): number {
  const value = record.value;
  const key = record.key;
  if (!Buffer.isBuffer(value) || (key != null && !Buffer.isBuffer(key))) return -1;
  const values = plan.values;
  const at = plan.next;
  const delta = Number(record.timestamp) - first;
  let size = 1 + varIntSize(delta) + varIntSize(offsetDelta);
  size += key == null ? 1 : varIntSize(key.length) + key.length;
  size += varIntSize(value.length) + value.length;
  let next = at + 3;
  let count = 0;
  const headers = record.headers;
  if (headers) {
    for (const name in headers) {
      const text = headers[name];
      const entry = headerName(name);
      let valueLength: number;
      if (typeof text === 'string') valueLength = entry ? planValueLength(entry, text) : utf8Length(text);
      else if (Buffer.isBuffer(text)) valueLength = text.length;
      else return -1;
      const nameLength = entry ? entry.length : utf8Length(name);
      size += varIntSize(nameLength) + nameLength + varIntSize(valueLength) + valueLength;
      plan.names[next] = entry;
      values[next++] = nameLength;
      values[next++] = valueLength;
      count++;
    }
  }
  size += varIntSize(count);
  values[at] = size;
  values[at + 1] = delta;
  values[at + 2] = count;
  plan.next = next;
  return size;
}

/** Writes `record` as planned by {@link planRecord} (the plan's read position at its entry). */
function writeRecord(buf: Buffer, at: number, record: PlainRecord, offsetDelta: number, plan: Plan): number {
  const values = plan.values;
  let next = plan.next;
  let off = writeVarInt(buf, at, values[next]!);
  buf[off++] = 0; // attributes
  off = writeVarInt(buf, off, values[next + 1]!);
  off = writeVarInt(buf, off, offsetDelta);
  const count = values[next + 2]!;
  next += 3;
  const key = record.key;
  if (key == null)
    buf[off++] = 1; // zigzag(-1): null key
  else off = writeBytes(buf, off, key);
  off = writeBytes(buf, off, record.value);
  off = writeVarInt(buf, off, count);
  if (count > 0) {
    const headers = record.headers!;
    for (const name in headers) {
      const entry = plan.names[next];
      off = entry ? copyShort(buf, off, entry.encoded) : writeText(buf, off, name, values[next]!);
      const text = headers[name] as string | Buffer;
      const length = values[next + 1]!;
      next += 2;
      if (typeof text !== 'string') off = writeBytes(buf, off, text);
      else {
        const encoded = entry && encodedValue(entry, text);
        off = encoded ? copyShort(buf, off, encoded) : writeText(buf, off, text, length);
      }
    }
  }
  plan.next = next;
  return off;
}

function writeBytes(buf: Buffer, off: number, bytes: Buffer): number {
  off = writeVarInt(buf, off, bytes.length);
  buf.set(bytes, off);
  return off + bytes.length;
}

/** Writes `text` with its UTF-8 byte length `length` in front (ASCII when the lengths agree). */
function writeText(buf: Buffer, off: number, text: string, length: number): number {
  off = writeVarInt(buf, off, length);
  if (length !== text.length) return off + buf.write(text, off, length, 'utf8');
  for (let i = 0; i < length; i++) buf[off + i] = text.charCodeAt(i);
  return off + length;
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) return BigInt.asIntN(64, BigInt(value));
  const inner = (value as { value?: unknown } | null)?.value;
  return typeof inner === 'bigint' ? inner : undefined;
}
