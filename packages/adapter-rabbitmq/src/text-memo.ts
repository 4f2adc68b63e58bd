/** Longest string a memo keeps; longer ones are decoded every time. */
const MAX_MEMO_BYTES = 64;

/** One remembered string and its UTF-8 bytes. */
class Entry {
  readonly bytes = Buffer.alloc(MAX_MEMO_BYTES);
  /** Length of the remembered bytes; -1 while nothing is remembered. */
  length = -1;
  text = '';

  matches(buffer: Buffer, start: number, length: number): boolean {
    if (this.length !== length) return false;
    const known = this.bytes;
    let index = 0;
    while (index < length && known[index] === buffer[start + index]) index++;
    return index === length;
  }

  remember(buffer: Buffer, start: number, length: number, text: string): void {
    buffer.copy(this.bytes, 0, start, start + length);
    this.length = length;
    this.text = text;
  }
}

/**
 * Remembers the last two short strings decoded for one field (a consumer tag, a routing key, a content type, a
 * header name) with their bytes, and hands out the same string again while the bytes are the same: comparing a
 * few dozen bytes costs less than decoding them into a new string, and those fields repeat from message to
 * message — two values alternate on a connection that carries both a responder's requests and its own
 * replies. A new value costs a comparison up to the first differing byte per entry and a copy into the
 * entry's own 64 bytes (no allocation); it replaces the entry used less recently.
 */
export class ShortTextMemo {
  private recent = new Entry();
  private older = new Entry();

  /** The UTF-8 string of `length` bytes at `start` in `buffer`. */
  read(buffer: Buffer, start: number, length: number): string {
    const recent = this.recent;
    if (recent.matches(buffer, start, length)) return recent.text;
    const older = this.older;
    if (older.matches(buffer, start, length)) {
      this.recent = older;
      this.older = recent;
      return older.text;
    }
    const text = buffer.toString('utf8', start, start + length);
    if (length <= MAX_MEMO_BYTES) {
      older.remember(buffer, start, length, text);
      this.recent = older;
      this.older = recent;
    }
    return text;
  }
}
