/**
 * Decodes the frames a consumer receives most — `basic.deliver`, the content header with its properties, body
 * frames, and publisher confirms (`basic.ack`) — into exactly the objects amqplib 2.x's `decodeFrame` makes for
 * them (see lean-frames.ts for where they go). Every other frame, and any of these the decoder is not sure of
 * (a header table value that is a nested table, an array, a decimal, a timestamp or bytes; a content class
 * other than basic), is left to amqplib: the functions return `undefined` and read nothing.
 *
 * Contract: `buffer` holds one whole frame from `start` (type byte) — `size` payload bytes from `start + 7`,
 * the frame-end byte checked by the caller. Never throws on a well-formed frame.
 */

import { FRAME_BODY, FRAME_HEADER, FRAME_METHOD } from './amqp-frame.js';
import { ShortTextMemo } from './text-memo.js';

/** class 60 (basic), method 60 (deliver) and 80 (ack), as amqplib's method ids. */
const BASIC_DELIVER = (60 << 16) | 60;
const BASIC_ACK = (60 << 16) | 80;
/** amqplib's id of the basic content header (its class id). */
const BASIC_PROPERTIES = 60;

/** Fields that repeat from message to message keep their decoded string (see {@link ShortTextMemo}). */
const consumerTags = new ShortTextMemo();
const exchanges = new ShortTextMemo();
const routingKeys = new ShortTextMemo();
const contentTypes = new ShortTextMemo();
const replyTos = new ShortTextMemo();
/** Header names by their position in the table (most messages of a stream carry the same names). */
const headerNames = [new ShortTextMemo(), new ShortTextMemo(), new ShortTextMemo(), new ShortTextMemo()];
const spareNames = new ShortTextMemo();

/** The frame objects amqplib's `decodeFrame` returns, for the frames decoded here. */
export type DecodedFrame =
  | { id: number; channel: number; fields: object }
  | { id: number; channel: number; size: number; fields: object }
  | { channel: number; content: Buffer };

/** The frame at `start` as amqplib would decode it, or undefined when amqplib should decode it. */
export function decodeFrame(buffer: Buffer, start: number, size: number): DecodedFrame | undefined {
  const type = buffer[start];
  const channel = (buffer[start + 1]! << 8) | buffer[start + 2]!;
  const at = start + 7;
  if (type === FRAME_BODY) return { channel, content: buffer.subarray(at, at + size) };
  if (type === FRAME_METHOD && size >= 4) {
    const id = buffer.readUInt32BE(at);
    if (id === BASIC_DELIVER) {
      const fields = decodeDeliver(buffer, at + 4, at + size);
      return fields === undefined ? undefined : { id, channel, fields };
    }
    if (id === BASIC_ACK && size >= 13) {
      const fields = { deliveryTag: readUInt64(buffer, at + 4), multiple: (buffer[at + 12]! & 1) === 1 };
      return { id, channel, fields };
    }
    return undefined;
  }
  if (type === FRAME_HEADER && size >= 14 && buffer.readUInt16BE(at) === BASIC_PROPERTIES) {
    const fields = decodeProperties(buffer, at + 12, at + size);
    if (fields === undefined) return undefined;
    return { id: BASIC_PROPERTIES, channel, size: readUInt64(buffer, at + 4), fields };
  }
  return undefined;
}

/**
 * A 64-bit big-endian integer as a number, the same as amqplib's `Number(readBigUInt64BE())` without a BigInt:
 * the high half times 2^32 is exact and the sum is rounded once, as the BigInt's conversion is.
 */
function readUInt64(buffer: Buffer, at: number): number {
  return buffer.readUInt32BE(at) * 0x100000000 + buffer.readUInt32BE(at + 4);
}

/** The signed counterpart of {@link readUInt64} (amqplib: `Number(readBigInt64BE())`). */
function readInt64(buffer: Buffer, at: number): number {
  return buffer.readInt32BE(at) * 0x100000000 + buffer.readUInt32BE(at + 4);
}

/** A short string (length byte + UTF-8) at `at`, through `memo` when given. */
function shortText(buffer: Buffer, at: number, memo?: ShortTextMemo): string {
  const length = buffer[at]!;
  if (length === 0) return '';
  return memo ? memo.read(buffer, at + 1, length) : buffer.toString('utf8', at + 1, at + 1 + length);
}

