/**
 * Encodes a batch of messages as one buffer of `HPUB <subject> [reply] <header bytes> <total bytes>␍␊<header
 * block><body>␍␊` commands: byte for byte what `nc.publish` writes for each message with the header block of
 * header-block.ts (same keys, values and encoded words), but written straight into one buffer.
 *
 * Why it is written this way: the strings that reach here are mostly fresh concatenations (message ids,
 * subjects), and every JavaScript look at their characters (`charCodeAt`, `===`, a regular expression,
 * `Buffer.byteLength`) first makes the runtime flatten them; measured in the running bus, that was most of a
 * send's cost. So each value is copied once by the runtime (`utf8Write`) and then checked as bytes: a value
 * that is printable ASCII without edge spaces and not starting with `=?` (the bus's ids, timestamps, content
 * types) stays; anything else is written again as codec.ts encodes it (Unicode raw, or an encoded word). The
 * header block is written behind room kept for the command line, whose lengths it gives, then moved up to it.
 * Everything is written into a scratch buffer that is reused; the batch's bytes are copied out once at the end
 * (a scratch buffer grown past 1 MiB goes out with its batch instead, and the next batch starts a new one).
 */
import type { WireMessage } from '@switchboard/core';
import { copy, plainBytes, writeDecimal, writeText } from './byte-writing.js';
import { encodeHeaderKey, encodeHeaderValue, KEY_HEADER } from './codec.js';
import { rawValue, ttlHeaderValue } from './header-block.js';
import { checkSize } from './payload-size.js';

const STATUS_LINE = Buffer.from('NATS/1.0\r\n');
const DEDUPE_KEY = Buffer.from('Nats-Msg-Id: ');
const TTL_KEY = Buffer.from('Nats-TTL: ');
/** Room for ` <header bytes> <total bytes>␍␊` after the subject and reply (two numbers below 10^11). */
const NUMBERS_ROOM = 26;

/**
 * What is written for one header key: the key as written (an encoded word where needed) with `: `, as UTF-8;
 * the last value written under it; and, once a value was written twice in a row (the content type), that
 * value's whole line.
 */
interface KeyEntry {
  readonly prefix: Buffer;
  lastValue: string | undefined;
  repeatedValue: string | undefined;
  repeatedLine: Buffer | undefined;
}

const keyEntries = new Map<string, KeyEntry>();
const KEY_LIMIT = 1024;

function keyEntry(key: string): KeyEntry {
  let entry = keyEntries.get(key);
  if (entry === undefined) {
    const prefix = Buffer.from(`${encodeHeaderKey(key)}: `, 'utf8');
    entry = { prefix, lastValue: undefined, repeatedValue: undefined, repeatedLine: undefined };
    if (keyEntries.size >= KEY_LIMIT) keyEntries.clear();
    keyEntries.set(key, entry);
  }
  return entry;
}

/** Size of a fresh scratch buffer. */
const SCRATCH_BYTES = 64 * 1024;
/** A scratch buffer that grew past this is handed out with its batch instead of kept (no large buffer held idle). */
const SCRATCH_KEPT_BYTES = 1024 * 1024;
/** The scratch buffer the batches are encoded in (grown as needed, kept between batches up to SCRATCH_KEPT_BYTES). */
let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/** Makes room for `needed` bytes from `at`, keeping what is written before `at`. */
function reserve(at: number, needed: number): Buffer {
  if (at + needed > scratch.length) {
    const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + needed));
    scratch.copy(grown, 0, 0, at);
    scratch = grown;
  }
  return scratch;
}

/**
 * Most bytes a header line of `key` and `value` can take: each written raw (≤ 3 bytes per UTF-16 unit) or as an
 * encoded word (≤ 4 bytes per unit + 16), plus `: ` and CRLF. Reads only lengths (no cache lookup).
 */
function lineRoom(key: string, value: string): number {
  return 4 * (key.length + value.length) + 40;
}

