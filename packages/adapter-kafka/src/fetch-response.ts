import { ByteReader, Unsupported } from './byte-reader.js';

/** A record as kafkajs 2.2.4's Fetch decoder gives it to the consumer (`RecordDecoder` of record batch v0). */
export interface FetchedRecord {
  readonly magicByte: number;
  readonly attributes: number;
  readonly timestamp: string;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | null | (Buffer | null)[]>;
  readonly isControlRecord: boolean;
  readonly batchContext: BatchContext;
}

/** What kafkajs attaches to every record of a record batch. */
interface BatchContext {
  readonly firstOffset: string;
  readonly firstTimestamp: string;
  readonly partitionLeaderEpoch: number;
  readonly inTransaction: boolean;
  readonly isControlBatch: boolean;
  readonly lastOffsetDelta: number;
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly firstSequence: number;
  readonly maxTimestamp: string;
  readonly timestampType: number;
  readonly magicByte: number;
}

/** The magic byte of record batches (message format v2); older message sets are left to kafkajs. */
const MAGIC = 2;
/** Where the magic byte sits in a record batch, and the least bytes kafkajs tries to read one from. */
const MAGIC_OFFSET = 16;
const RECORD_BATCH_OVERHEAD = 49;
const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_MASK = 0x08;
const TRANSACTIONAL_MASK = 0x10;
const CONTROL_MASK = 0x20;
const LOG_APPEND_TIME = 1;
const CREATE_TIME = 0;

/**
 * Decodes a Fetch response body (v11) into exactly what kafkajs 2.2.4's `fetch/v11/response` `decode` returns —
 * with one reader over the buffer instead of a decoder object, 64-bit offset arithmetic on strings and an
 * object spread per header for every record. Handles uncompressed record batches (magic 2) that are not control
 * batches; returns `undefined` for anything else (compression, control records, old message sets, a value
 * beyond 2^53, a header named `__proto__`, a malformed response), which kafkajs then decodes itself.
 * `test/fetch-response.test.ts` compares the output with kafkajs' decoder.
 */
export function decodeFetchResponse(raw: Buffer): unknown {
  try {
    const reader = new ByteReader(raw, 0, raw.length);
    const clientSideThrottleTime = reader.int32();
    const errorCode = reader.int16();
    const sessionId = reader.int32();
    const responses = array(reader, () => ({
      topicName: reader.string(),
      partitions: array(reader, partition),
    }));
    return { throttleTime: 0, clientSideThrottleTime, errorCode, sessionId, responses };
  } catch {
    return undefined; // Unsupported, a RangeError on a malformed response, or anything unforeseen: kafkajs decodes
  }
}

/** An int32-counted array (kafkajs' `readArray`: -1 is empty). */
function array<T>(reader: ByteReader, read: (reader: ByteReader) => T): T[] {
  const length = reader.int32();
  if (length === -1) return [];
  if (length < 0) throw new Unsupported('negative count');
  const items: T[] = [];
  for (let i = 0; i < length; i++) items.push(read(reader));
  return items;
}

function partition(reader: ByteReader) {
  return {
    partition: reader.int32(),
    errorCode: reader.int16(),
    highWatermark: String(reader.int64()),
    lastStableOffset: String(reader.int64()),
    lastStartOffset: String(reader.int64()),
    abortedTransactions: array(reader, () => ({
      producerId: String(reader.int64()),
      firstOffset: String(reader.int64()),
    })),
    preferredReadReplica: reader.int32(),
    messages: recordSet(reader),
  };
}

/** A partition's records (kafkajs' `fetch/v4/decodeMessages`): batches until the (possibly cut) tail. */
function recordSet(reader: ByteReader): FetchedRecord[] {
  const size = reader.int32();
  if (size <= 0) return [];
  if (reader.pos + size > reader.end) throw new Unsupported('record set beyond the response');
  const start = reader.pos;
  const end = start + size;
  reader.pos = end;
  if (size <= MAGIC_OFFSET || reader.buf[start + MAGIC_OFFSET] !== MAGIC)
    throw new Unsupported('message set');
  const records: FetchedRecord[] = [];
  const batch = new ByteReader(reader.buf, start, end);
  while (end - batch.pos >= RECORD_BATCH_OVERHEAD) {
    const firstOffset = batch.int64();
    const length = batch.int32();
    if (length < 0) throw new Unsupported('negative batch length');
    const batchEnd = batch.pos + length;
    if (batchEnd > end) break; // the tail of a fetch may be cut by maxBytes
    const outer = batch.end;
    batch.end = batchEnd;
    recordBatch(batch, firstOffset, records);
    batch.pos = batchEnd;
    batch.end = outer;
  }
  return records;
}

/** One record batch from its partition leader epoch on (kafkajs' `recordBatch/v0/decoder`). */
function recordBatch(reader: ByteReader, firstOffset: number, records: FetchedRecord[]): void {
  const partitionLeaderEpoch = reader.int32();
  const magicByte = reader.int8();
  if (magicByte !== MAGIC) throw new Unsupported('message set');
  reader.int32(); // the CRC, which kafkajs does not check either
  const attributes = reader.int16();
  if ((attributes & (COMPRESSION_MASK | CONTROL_MASK)) !== 0)
    throw new Unsupported('compressed or control batch');
  const lastOffsetDelta = reader.int32();
  const firstTimestamp = reader.int64();
  const maxTimestamp = String(reader.int64());
  const context: BatchContext = {
    firstOffset: String(firstOffset),
    firstTimestamp: String(firstTimestamp),
    partitionLeaderEpoch,
    inTransaction: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControlBatch: false,
    lastOffsetDelta,
    producerId: String(reader.int64()),
    producerEpoch: reader.int16(),
    firstSequence: reader.int32(),
    maxTimestamp,
    timestampType: (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? LOG_APPEND_TIME : CREATE_TIME,
    magicByte,
  };
  const count = reader.int32();
  const appendTime = context.timestampType === LOG_APPEND_TIME;
  for (let i = 0; i < count; i++) {
    const length = reader.varInt();
    const recordEnd = reader.pos + length;
    if (length < 0 || recordEnd > reader.end) throw new RangeError('record beyond its batch');
    const outer = reader.end;
    reader.end = recordEnd;
    const recordAttributes = reader.int8();
    const timestampDelta = reader.varLong();
    const offsetDelta = reader.varInt();
    const key = reader.varIntBytes();
    const value = reader.varIntBytes();
    const headers = recordHeaders(reader);
    reader.pos = recordEnd;
    reader.end = outer;
    records.push({
      magicByte,
      attributes: recordAttributes,
      timestamp: appendTime ? maxTimestamp : String(firstTimestamp + timestampDelta),
      offset: String(firstOffset + offsetDelta),
      key,
      value,
      headers,
      isControlRecord: false,
      batchContext: context,
    });
  }
}

/** A record's headers as kafkajs gives them: name → value, or every value in order when a name repeats. */
function recordHeaders(reader: ByteReader): Record<string, Buffer | null | (Buffer | null)[]> {
  const headers: Record<string, Buffer | null | (Buffer | null)[]> = {};
  const count = reader.varInt();
  if (count < -1) throw new Unsupported('negative count');
  for (let i = 0; i < count; i++) {
    const name = reader.varIntString();
    if (name === '__proto__') throw new Unsupported('a header named __proto__');
    const value = reader.varIntBytes();
    const key = String(name); // kafkajs keys a null name as "null"
    const earlier = headers[key];
    if (earlier === undefined) headers[key] = value;
    else if (Array.isArray(earlier)) earlier.push(value);
    else headers[key] = [earlier, value];
  }
  return headers;
}
