import { utf8Length, varIntSize, writeVarInt } from './wire-bytes.js';

/**
 * What the Produce encoder keeps per record-header name: the name's UTF-8 length and encoded bytes (varint
 * length, then the bytes), and the last string value planned under it with its length — and, once a value is
 * written again unchanged (a content type), its encoded bytes, copied from then on instead of measured and
 * written character by character. Header names repeat on every record; most values (ids) do not.
 */
export interface HeaderName {
  readonly length: number;
  readonly encoded: Buffer;
  /** The value last planned under this name (see {@link planValueLength}), its UTF-8 length and bytes. */
  lastValue: string | undefined;
  lastValueLength: number;
  lastValueEncoded: Buffer | undefined;
}

/** At most this many names are kept; records with other names are encoded without the cache. */
const MAX_NAMES = 256;
const names = new Map<string, HeaderName>();

/** The entry of `name`, created on first use; undefined once {@link MAX_NAMES} other names are kept. */
export function headerName(name: string): HeaderName | undefined {
  let entry = names.get(name);
  if (entry === undefined && names.size < MAX_NAMES) {
    const encoded = encodeText(name);
    const length = Buffer.byteLength(name, 'utf8');
    entry = { length, encoded, lastValue: undefined, lastValueLength: 0, lastValueEncoded: undefined };
    names.set(name, entry);
  }
  return entry;
}

/** The UTF-8 length of `value` under `entry` (measured only when it differs from the last value planned). */
export function planValueLength(entry: HeaderName, value: string): number {
  if (value === entry.lastValue) return entry.lastValueLength;
  const length = utf8Length(value);
  entry.lastValue = value;
  entry.lastValueLength = length;
  entry.lastValueEncoded = undefined;
  return length;
}

/**
 * The encoded bytes of `value` when it is the last value planned under `entry` (encoded once, then kept until
 * the value changes), else undefined: the caller writes it.
 */
export function encodedValue(entry: HeaderName, value: string): Buffer | undefined {
  if (value !== entry.lastValue) return undefined;
  entry.lastValueEncoded ??= encodeText(value);
  return entry.lastValueEncoded;
}

/** `text` as a zigzag varint of its UTF-8 length followed by its bytes. */
function encodeText(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const prefix = varIntSize(bytes.length);
  const encoded = Buffer.allocUnsafe(prefix + bytes.length);
  writeVarInt(encoded, 0, bytes.length);
  bytes.copy(encoded, prefix);
  return encoded;
}
