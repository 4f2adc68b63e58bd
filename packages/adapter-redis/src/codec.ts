import { isAscii } from 'node:buffer';
import type { WireMessage } from '@switchboard/core';

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

const EMPTY = new Uint8Array(0);

/**
 * Decodes the flat field list of an entry (as Buffers). Unknown fields are ignored; a missing `body`
 * yields an empty body marked `invalid` ({@link MISSING_BODY}), so the bus dead-letters it.
 */
export function decodeFields(fields: readonly Buffer[]): DecodedEntry {
  let body: Uint8Array | undefined;
  let key: string | undefined;
  let expiresAt: number | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    // 'h' = 0x68, ':' = 0x3a
    if (name.length >= 2 && name[0] === 0x68 && name[1] === 0x3a) {
      headers[name.toString('utf8', 2)] = value.toString('utf8');
      continue;
    }
    const field = name.toString('latin1');
    if (field === FIELD.body) body = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    else if (field === FIELD.key) key = value.toString('utf8');
    else if (field === FIELD.expiresAt) {
      const at = Number(value.toString('latin1'));
      if (Number.isFinite(at)) expiresAt = at;
    }
  }
  if (body === undefined) return { body: EMPTY, headers, key, expiresAt, invalid: MISSING_BODY };
  return { body, headers, key, expiresAt, invalid: undefined };
}
