/**
 * Small writers into a buffer for hand-made wire formats (hpub-encoder.ts). The caller has made room for what
 * is written; each returns the offset after what it wrote (or, for `writeText`, the bytes written).
 */

interface Utf8Writing {
  utf8Write?(text: string, offset: number): number;
}

/** Writes `text` as UTF-8 at `at` (the caller has made room); returns the bytes written. One runtime call. */
export const writeText: (chunk: Buffer, at: number, text: string) => number =
  typeof (Buffer.prototype as Utf8Writing).utf8Write === 'function'
    ? (chunk, at, text) => (chunk as Utf8Writing).utf8Write!(text, at)
    : (chunk, at, text) => chunk.write(text, at, 'utf8');

/** Copies `bytes` to `at`: short ones byte by byte, longer ones with one runtime copy. */
export function copy(chunk: Buffer, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > 16) chunk.set(bytes, at);
  else for (let i = 0; i < n; i++) chunk[at + i] = bytes[i]!;
  return at + n;
}

/**
 * True when the `end - start` bytes at `start` can travel as they are and need no look at the string: printable
 * ASCII, no space at either end, not starting with `=?`. (Other values may still travel raw: codec.ts decides.)
 */
export function plainBytes(chunk: Buffer, start: number, end: number): boolean {
  if (start === end) return true;
  if (chunk[start] === 32 || chunk[end - 1] === 32) return false;
  if (chunk[start] === 61 && end - start > 1 && chunk[start + 1] === 63) return false;
  for (let i = start; i < end; i++) {
    const byte = chunk[i]!;
    if (byte < 32 || byte > 126) return false;
  }
  return true;
}

/** Writes the decimal digits of the non-negative integer `n` at `at`; returns the offset after them. */
export function writeDecimal(chunk: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (let i = at + digits - 1; i >= at; i--) {
    chunk[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + digits;
}
