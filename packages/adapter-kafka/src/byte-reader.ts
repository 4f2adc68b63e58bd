/** Thrown by {@link ByteReader} for a value it does not decode exactly; the caller falls back to kafkajs. */
export class Unsupported extends Error {}

const TWO_32 = 4294967296;
/** Largest high word of an int64 whose value a double holds exactly (|value| < 2^53). */
const SAFE_HIGH = 2 ** 21;

/**
 * Reads Kafka protocol values from a buffer at a moving position, as kafkajs 2.2.4's `Decoder` does, without an
 * object per nested value: 64-bit integers come back as numbers (throwing {@link Unsupported} outside
 * ±2^53), byte fields as views of the buffer (`subarray`, like kafkajs' `slice`). Reads past `end` throw a
 * RangeError.
 */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  private need(bytes: number): void {
    if (this.pos + bytes > this.end) throw new RangeError('read past the end of the response');
  }

  int8(): number {
    this.need(1);
    return (this.buf[this.pos++]! << 24) >> 24;
  }

  int16(): number {
    this.need(2);
    const value = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return value;
  }

  /** An int64 as a number; {@link Unsupported} when a double cannot hold it exactly. */
  int64(): number {
    this.need(8);
    const high = this.buf.readInt32BE(this.pos);
    const low = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    if (high >= SAFE_HIGH || high < -SAFE_HIGH) throw new Unsupported('int64 beyond 2^53');
    return high * TWO_32 + low;
  }

  /** A zigzag varint of at most 32 bits (kafkajs' `readVarInt`). */
  varInt(): number {
    let raw = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('read past the end of the response');
      const byte = this.buf[this.pos++]!;
      raw |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7;
      if (shift > 28) throw new Unsupported('varint longer than 5 bytes');
    }
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** A zigzag varlong of at most 7 bytes as a number (kafkajs' `readVarLong`); {@link Unsupported} for longer. */
  varLong(): number {
    let raw = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('read past the end of the response');
      const byte = this.buf[this.pos++]!;
      raw += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 128;
      if (scale > 2 ** 42) throw new Unsupported('varlong beyond 2^49');
    }
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** An int16-length UTF-8 string; null for length -1. */
  string(): string | null {
    return this.text(this.int16());
  }

  /** A varint-length UTF-8 string; null for length -1. */
  varIntString(): string | null {
    return this.text(this.varInt());
  }

  /** Varint-length bytes as a view of the buffer; null for length -1. */
  varIntBytes(): Buffer | null {
    const length = this.varInt();
    if (length === -1) return null;
    if (length < 0) throw new Unsupported('negative length');
    this.need(length);
    const bytes = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return bytes;
  }

  private text(length: number): string | null {
    if (length === -1) return null;
    if (length < 0) throw new Unsupported('negative length');
    this.need(length);
    const value = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return value;
  }
}