/** Writes the key's prefix, `value` as it travels, and CRLF at `at`; returns the offset after them. */
function writeLine(chunk: Buffer, at: number, entry: KeyEntry, value: string): number {
  if (value === entry.repeatedValue) return copy(chunk, at, entry.repeatedLine!);
  const start = copy(chunk, at, entry.prefix);
  let end = start + writeText(chunk, start, value);
  if (!plainBytes(chunk, start, end)) end = start + writeText(chunk, start, encodeHeaderValue(value));
  chunk[end] = 13;
  chunk[end + 1] = 10;
  if (value === entry.lastValue && end - at <= 256) {
    entry.repeatedValue = value;
    entry.repeatedLine = Buffer.from(chunk.subarray(at, end + 2));
  }
  entry.lastValue = value;
  return end + 2;
}

/** Writes the header block of `message` (header-block.ts's `headerText`) at `at`; returns the offset after it. */
function writeBlock(at: number, message: WireMessage): number {
  const headers = message.headers;
  const key = message.key !== undefined && headers[KEY_HEADER] === undefined ? message.key : undefined;
  const dedupe = message.dedupeId === undefined ? undefined : rawValue('dedupeId', message.dedupeId);
  const ttl = message.ttlMs === undefined ? undefined : ttlHeaderValue(message.ttlMs);
  let room = STATUS_LINE.length + 2;
  for (const name in headers) room += lineRoom(name, headers[name]!);
  if (key !== undefined) room += lineRoom(KEY_HEADER, key);
  if (dedupe !== undefined) room += DEDUPE_KEY.length + 3 * dedupe.length + 2;
  if (ttl !== undefined) room += TTL_KEY.length + ttl.length + 2;
  const chunk = reserve(at, room);
  at = copy(chunk, at, STATUS_LINE);
  for (const name in headers) at = writeLine(chunk, at, keyEntry(name), headers[name]!);
  if (key !== undefined) at = writeLine(chunk, at, keyEntry(KEY_HEADER), key);
  if (dedupe !== undefined) at = writeRawLine(chunk, at, DEDUPE_KEY, dedupe);
  if (ttl !== undefined) at = writeRawLine(chunk, at, TTL_KEY, ttl);
  chunk[at] = 13;
  chunk[at + 1] = 10;
  return at + 2;
}

function writeRawLine(chunk: Buffer, at: number, prefix: Buffer, value: string): number {
  at = copy(chunk, at, prefix);
  at += writeText(chunk, at, value);
  chunk[at] = 13;
  chunk[at + 1] = 10;
  return at + 2;
}

/**
 * The `HPUB` commands of `messages` on `subject` as one new buffer; `replyOf(i)`, when given, is message i's
 * reply subject; `trailer`, when given, is copied after the last command (a `PING`, say). Throws PAYLOAD_TOO_LARGE (nothing returned, nothing sent) when a message's header block and
 * body exceed `maxPayload`. Subjects must be valid NATS subjects (the adapter's naming guarantees it).
 */
export function encodeBatch(
  subject: string,
  messages: readonly WireMessage[],
  maxPayload: number | undefined,
  what: string,
  replyOf?: (index: number) => string,
  trailer?: Uint8Array,
): Buffer {
  const command = Buffer.from(`HPUB ${subject} `, 'utf8');
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const reply = replyOf?.(i);
    const lineRoomBytes = command.length + (reply === undefined ? 0 : 3 * reply.length + 1) + NUMBERS_ROOM;
    const blockStart = at + lineRoomBytes;
    const blockEnd = writeBlock(blockStart, message);
    const block = blockEnd - blockStart;
    const body = message.body;
    const total = block + body.length;
    checkSize(total, maxPayload, what);
    const chunk = reserve(blockEnd, body.length + 2);
    at = copy(chunk, at, command);
    if (reply !== undefined) {
      at += writeText(chunk, at, reply);
      chunk[at++] = 32;
    }
    at = writeDecimal(chunk, at, block);
    chunk[at++] = 32;
    at = writeDecimal(chunk, at, total);
    chunk[at++] = 13;
    chunk[at++] = 10;
    chunk.copyWithin(at, blockStart, blockEnd);
    at += block;
    chunk.set(body, at);
    at += body.length;
    chunk[at++] = 13;
    chunk[at++] = 10;
  }
  if (trailer !== undefined) {
    reserve(at, trailer.length).set(trailer, at);
    at += trailer.length;
  }
  if (scratch.length > SCRATCH_KEPT_BYTES) {
    const large = scratch.subarray(0, at);
    scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
    return large;
  }
  const out = Buffer.allocUnsafe(at);
  scratch.copy(out, 0, 0, at);
  return out;
}
