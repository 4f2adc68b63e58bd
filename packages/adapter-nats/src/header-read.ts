/**
 * Reading a NATS header block into the contract's one-string-per-key map (see header-block.ts for the
 * format and codec.ts for encoded words). A received message's header bytes are read straight from the
 * client's raw message buffer (`_rdata`, header length `_msg.hdr`), with the client's parsed `msg.headers`
 * as the fallback.
 */
import type { Msg } from '@nats-io/transport-node';
import { decodeWord, fromNatsHeaders } from './codec.js';

/** True for a `Nats-…` key (any case): the server's own headers. Checks the first character before slicing. */
function isServerHeader(key: string): boolean {
  return (key.charCodeAt(0) | 0x20) === 0x6e && key.length >= 5 && key.slice(0, 5).toLowerCase() === 'nats-';
}

/** `text` without leading and trailing whitespace (as `trim()`); `text` itself when both ends are printable ASCII, the usual case. */
function trimmed(text: string): string {
  const n = text.length;
  if (n === 0) return text;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  return first > 32 && first < 127 && last > 32 && last < 127 ? text : text.trim();
}

/**
 * Reads a header block into the contract's one-string-per-key map: the status line is skipped, values are
 * trimmed, encoded words decoded, raw `Nats-*` headers left out, and a repeated key's values joined with
 * `, ` in their order.
 */
export function decodeHeaderBlock(block: Uint8Array): Record<string, string> {
  return decodeHeaderText(utf8Of(block, block.byteLength));
}

/** The first `length` bytes of `bytes` as UTF-8 text, with no copy of the bytes in between. */
function utf8Of(bytes: Uint8Array, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('utf8');
}

/** {@link decodeHeaderBlock} of the block's text. */
function decodeHeaderText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let start = text.indexOf('\r\n');
  if (start < 0) return out;
  start += 2;
  while (start < text.length) {
    let end = text.indexOf('\r\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon >= start && colon < end) {
      const rawKey = text.slice(start, colon);
      if (!isServerHeader(rawKey)) {
        const key = decodeWord(rawKey);
        const value = decodeWord(trimmed(text.slice(colon + 1, end)));
        const previous = out[key];
        out[key] = previous === undefined ? value : `${previous}, ${value}`;
      }
    }
    start = end + 2;
  }
  return out;
}

interface MsgInternals {
  readonly _rdata?: unknown;
  readonly _msg?: { readonly hdr?: unknown };
}

/** The headers of a received core message (for a JetStream message pass its `msg`), decoded from its bytes. */
export function headersOf(msg: Msg): Record<string, string> {
  const internals = msg as unknown as MsgInternals;
  const hdr = internals._msg?.hdr;
  const data = internals._rdata;
  if (typeof hdr === 'number' && data instanceof Uint8Array) {
    return hdr > 0 ? decodeHeaderText(utf8Of(data, hdr)) : {};
  }
  return fromNatsHeaders(msg.headers);
}
