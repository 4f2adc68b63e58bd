/** Byte helpers of the adapter's Kafka record encoding. */

/** Copies `bytes` (a few dozen at most) into `buf` at `off`; returns the offset after them. */
export function copyShort(buf: Buffer, off: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) buf[off + i] = bytes[i]!;
  return off + bytes.length;
}

/** UTF-8 length of `text`; short ASCII is counted without a call into the runtime. */
export function utf8Length(text: string): number {
  const length = text.length;
  if (length <= 64) {
    let i = 0;
    while (i < length && text.charCodeAt(i) < 0x80) i++;
    if (i === length) return length;
  }
  return Buffer.byteLength(text, 'utf8');
}

/** Bytes of `value` (a 32-bit integer) as a zigzag varint. */
export function varIntSize(value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag >>>= 7;
    bytes++;
  }
  return bytes;
}

export function writeVarInt(buf: Buffer, off: number, value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  while (zigzag >= 0x80) {
    buf[off++] = (zigzag & 0x7f) | 0x80;
    zigzag >>>= 7;
  }
  buf[off++] = zigzag;
  return off;
}
