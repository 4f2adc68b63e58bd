/**
 * Encodes one AMQP 0-9-1 `basic.publish` — method frame, content header frame and body frame(s) — into a
 * single buffer, byte for byte what amqplib 2.x writes for the same fields (see confirm-publish.ts for why
 * the adapter does not let amqplib encode it). Only the properties the adapter sets are supported; header
 * table values are always long strings (`S`), which is all Switchboard writes.
 *
 * Contract: throws a TypeError (nothing written) when the exchange, routing key, a short-string property or
 * a header name exceeds 255 bytes of UTF-8, or when `frameMax` leaves no room for a body frame.
 */
import { writeUtf8 } from '@switchboard/core';
import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_METHOD } from './amqp-frame.js';

/** The message properties this encoder writes (the subset of AMQP basic properties the adapter uses). */
export interface PublishProperties {
  contentType?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  /** 1 transient, 2 persistent. */
  deliveryMode: number;
  priority?: number | undefined;
  correlationId?: string | undefined;
  replyTo?: string | undefined;
  expiration?: string | undefined;
  messageId?: string | undefined;
  /** Seconds since the epoch. */
  timestamp?: number | undefined;
}

/** Type byte, channel (2), payload size (4) before the payload; frame-end byte after it. */
const FRAME_OVERHEAD = 8;
/** class 60 (basic), method 40 (publish). */
const BASIC_PUBLISH = (60 << 16) | 40;
/** class 60 (basic), weight 0. */
const BASIC_HEADER = 60 << 16;

/** Messages up to this many bytes are encoded into a shared slab (one allocation per slab, not per message). */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_MESSAGE = 8 * 1024;
let slab = Buffer.allocUnsafe(SLAB_SIZE);
let slabOffset = 0;

/** Most UTF-8 bytes `text` can take (3 per UTF-16 unit). */
function maxBytes(text: string): number {
  return text.length * 3;
}

/** Writes `text` as UTF-8 at `offset` and returns the offset after it. */
function writeText(buffer: Buffer, offset: number, text: string): number {
  return offset + writeUtf8(buffer, offset, text);
}

/** Writes an AMQP short string (length byte + UTF-8) and returns the offset after it. */
function writeShortString(buffer: Buffer, offset: number, text: string, field: string): number {
  const end = writeText(buffer, offset + 1, text);
  const size = end - offset - 1;
  if (size > 255) throw new TypeError(`AMQP field '${field}' is longer than 255 bytes`);
  buffer[offset] = size;
  return end;
}

/** Writes an AMQP long string (32-bit length + UTF-8) and returns the offset after it. */
function writeLongString(buffer: Buffer, offset: number, text: string): number {
  const end = writeText(buffer, offset + 4, text);
  buffer.writeUInt32BE(end - offset - 4, offset);
  return end;
}

/** Upper bound of the encoded property list of `properties`. */
function maxPropertyBytes(p: PublishProperties): number {
  let size = 1; // delivery mode
  if (p.contentType !== undefined) size += 1 + maxBytes(p.contentType);
  if (p.headers !== undefined) {
    size += 4;
    const headers = p.headers;
    for (const name in headers) size += 1 + maxBytes(name) + 5 + maxBytes(headers[name] as string);
  }
  if (p.priority !== undefined) size += 1;
  if (p.correlationId !== undefined) size += 1 + maxBytes(p.correlationId);
  if (p.replyTo !== undefined) size += 1 + maxBytes(p.replyTo);
  if (p.expiration !== undefined) size += 1 + maxBytes(p.expiration);
  if (p.messageId !== undefined) size += 1 + maxBytes(p.messageId);
  if (p.timestamp !== undefined) size += 8;
  return size;
}

