import { isAscii } from 'node:buffer';
import { type WireMessage, writeUtf8 } from '@switchboard/core';

/**
 * The fields of a stream entry (see docs/wire-format/redis.md):
 * `body` (the bytes, required), `key` (ordering key, optional), `exp` (expiry, ms since the epoch,
 * optional) and one `h:<name>` field per header, reserved `sb-` headers included.
 */
export const FIELD = { body: 'body', key: 'key', expiresAt: 'exp', headerPrefix: 'h:' } as const;

/**
 * Why an entry without a `body` field is not a Switchboard message: set as `Delivery.invalid`, so the bus
 * dead-letters the entry with DECODE_FAILED and this text, and the consumer goes on.
 */
export const MISSING_BODY = 'the stream entry has no body field';

/** A stream entry decoded into what a delivery carries. */
export interface DecodedEntry {
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
  readonly key: string | undefined;
  /** When the entry expires (ms since the epoch), or undefined. */
  readonly expiresAt: number | undefined;
  /** Why the entry cannot be a Switchboard message (see {@link MISSING_BODY}), or undefined. */
  readonly invalid: string | undefined;
}

/** A field value as ioredis sends it. */
export type FieldValue = string | Buffer;

/** Appends the field/value pairs of `message` to `out` (XADD arguments after the id). */
export function encodeFields(message: WireMessage, out: FieldValue[], now: number): FieldValue[] {
  const bytes = message.body;
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // ioredis writes an all-string command on a much cheaper path than one holding a Buffer; an ASCII body
  // (most JSON) is byte-identical as a string, anything else stays binary.
  out.push(FIELD.body, isAscii(body) ? body.toString('latin1') : body);
  if (message.key !== undefined) out.push(FIELD.key, message.key);
  if (message.ttlMs !== undefined) out.push(FIELD.expiresAt, String(now + message.ttlMs));
  const headers = message.headers;
  for (const name in headers) out.push(FIELD.headerPrefix + name, headers[name] as string);
  return out;
}

/** Largest packed batch one publish script call carries (a single bigger message travels alone). */
export const MAX_PACKED_BYTES = 1 << 20;

/**
 * Packs messages for the publish script (`PUBLISH` in scripts.ts) in one pass: per message a big-endian
 * u32 count of field strings, then each field name and value as a u32 byte length and its bytes — the
 * fields of docs/wire-format/redis.md, in the order {@link encodeFields} writes them. Calls `emit` with
 * each packed chunk, at most {@link MAX_PACKED_BYTES} unless a single message is bigger. Every chunk is
 * a fresh Buffer: ioredis may write an argument again later (a cluster redirection).
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
    for (const name in headers) {
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
    for (const name in headers) off = putString(buf, putHeaderName(buf, off, name), headers[name] as string);
  }
  if (buf !== undefined && off > 0) emit(buf.subarray(0, off));
}

/** Packs one message as {@link packMessages} does (a reply in an inbox list is one such value). */
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

/** Header names seen before (they repeat on every message), keyed by a hash of their bytes. */
const NAMES = new Map<number, { bytes: Buffer; text: string }>();
const MAX_NAMES = 512;

/**
 * The UTF-8 text of `buf[start..]`, for short repeating strings (header names, content types): served
 * from {@link NAMES} after the first time, without allocating a string per entry.
 */
function cachedText(buf: Buffer, start: number): string {
  const end = buf.length;
  if (end - start > 64) return buf.toString('utf8', start);
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  const known = NAMES.get(hash);
  if (known !== undefined && known.bytes.length === end - start) {
    const bytes = known.bytes;
    let i = 0;
    while (i < bytes.length && bytes[i] === buf[start + i]) i++;
    if (i === bytes.length) return known.text;
  }
  const text = buf.toString('utf8', start);
  if (NAMES.size < MAX_NAMES) NAMES.set(hash, { bytes: Buffer.from(buf.subarray(start)), text });
  return text;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes the flat field list of an entry (as ioredis returns it from `callBuffer`: Buffers; a string is
 * accepted too). Unknown fields are ignored; a missing `body` yields an empty body marked `invalid`
 * ({@link MISSING_BODY}), so the bus dead-letters it.
 */
export function decodeFields(fields: readonly (Buffer | string)[]): DecodedEntry {
  let body: Uint8Array | undefined;
  let key: string | undefined;
  let expiresAt: number | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = asBuffer(fields[i]!);
    const value = asBuffer(fields[i + 1]!);
    // 'h' = 0x68, ':' = 0x3a
    if (name.length >= 2 && name[0] === 0x68 && name[1] === 0x3a) {
      const header = cachedText(name, 2);
      headers[header] = header === CONTENT_TYPE ? cachedText(value, 0) : value.toString('utf8');
      continue;
    }
    if (isField(name, BODY)) body = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    else if (isField(name, KEY)) key = value.toString('utf8');
    else if (isField(name, EXPIRES)) {
      const at = Number(value.toString('latin1'));
      if (Number.isFinite(at)) expiresAt = at;
    }
  }
  if (body === undefined) return { body: EMPTY, headers, key, expiresAt, invalid: MISSING_BODY };
  return { body, headers, key, expiresAt, invalid: undefined };
}

const CONTENT_TYPE = 'sb-content-type';
const BODY = Buffer.from(FIELD.body, 'latin1');
const KEY = Buffer.from(FIELD.key, 'latin1');
const EXPIRES = Buffer.from(FIELD.expiresAt, 'latin1');

function asBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function isField(name: Buffer, field: Buffer): boolean {
  if (name.length !== field.length) return false;
  for (let i = 0; i < field.length; i++) if (name[i] !== field[i]) return false;
  return true;
}
