/**
 * WireMessage ⇄ NATS message. The body is the NATS payload, byte for byte. Headers are NATS headers
 * (MIME-like `Key: value` lines), written with their exact keys (no case folding). The ordering key travels
 * in the `sb-key` header (NATS has no key field); a dedupe id in `Nats-Msg-Id`; a time-to-live (only set
 * where the server has per-message TTL, 2.11+) in `Nats-TTL`.
 *
 * A key or value that cannot travel raw is written as an RFC 2047 encoded word `=?utf-8?b?<base64>?=`:
 * keys with characters outside ASCII 33–126 or a `:`, keys starting with `Nats-` (which the server would
 * interpret), values with control characters (ASCII 0–31 and 127), leading or trailing whitespace, and any
 * key or value that itself starts with `=?`. Unicode values travel raw as UTF-8.
 *
 * Reading: encoded words are decoded; a key that occurs several times (a raw client's multi-valued header)
 * becomes one value, the values joined with `, ` in order; raw `Nats-*` headers (the server's own) are left
 * out of the delivery's headers. The block itself is written and read as bytes in header-block.ts.
 */
import type { MsgHdrs } from '@nats-io/transport-node';

const ENCODED = /^=\?utf-8\?b\?([A-Za-z0-9+/]*={0,2})\?=$/i;
const SAFE_KEY = /^[!-9;-~]+$/;
/** The header that carries the ordering key (NATS has no key field). */
export const KEY_HEADER = 'sb-key';

function encodeWord(text: string): string {
  return `=?utf-8?b?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** The text of an encoded word, or `text` itself when it is not one. */
export function decodeWord(text: string): string {
  if (!text.startsWith('=?')) return text;
  const match = ENCODED.exec(text);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : text;
}

function keyNeedsEncoding(key: string): boolean {
  return !SAFE_KEY.test(key) || key.startsWith('=?') || /^nats-/i.test(key);
}

/**
 * A value that travels raw: it does not start with `=?` or whitespace, has no control character (ASCII 0–31,
 * 127) and does not end with whitespace. `\s` is the whitespace `trim()` removes, Unicode included. One
 * regex test per value: the header values of every message pass here.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what cannot travel raw.
const RAW_VALUE = /^(?!=\?)(?!\s)[^\u0000-\u001f\u007f]*(?<!\s)$/;

function valueNeedsEncoding(value: string): boolean {
  return value.length !== 0 && !RAW_VALUE.test(value);
}

/** The header key written for `key`. */
export function encodeHeaderKey(key: string): string {
  return keyNeedsEncoding(key) ? encodeWord(key) : key;
}

/** The header value written for `value`. */
export function encodeHeaderValue(value: string): string {
  return valueNeedsEncoding(value) ? encodeWord(value) : value;
}

/** Reads NATS headers into the contract's one-string-per-key map. */
export function fromNatsHeaders(headers: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [rawKey, values] of headers) {
    if (/^nats-/i.test(rawKey)) continue;
    const key = decodeWord(rawKey);
    const value = values.map(decodeWord).join(', ');
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** The ordering key of a delivery: the `sb-key` header. */
export function keyOf(headers: Readonly<Record<string, string>>): string | undefined {
  return headers[KEY_HEADER];
}
