/**
 * The NATS header block (`NATS/1.0␍␊Key: value␍␊…␍␊`) written and read as bytes, without the client's
 * `MsgHdrs` map: the map validates and case-checks every key against every other on each append and parses
 * the block into arrays on each read, which was the largest share of the adapter's per-message cost. The
 * text is the same as the client would write (see codec.ts for which keys and values are encoded words).
 *
 * Two client internals are relied on, both pinned by the exact @nats-io versions in package.json and
 * covered by the raw-client interop tests: `publish()` only calls `encode()` on the `headers` option, and a
 * received message keeps its raw bytes in `_rdata` with the header length in `_msg.hdr`. Where the latter is
 * missing, reading falls back to the client's parsed `msg.headers`. Writing is here; reading in header-read.ts
 * (re-exported).
 */
import type { MsgHdrs } from '@nats-io/transport-node';
import type { WireMessage } from '@switchboard/core';
import { encodeHeaderKey, encodeHeaderValue, KEY_HEADER } from './codec.js';
import { natsError } from './errors.js';

/** A header block encoded once; {@link asMsgHdrs} is what to pass as `headers` to `nc.publish`. */
export class EncodedHeaders {
  constructor(readonly bytes: Uint8Array) {}

  /** What `nc.publish` calls (and the only thing it calls on `headers`). */
  encode(): Uint8Array {
    return this.bytes;
  }

  /** This block typed as the client's headers, for the `headers` option of `nc.publish`. */
  asMsgHdrs(): MsgHdrs {
    return this as unknown as MsgHdrs;
  }
}

/** Header keys seen before, with what is written for them (keys repeat: `sb-id`, `sb-ts`, …). */
const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 1024;

function keyText(key: string): string {
  let text = keyCache.get(key);
  if (text === undefined) {
    text = encodeHeaderKey(key);
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(key, text);
  }
  return text;
}

/** A value the adapter writes as given (a dedupe id), trimmed; INVALID_ARGUMENT when it would break the block (CR, LF). */
export function rawValue(name: string, value: string): string {
  if (value.includes('\r') || value.includes('\n')) {
    throw natsError('INVALID_ARGUMENT', `the ${name} cannot contain CR or LF characters`, false);
  }
  return value.trim();
}

/** The `Nats-TTL` value for a time-to-live in ms: whole seconds, rounded up, at least 1 s (the server's unit and minimum). */
export function ttlHeaderValue(ttlMs: number): string {
  return `${Math.max(1, Math.ceil(ttlMs / 1000))}s`;
}

/**
 * The header block of a wire message, for `nc.publish(subject, body, { headers })`: every header, the key in
 * `sb-key`, a dedupe id in `Nats-Msg-Id`, a time-to-live in `Nats-TTL`.
 */
export function encodeHeaders(message: WireMessage): EncodedHeaders {
  return new EncodedHeaders(Buffer.from(headerText(message), 'utf8'));
}

/** The text of {@link encodeHeaders}' block (write it as UTF-8). */
export function headerText(message: WireMessage): string {
  let text = 'NATS/1.0\r\n';
  const headers = message.headers;
  for (const key in message.headers) {
    text += `${keyText(key)}: ${encodeHeaderValue(headers[key]!)}\r\n`;
  }
  if (message.key !== undefined && headers[KEY_HEADER] === undefined) {
    text += `${KEY_HEADER}: ${encodeHeaderValue(message.key)}\r\n`;
  }
  if (message.dedupeId !== undefined) text += `Nats-Msg-Id: ${rawValue('dedupeId', message.dedupeId)}\r\n`;
  if (message.ttlMs !== undefined) text += `Nats-TTL: ${ttlHeaderValue(message.ttlMs)}\r\n`;
  return `${text}\r\n`;
}

export { decodeHeaderBlock, headersOf, headersOfBytes } from './header-read.js';
