/**
 * Writes `text` as UTF-8 into `buffer` at `offset` and returns how many bytes it wrote. For adapters that
 * encode a wire format by hand: short ASCII strings (ids, header names, timestamps) are copied code unit by
 * code unit, which is cheaper than a call into the runtime; anything else goes through `buffer.write`.
 *
 * Contract: the caller has made room — at least `3 × text.length` bytes from `offset` (the most UTF-8 a
 * JavaScript string can take); otherwise `buffer.write` truncates and the count says so.
 */
export function writeUtf8(buffer: Buffer, offset: number, text: string): number {
  const length = text.length;
  if (length <= 64) {
    let index = 0;
    for (; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code > 0x7f) break;
      buffer[offset + index] = code;
    }
    if (index === length) return length;
  }
  return buffer.write(text, offset, 'utf8');
}
