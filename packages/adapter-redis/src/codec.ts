import { isAscii } from 'node:buffer';
import type { WireMessage } from '@switchboard/core';
import {
  BAD_RESERVED_FIELD,
  isReservedName,
  parseReservedField,
  RESERVED_FIELD,
  reservedFieldOf,
} from './reserved-field.js';

/**
 * The fields of a stream entry (see docs/wire-format/redis.md):
 * `body` (the bytes, required), `key` (ordering key, optional), `exp` (expiry, ms since the epoch,
 * optional), `sb` (the reserved `sb-` headers as one JSON object, see reserved-field.ts) and one
 * `h:<name>` field per other header. Entries from raw clients may carry reserved headers as `h:sb-…`.
 */
export const FIELD = {
  body: 'body',
  key: 'key',
  expiresAt: 'exp',
  reserved: RESERVED_FIELD,
  headerPrefix: 'h:',
} as const;

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
  const reserved = reservedFieldOf(headers);
  if (reserved !== undefined) out.push(FIELD.reserved, reserved);
  for (const name in headers) {
    if (!isReservedName(name)) out.push(FIELD.headerPrefix + name, headers[name] as string);
  }
  return out;
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
 * ({@link MISSING_BODY}), so the bus dead-letters it; so does an `sb` field that is not a JSON object of
 * strings. A header both in `sb` and as an `h:` field takes the `h:` value.
 */
export function decodeFields(fields: readonly (Buffer | string)[]): DecodedEntry {
  let body: Uint8Array | undefined;
  let key: string | undefined;
  let expiresAt: number | undefined;
  let reserved: Buffer | undefined;
  let headers: Record<string, string> | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = asBuffer(fields[i]!);
    const value = asBuffer(fields[i + 1]!);
    // 'h' = 0x68, ':' = 0x3a
    if (name.length >= 2 && name[0] === 0x68 && name[1] === 0x3a) {
      const header = cachedText(name, 2);
      headers ??= {};
      headers[header] = header === CONTENT_TYPE ? cachedText(value, 0) : value.toString('utf8');
      continue;
    }
    if (isField(name, BODY)) body = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    else if (isField(name, RESERVED)) reserved = value;
    else if (isField(name, KEY)) key = value.toString('utf8');
    else if (isField(name, EXPIRES)) {
      const at = Number(value.toString('latin1'));
      if (Number.isFinite(at)) expiresAt = at;
    }
  }
  let invalid = body === undefined ? MISSING_BODY : undefined;
  if (reserved !== undefined) {
    const packed = parseReservedField(reserved.toString('utf8'));
    if (packed === undefined) invalid ??= BAD_RESERVED_FIELD;
    else if (headers === undefined) headers = packed;
    else for (const name in packed) if (!Object.hasOwn(headers, name)) headers[name] = packed[name]!;
  }
  return { body: body ?? EMPTY, headers: headers ?? {}, key, expiresAt, invalid };
}

const CONTENT_TYPE = 'sb-content-type';
const BODY = Buffer.from(FIELD.body, 'latin1');
const KEY = Buffer.from(FIELD.key, 'latin1');
const EXPIRES = Buffer.from(FIELD.expiresAt, 'latin1');
const RESERVED = Buffer.from(FIELD.reserved, 'latin1');

function asBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function isField(name: Buffer, field: Buffer): boolean {
  if (name.length !== field.length) return false;
  for (let i = 0; i < field.length; i++) if (name[i] !== field[i]) return false;
  return true;
}