/** `basic.deliver`'s arguments from `at`; undefined when they overrun `end` (amqplib then reports it). */
function decodeDeliver(buffer: Buffer, at: number, end: number) {
  const consumerTag = shortText(buffer, at, consumerTags);
  let offset = at + 1 + buffer[at]!;
  const deliveryTag = readUInt64(buffer, offset);
  const redelivered = (buffer[offset + 8]! & 1) === 1;
  offset += 9;
  const exchange = shortText(buffer, offset, exchanges);
  offset += 1 + buffer[offset]!;
  if (offset + 1 + buffer[offset]! > end) return undefined;
  const routingKey = shortText(buffer, offset, routingKeys);
  return { consumerTag, deliveryTag, redelivered, exchange, routingKey };
}

/** Basic properties (flags at `at`) in amqplib's object shape; undefined when the header table is not simple. */
function decodeProperties(buffer: Buffer, at: number, end: number): object | undefined {
  const flags = buffer.readUInt16BE(at);
  if (flags === 0) return {};
  const fields = {
    contentType: undefined as string | undefined,
    contentEncoding: undefined as string | undefined,
    headers: undefined as Record<string, unknown> | undefined,
    deliveryMode: undefined as number | undefined,
    priority: undefined as number | undefined,
    correlationId: undefined as string | undefined,
    replyTo: undefined as string | undefined,
    expiration: undefined as string | undefined,
    messageId: undefined as string | undefined,
    timestamp: undefined as number | undefined,
    type: undefined as string | undefined,
    userId: undefined as string | undefined,
    appId: undefined as string | undefined,
    clusterId: undefined as string | undefined,
  };
  let offset = at + 2;
  if (flags & 0x8000) {
    fields.contentType = shortText(buffer, offset, contentTypes);
    offset += 1 + buffer[offset]!;
  }
  if (flags & 0x4000) {
    fields.contentEncoding = shortText(buffer, offset);
    offset += 1 + buffer[offset]!;
  }
  if (flags & 0x2000) {
    const tableEnd = offset + 4 + buffer.readUInt32BE(offset);
    if (tableEnd > end) return undefined;
    const headers = decodeTable(buffer, offset + 4, tableEnd);
    if (headers === undefined) return undefined;
    fields.headers = headers;
    offset = tableEnd;
  }
  if (flags & 0x1000) fields.deliveryMode = buffer[offset++];
  if (flags & 0x0800) fields.priority = buffer[offset++];
  if (flags & 0x0400) {
    fields.correlationId = shortText(buffer, offset);
    offset += 1 + buffer[offset]!;
  }
  if (flags & 0x0200) {
    fields.replyTo = shortText(buffer, offset, replyTos);
    offset += 1 + buffer[offset]!;
  }
  if (flags & 0x0100) {
    fields.expiration = shortText(buffer, offset);
    offset += 1 + buffer[offset]!;
  }
  if (flags & 0x0080) {
    fields.messageId = shortText(buffer, offset);
    offset += 1 + buffer[offset]!;
  }
  if (flags & 0x0040) {
    fields.timestamp = readUInt64(buffer, offset);
    offset += 8;
  }
  // type, user id, app id, cluster id: rare; amqplib decodes them.
  if (flags & 0x003c) return undefined;
  return offset <= end ? fields : undefined;
}

/**
 * A header table of scalar values (long strings, integers, booleans, floats, void) as amqplib decodes it;
 * undefined for any other value type.
 */
function decodeTable(buffer: Buffer, from: number, end: number): Record<string, unknown> | undefined {
  const table: Record<string, unknown> = {};
  let offset = from;
  let index = 0;
  while (offset < end) {
    const nameLength = buffer[offset]!;
    const name = (headerNames[index] ?? spareNames).read(buffer, offset + 1, nameLength);
    index++;
    offset += 1 + nameLength;
    const tag = buffer[offset++];
    let value: unknown;
    switch (tag) {
      case 0x53: {
        // 'S' long string
        const length = buffer.readUInt32BE(offset);
        value = buffer.toString('utf8', offset + 4, offset + 4 + length);
        offset += 4 + length;
        break;
      }
      case 0x6c: // 'l' signed 64-bit (RabbitMQ's x-delivery-count)
        value = readInt64(buffer, offset);
        offset += 8;
        break;
      case 0x49: // 'I' signed 32-bit
        value = buffer.readInt32BE(offset);
        offset += 4;
        break;
      case 0x69: // 'i' unsigned 32-bit
        value = buffer.readUInt32BE(offset);
        offset += 4;
        break;
      case 0x74: // 't' boolean
        value = buffer[offset++] !== 0;
        break;
      default:
        return undefined;
    }
    table[name] = value;
  }
  return offset === end ? table : undefined;
}
