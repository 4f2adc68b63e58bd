import { type WireMessage, writeUtf8 } from '@switchboard/core';
import { type DecodedEntry, decodeFields, FIELD } from './codec.js';
import { isReservedName, reservedFieldOf } from './reserved-field.js';

/** Largest packed batch one publish script call carries (a single bigger message travels alone). */
export const MAX_PACKED_BYTES = 1 << 20;

/**
 * Packs messages for the publish script (`PUBLISH` in scripts.ts) in one pass: per message a big-endian
 * u32 count of field strings, then each field name and value as a u32 byte length and its bytes — the
 * fields of docs/wire-format/redis.md, in the order `encodeFields` (codec.ts) writes them. Calls `emit`
 * with each packed chunk, at most {@link MAX_PACKED_BYTES} unless a single message is bigger. Every chunk
 * is a fresh Buffer: ioredis may write an argument again later (a cluster redirection).
 */
export function packMessages(
  messages: readonly WireMessage[],
  now: number,
  emit: (packed: Buffer) => void,
): void {
  let buf: Buffer | undefined;
  let off = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const headers = message.headers;
    const key = message.key;
    const expires = message.ttlMs === undefined ? undefined : String(now + message.ttlMs);
    const reserved = reservedFieldOf(headers);
    // An upper bound of the packed size: UTF-8 takes at most 3 bytes per UTF-16 unit.
    let bound = 16 + message.body.byteLength;
    let fields = 2;
    if (key !== undefined) {
      bound += 11 + key.length * 3;
      fields += 2;
    }
    if (expires !== undefined) {
      bound += 11 + expires.length;
      fields += 2;
    }
    if (reserved !== undefined) {
      bound += 10 + reserved.length * 3;
      fields += 2;
    }
    for (const name in headers) {
      if (isReservedName(name)) continue;
      bound += 8 + (name.length + 2 + (headers[name] as string).length) * 3;
      fields += 2;
    }
    if (buf === undefined || off + bound > buf.length) {
      if (buf !== undefined && off > 0) emit(buf.subarray(0, off));
      buf = Buffer.allocUnsafe(Math.max(bound, Math.min(MAX_PACKED_BYTES, bound * (messages.length - i))));
      off = 0;
    }
    putU32(buf, off, fields);
    off = putString(buf, off + 4, FIELD.body);
    const body = message.body;
    putU32(buf, off, body.byteLength);
    buf.set(body, off + 4);
    off += 4 + body.byteLength;
    if (key !== undefined) off = putString(buf, putString(buf, off, FIELD.key), key);
    if (expires !== undefined) off = putString(buf, putString(buf, off, FIELD.expiresAt), expires);
    if (reserved !== undefined) off = putString(buf, putString(buf, off, FIELD.reserved), reserved);
    for (const name in headers) {
      if (isReservedName(name)) continue;
      off = putString(buf, putHeaderName(buf, off, name), headers[name] as string);
    }
  }
  if (buf !== undefined && off > 0) emit(buf.subarray(0, off));
}

/** Packs one message as {@link packMessages} does (a reply, published to an inbox, is one such value). */
export function packMessage(message: WireMessage, now: number): Buffer {
  let packed: Buffer | undefined;
  packMessages([message], now, (chunk) => {
    packed = chunk;
  });
  return packed!;
}

/**
 * Decodes one message packed by {@link packMessage}. A value that is not such a packing (truncated, or
 * written by hand) decodes like an entry without fields: an empty body marked invalid.
 */
export function decodePacked(packed: Buffer): DecodedEntry {
  const fields: Buffer[] = [];
  const end = packed.length;
  if (end >= 4) {
    const count = packed.readUInt32BE(0);
    let off = 4;
    for (let i = 0; i < count && off + 4 <= end; i++) {
      const next = off + 4 + packed.readUInt32BE(off);
      if (next > end) break;
      fields.push(packed.subarray(off + 4, next));
      off = next;
    }
    if (fields.length !== count) fields.length = 0;
  }
  return decodeFields(fields);
}

/** Writes a u32 length and the UTF-8 bytes of `value`; returns the offset after them. */
function putString(buf: Buffer, off: number, value: string): number {
  const length = writeUtf8(buf, off + 4, value);
  putU32(buf, off, length);
  return off + 4 + length;
}

/** Writes the field name of header `name` (`h:<name>`) as {@link putString} would, without building it. */
function putHeaderName(buf: Buffer, off: number, name: string): number {
  buf[off + 4] = 0x68; // 'h'
  buf[off + 5] = 0x3a; // ':'
  const length = 2 + writeUtf8(buf, off + 6, name);
  putU32(buf, off, length);
  return off + 4 + length;
}

/** Writes `n` (0 ≤ n < 2³²) big-endian at `off`: what `writeUInt32BE` does, without its range checks. */
function putU32(buf: Buffer, off: number, n: number): void {
  buf[off] = n >>> 24;
  buf[off + 1] = (n >>> 16) & 0xff;
  buf[off + 2] = (n >>> 8) & 0xff;
  buf[off + 3] = n & 0xff;
}
