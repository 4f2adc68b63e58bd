/**
 * An error reply of the server (`-ERR …`, `-NOGROUP …`). Its message is the server's text, so the error
 * table (errors.ts) matches it as it matches ioredis' own `ReplyError`.
 */
export class ReplyError extends Error {
  override readonly name = 'ReplyError';
}

/**
 * A RESP3 push frame (`>`): data the server sends on its own (a published message, a subscription's
 * confirmation), not the reply of one command. Only a connection that said `HELLO 3` receives them.
 */
export class Push {
  constructor(readonly items: unknown[]) {}
}

/** What {@link RespParser} returns for a reply not complete in the bytes it holds yet. */
const INCOMPLETE = Symbol('incomplete');

/**
 * An incremental RESP2/RESP3 reply parser: bytes go in as they arrive ({@link feed}), each complete reply comes
 * out through `onReply`, in order. Replies are: a bulk string as a Buffer (a view of the received bytes, not a
 * copy), nil (`$-1`, `*-1`, RESP3's `_`) as null, an integer as a number, a simple string as a string, an
 * array as an array, an error reply as a {@link ReplyError} (a value, not thrown: inside an array it is one
 * element). RESP3 adds: a push frame as a {@link Push}, a map as a flat array of keys and values, a set as an
 * array, a boolean as a boolean, a double and a big number as their text, a verbatim string as a Buffer of its
 * text (without the format), a blob error as a ReplyError; attributes are skipped.
 * A reply split over several chunks is collected in one growing buffer (each byte copied about once, however
 * many chunks), and parsed again only once enough bytes arrived for the part that was missing.
 */
export class RespParser {
  /** Holds the bytes of an incomplete reply, from `start` to `end`; undefined when none is incomplete. */
  private held: Buffer | undefined;
  private start = 0;
  private end = 0;
  /** Bytes the incomplete reply needs at least before parsing it again is worth trying. */
  private need = 0;
  private pos = 0;
  /** Where the reply being parsed was found to end at the least, when incomplete. */
  private missingEnd = 0;

  constructor(private readonly onReply: (reply: unknown) => void) {}

  /** Parses `chunk` (with what an earlier chunk left incomplete) and hands out every complete reply. */
  feed(chunk: Buffer): void {
    let buf = chunk;
    let at = 0;
    if (this.held !== undefined) {
      if (!this.append(chunk)) return;
      buf = this.held.subarray(0, this.end);
      at = this.start;
    }
    while (at < buf.length) {
      this.pos = at;
      this.missingEnd = buf.length + 1;
      const reply = this.parse(buf);
      if (reply === INCOMPLETE) {
        this.hold(buf, at);
        return;
      }
      at = this.pos;
      this.onReply(reply);
    }
    this.held = undefined;
  }

  /** Drops what is held (the connection it came from is gone). */
  reset(): void {
    this.held = undefined;
  }

  /** Adds `chunk` to the held bytes; true when the incomplete reply may be complete now. */
  private append(chunk: Buffer): boolean {
    let held = this.held!;
    const length = this.end - this.start;
    if (this.end + chunk.length > held.length) {
      // Replies handed out before may be views of the old buffer: it is left to them, not reused.
      const bigger = Buffer.allocUnsafe(Math.max(2 * (length + chunk.length), this.need));
      held.copy(bigger, 0, this.start, this.end);
      held = bigger;
      this.held = bigger;
      this.start = 0;
      this.end = length;
    }
    chunk.copy(held, this.end);
    this.end += chunk.length;
    return this.end - this.start >= this.need;
  }

  /** Keeps `buf[at..]`, an incomplete reply, for the next chunk. */
  private hold(buf: Buffer, at: number): void {
    this.need = this.missingEnd - at;
    if (this.held !== undefined) {
      this.start = at; // buf is the held buffer: the bytes stay where they are
      return;
    }
    const rest = buf.length - at;
    this.held = Buffer.allocUnsafe(Math.max(2 * rest, this.need, 4096));
    buf.copy(this.held, 0, at);
    this.start = 0;
    this.end = rest;
  }

  /** The reply at `this.pos`, advancing `this.pos` past it; INCOMPLETE when `buf` ends first. */
  private parse(buf: Buffer): unknown {
    const start = this.pos;
    const lineEnd = buf.indexOf(0x0d, start + 1);
    if (lineEnd < 0 || lineEnd + 1 >= buf.length) return INCOMPLETE;
    const type = buf[start];
    this.pos = lineEnd + 2;
    switch (type) {
      case 0x24: {
        // '$' bulk string
        const length = integerOf(buf, start + 1, lineEnd);
        if (length < 0) return null;
        const end = lineEnd + 2 + length;
        if (end + 2 > buf.length) {
          this.missingEnd = end + 2;
          return INCOMPLETE;
        }
        this.pos = end + 2;
        return buf.subarray(lineEnd + 2, end);
      }
      case 0x2a: // '*' array
      case 0x7e: // '~' set
      case 0x3e: // '>' push
      case 0x25: // '%' map: key, value, key, value…
      case 0x7c: {
        // '|' attribute (a map that comes before the reply it describes)
        let count = integerOf(buf, start + 1, lineEnd);
        if (count < 0) return null;
        if (type === 0x25 || type === 0x7c) count *= 2;
        const items = new Array<unknown>(count);
        for (let i = 0; i < count; i++) {
          const item = this.parse(buf);
          if (item === INCOMPLETE) return INCOMPLETE;
          items[i] = item;
        }
        if (type === 0x7c) return this.parse(buf);
        return type === 0x3e ? new Push(items) : items;
      }
      case 0x3d: // '=' verbatim string: `txt:` then the text
      case 0x21: {
        // '!' blob error
        const length = integerOf(buf, start + 1, lineEnd);
        const end = lineEnd + 2 + length;
        if (end + 2 > buf.length) {
          this.missingEnd = end + 2;
          return INCOMPLETE;
        }
        this.pos = end + 2;
        if (type === 0x21) return new ReplyError(buf.toString('utf8', lineEnd + 2, end));
        return buf.subarray(Math.min(lineEnd + 6, end), end);
      }
      case 0x5f: // '_' null
        return null;
      case 0x23: // '#' boolean
        return buf[start + 1] === 0x74;
      case 0x2c: // ',' double
      case 0x28: // '(' big number
        return buf.toString('latin1', start + 1, lineEnd);
      case 0x3a: // ':' integer
        return integerOf(buf, start + 1, lineEnd);
      case 0x2b: // '+' simple string
        return buf.toString('utf8', start + 1, lineEnd);
      case 0x2d: // '-' error
        return new ReplyError(buf.toString('utf8', start + 1, lineEnd));
      default:
        throw new ReplyError(`Protocol error: unexpected reply type byte ${type}`);
    }
  }
}

/** The decimal integer in `buf[from..to)` (an optional leading minus sign, then digits). */
function integerOf(buf: Buffer, from: number, to: number): number {
  let negative = false;
  let i = from;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
  }
  let n = 0;
  for (; i < to; i++) n = n * 10 + (buf[i]! - 0x30);
  return negative ? -n : n;
}
