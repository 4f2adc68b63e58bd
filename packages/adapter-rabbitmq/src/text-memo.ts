/** Longest string a memo keeps; longer ones are decoded every time. */
const MAX_MEMO_BYTES = 64;

/**
 * Remembers the last short string decoded for one field (a consumer tag, a routing key, a content type, a
 * header name) with its bytes, and hands out the same string again while the bytes are the same: comparing a
 * few dozen bytes costs less than decoding them into a new string, and those fields repeat from message to
 * message. A changed value costs one comparison up to the first differing byte and a copy into the memo's
 * own 64 bytes (no allocation).
 */
export class ShortTextMemo {
  private readonly bytes = Buffer.alloc(MAX_MEMO_BYTES);
  /** Length of the remembered bytes; -1 while nothing is remembered. */
  private length = -1;
  private text = '';

  /** The UTF-8 string of `length` bytes at `start` in `buffer`. */
  read(buffer: Buffer, start: number, length: number): string {
    if (this.length === length) {
      const known = this.bytes;
      let index = 0;
      while (index < length && known[index] === buffer[start + index]) index++;
      if (index === length) return this.text;
    }
    const text = buffer.toString('utf8', start, start + length);
    if (length <= MAX_MEMO_BYTES) {
      buffer.copy(this.bytes, 0, start, start + length);
      this.length = length;
      this.text = text;
    }
    return text;
  }
}