/** Writes the content header frame's flags and property list at `offset`; returns the offset after it. */
function writeProperties(buffer: Buffer, flagsAt: number, p: PublishProperties): number {
  let flags = 0;
  let offset = flagsAt + 2;
  if (p.contentType !== undefined) {
    flags |= 0x8000;
    offset = writeShortString(buffer, offset, p.contentType, 'contentType');
  }
  if (p.headers !== undefined) {
    flags |= 0x2000;
    const tableAt = offset;
    offset += 4;
    const headers = p.headers;
    for (const name in headers) {
      offset = writeShortString(buffer, offset, name, 'header name');
      buffer[offset++] = 0x53; // 'S': long string
      offset = writeLongString(buffer, offset, headers[name] as string);
    }
    buffer.writeUInt32BE(offset - tableAt - 4, tableAt);
  }
  flags |= 0x1000;
  buffer[offset++] = p.deliveryMode;
  if (p.priority !== undefined) {
    flags |= 0x0800;
    buffer[offset++] = p.priority;
  }
  if (p.correlationId !== undefined) {
    flags |= 0x0400;
    offset = writeShortString(buffer, offset, p.correlationId, 'correlationId');
  }
  if (p.replyTo !== undefined) {
    flags |= 0x0200;
    offset = writeShortString(buffer, offset, p.replyTo, 'replyTo');
  }
  if (p.expiration !== undefined) {
    flags |= 0x0100;
    offset = writeShortString(buffer, offset, p.expiration, 'expiration');
  }
  if (p.messageId !== undefined) {
    flags |= 0x0080;
    offset = writeShortString(buffer, offset, p.messageId, 'messageId');
  }
  if (p.timestamp !== undefined) {
    flags |= 0x0040;
    // 64-bit big-endian seconds, written as two 32-bit halves (no BigInt per message).
    const seconds = Math.max(0, Math.floor(p.timestamp));
    buffer.writeUInt32BE(Math.floor(seconds / 0x100000000), offset);
    buffer.writeUInt32BE(seconds >>> 0, offset + 4);
    offset += 8;
  }
  buffer.writeUInt16BE(flags, flagsAt);
  return offset;
}

/** Writes a 64-bit big-endian unsigned integer below 2^53. */
function writeUInt64(buffer: Buffer, value: number, offset: number): void {
  buffer.writeUInt32BE(Math.floor(value / 0x100000000), offset);
  buffer.writeUInt32BE(value >>> 0, offset + 4);
}

/**
 * The frames of one `basic.publish` of `body` to `exchange` with `routingKey` on `channel`, as one buffer
 * (a view of exactly the encoded bytes). Bodies longer than `frameMax - 8` are split over several body frames.
 */
export function encodePublish(
  channel: number,
  frameMax: number,
  exchange: string,
  routingKey: string,
  body: Uint8Array,
  properties: PublishProperties,
): Buffer {
  const maxBody = frameMax - FRAME_OVERHEAD;
  if (!(maxBody > 0)) throw new TypeError(`frameMax ${frameMax} leaves no room for a body frame`);
  const bodyFrames = body.length === 0 ? 0 : Math.ceil(body.length / maxBody);
  const methodMax = FRAME_OVERHEAD + 4 + 2 + 1 + maxBytes(exchange) + 1 + maxBytes(routingKey) + 1;
  const headerMax = FRAME_OVERHEAD + 14 + maxPropertyBytes(properties);
  const upper = methodMax + headerMax + bodyFrames * FRAME_OVERHEAD + body.length;
  let buffer: Buffer;
  let start = 0;
  if (upper > SLAB_MAX_MESSAGE) buffer = Buffer.allocUnsafe(upper);
  else {
    if (slabOffset + upper > SLAB_SIZE) {
      slab = Buffer.allocUnsafe(SLAB_SIZE);
      slabOffset = 0;
    }
    buffer = slab;
    start = slabOffset;
  }

  // Method frame: basic.publish(ticket 0, exchange, routing key, mandatory/immediate off).
  buffer[start] = FRAME_METHOD;
  buffer.writeUInt16BE(channel, start + 1);
  let offset = start + 7;
  buffer.writeUInt32BE(BASIC_PUBLISH, offset);
  buffer.writeUInt16BE(0, offset + 4);
  offset = writeShortString(buffer, offset + 6, exchange, 'exchange');
  offset = writeShortString(buffer, offset, routingKey, 'routingKey');
  buffer[offset++] = 0;
  buffer.writeUInt32BE(offset - start - 7, start + 3);
  buffer[offset++] = FRAME_END;

  // Content header frame: class, weight, body size, property flags and list.
  const headerStart = offset;
  buffer[headerStart] = FRAME_HEADER;
  buffer.writeUInt16BE(channel, headerStart + 1);
  buffer.writeUInt32BE(BASIC_HEADER, headerStart + 7);
  writeUInt64(buffer, body.length, headerStart + 11);
  offset = writeProperties(buffer, headerStart + 19, properties);
  buffer.writeUInt32BE(offset - headerStart - 7, headerStart + 3);
  buffer[offset++] = FRAME_END;

  // Body frames.
  for (let from = 0; from < body.length; from += maxBody) {
    const to = Math.min(from + maxBody, body.length);
    buffer[offset] = FRAME_BODY;
    buffer.writeUInt16BE(channel, offset + 1);
    buffer.writeUInt32BE(to - from, offset + 3);
    buffer.set(from === 0 && to === body.length ? body : body.subarray(from, to), offset + 7);
    offset += 7 + (to - from);
    buffer[offset++] = FRAME_END;
  }

  if (buffer === slab) slabOffset = offset;
  return buffer.subarray(start, offset);
}
