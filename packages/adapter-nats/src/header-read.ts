/**
 * Reading a NATS header block into the contract's one-string-per-key map (see header-block.ts for the
 * format and codec.ts for encoded words). A received message's header bytes are read straight from the
 * client's raw message buffer (`_rdata`, header length `_msg.hdr`), with the client's parsed `msg.headers`
 * as the fallback.
 *
 * The block is parsed as bytes: keys seen before are matched byte for byte and give back the same string (no
 * string per key and message), a value equal to the previous value of its key gives back that string, and
 * any other value becomes one string made by the runtime from its bytes. The block as a whole never becomes a
 * string: each message then costs as many new strings as it has new values (the bus's id and timestamp).
 */
import type { Msg } from '@nats-io/transport-node';
import { decodeWord, fromNatsHeaders } from './codec.js';

type Slice = (this: Uint8Array, start: number, end: number) => string;
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: Slice }).utf8Slice;

/** The bytes [start, end) of `bytes` as UTF-8 text. */
function textOf(bytes: Uint8Array, start: number, end: number): string {
  if (utf8Slice) return utf8Slice.call(bytes, start, end);
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

/**
 * `text` as the runtime's one shared copy (what a string literal or an object's own key is). A header map's
 * keys are looked up and set by every reader; a key that is a fresh string costs the runtime a table lookup on
 * each use, and the fast paths for known object shapes recognise only the shared copy.
 */
function interned(text: string): string {
  return Object.keys({ [text]: 0 })[0] ?? text;
}

/**
 * A header key seen before: its bytes as received, what it reads as (null: a server `Nats-*` header), and its
 * last value with that value's bytes. Bytes are compared with bytes: a string that served as a property key may
 * have become a reference to the interned copy, and reading its characters one by one measured slow.
 */
interface SeenKey {
  readonly raw: Uint8Array;
  readonly key: string | null;
  lastValue: string | undefined;
  /** The bytes of `lastValue` (room for {@link VALUE_ROOM}), `lastLength` of them used. */
  readonly lastBytes: Uint8Array;
  lastLength: number;
  /** The number of the block in which this key was last read (a repeat within one block is joined); -1 outside the cache. */
  lastBlock: number;
  /** Values read in a row that differed from the one before; from {@link UNIQUE_RUN} on, values are no longer remembered. */
  changes: number;
}

/**
 * A key whose last this many values all differed (a message id, a timestamp) has its values no longer compared
 * and copied: remembering pays only for values that repeat (a content type).
 */
const UNIQUE_RUN = 8;

/** Counts the blocks read, so that a key read twice in one block is recognised without a lookup. */
let blocksRead = 0;

/** Keys by a hash of their bytes (a collision is read without the cache). */
const seenKeys = new Map<number, SeenKey>();
const SEEN_LIMIT = 1024;
/** Values up to this many bytes are remembered per key (the content type repeats; ids and timestamps do not). */
const VALUE_ROOM = 64;

/** True for a `Nats-…` key (any case): the server's own headers. */
function isServerHeader(key: string): boolean {
  return key.length >= 5 && key.slice(0, 5).toLowerCase() === 'nats-';
}

/** True when the bytes [start, end) of `bytes` equal the first `end - start` bytes of `other` (compared from the end). */
function sameBytes(bytes: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  for (let i = end - 1, j = end - start - 1; i >= start; i--, j--) if (bytes[i] !== other[j]) return false;
  return true;
}

function keyAt(bytes: Uint8Array, start: number, end: number, hash: number): SeenKey {
  const seen = seenKeys.get(hash);
  if (seen !== undefined && seen.raw.length === end - start && sameBytes(bytes, start, end, seen.raw))
    return seen;
  const raw = textOf(bytes, start, end);
  const entry: SeenKey = {
    raw: bytes.slice(start, end),
    key: isServerHeader(raw) ? null : interned(decodeWord(raw)),
    lastValue: undefined,
    lastBytes: new Uint8Array(VALUE_ROOM),
    lastLength: 0,
    lastBlock: 0,
    changes: 0,
  };
  if (seen === undefined) {
    if (seenKeys.size >= SEEN_LIMIT) seenKeys.clear();
    seenKeys.set(hash, entry);
  } else entry.lastBlock = -1;
  return entry;
}

function isSpace(byte: number): boolean {
  return byte === 32 || (byte >= 9 && byte <= 13);
}

/** The value in bytes [start, end): trimmed as `trim()` does, encoded words decoded; `seen.lastValue` when the same. */
function valueAt(bytes: Uint8Array, start: number, end: number, seen: SeenKey): string {
  while (start < end && isSpace(bytes[start]!)) start++;
  while (end > start && isSpace(bytes[end - 1]!)) end--;
  const length = end - start;
  const remembering = seen.changes < UNIQUE_RUN;
  if (
    remembering &&
    seen.lastValue !== undefined &&
    seen.lastLength === length &&
    sameBytes(bytes, start, end, seen.lastBytes)
  ) {
    seen.changes = 0;
    return seen.lastValue;
  }
  let value = textOf(bytes, start, end);
  // Unicode whitespace at an edge (its bytes are all 128 or more) is trimmed from the text.
  if (length > 0 && (bytes[start]! >= 128 || bytes[end - 1]! >= 128)) value = value.trim();
  if (value.startsWith('=?')) return decodeWord(value);
  // Remembered only when the text is its own meaning (no encoded word), so equal bytes mean the same value.
  if (!remembering) return value;
  if (seen.lastValue !== undefined) seen.changes++;
  if (length <= VALUE_ROOM) {
    for (let i = 0; i < length; i++) seen.lastBytes[i] = bytes[start + i]!;
    seen.lastLength = length;
    seen.lastValue = value;
  }
  return value;
}

/**
 * Reads the first `length` bytes of `bytes`, a header block, into the contract's one-string-per-key map: the
 * status line is skipped, values are trimmed, encoded words decoded, raw `Nats-*` headers left out, and a
 * repeated key's values joined with `, ` in their order. Lines without a colon are skipped.
 */
function readBlock(bytes: Uint8Array, length: number): Record<string, string> {
  const out: Record<string, string> = {};
  const block = ++blocksRead;
  let at = 0;
  while (at < length && bytes[at] !== 10) at++; // the status line (a loop: it is short)
  if (at >= length) return out;
  at++;
  while (at < length) {
    let hash = 0;
    let colon = at;
    for (; colon < length; colon++) {
      const byte = bytes[colon]!;
      if (byte === 58 || byte === 10) break;
      hash = (Math.imul(hash, 31) + byte) | 0;
    }
    let end = colon;
    while (end < length && bytes[end] !== 10) end++;
    const next = end + 1;
    if (end > at && bytes[end - 1] === 13) end--;
    if (colon < end && bytes[colon] === 58) {
      const seen = keyAt(bytes, at, colon, hash);
      if (seen.key !== null) {
        const value = valueAt(bytes, colon + 1, end, seen);
        // Only a key already read in this block (or one outside the cache, lastBlock -1) can have a value to join.
        const previous = seen.lastBlock === block || seen.lastBlock < 0 ? out[seen.key] : undefined;
        out[seen.key] = previous === undefined ? value : `${previous}, ${value}`;
        if (seen.lastBlock >= 0) seen.lastBlock = block;
      }
    }
    at = next;
  }
  return out;
}

/** {@link readBlock} of a whole header block. */
export function decodeHeaderBlock(block: Uint8Array): Record<string, string> {
  return readBlock(block, block.byteLength);
}

/** The headers of a message whose bytes (header block, then body) are `bytes`, `headerLength` of them the block. */
export function headersOfBytes(bytes: Uint8Array, headerLength: number): Record<string, string> {
  return headerLength > 0 ? readBlock(bytes, headerLength) : {};
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
    return hdr > 0 ? readBlock(data, hdr) : {};
  }
  return fromNatsHeaders(msg.headers);
}
