import { describe, expect, it } from 'vitest';
import { CodecSet, defaultCodecs } from '../src/codec/codec.js';
import { bytesCodec, jsonCodec, MessagingError, textCodec } from '../src/index.js';

describe('codecs', () => {
  const codecs = new CodecSet(defaultCodecs);
  const roundTrip = (body: unknown) => {
    const { bytes, contentType } = codecs.encode(body);
    return codecs.decode(bytes, contentType);
  };

  it('round-trips JSON values with their types', () => {
    for (const body of ['text', '', 0, 3.5, -1, true, false, null, { a: [1, { b: 'c' }] }, [1, 'two']]) {
      expect(roundTrip(body)).toStrictEqual(body);
    }
    expect(roundTrip(undefined)).toBeUndefined();
  });

  it('passes bytes through untouched, including invalid UTF-8', () => {
    const bytes = new Uint8Array([0, 1, 2, 0xc3, 0x28, 0xff, 0xfe, 255]);
    const { bytes: encoded, contentType } = codecs.encode(bytes);
    expect(contentType).toBe(bytesCodec.contentType);
    expect(encoded).toBe(bytes);
    expect(Array.from(codecs.decode(encoded, contentType) as Uint8Array)).toEqual(Array.from(bytes));
  });

  it('fails decoding with DECODE_FAILED for invalid JSON, invalid UTF-8 and unknown content types', () => {
    const decode = (bytes: Uint8Array, type?: string) => () => codecs.decode(bytes, type);
    expect(decode(Buffer.from('{nope'))).toThrow(MessagingError);
    expect(decode(new Uint8Array([0x22, 0xff, 0x22]))).toThrow(/not valid application\/json/);
    expect(decode(Buffer.from('x'), 'application/x-unknown')).toThrow(/no codec for content type/);
  });

  it('decodes text/plain from raw producers', () => {
    expect(codecs.decode(Buffer.from('héllo ☺'), textCodec.contentType)).toBe('héllo ☺');
    expect(jsonCodec.decode(new Uint8Array(0))).toBeUndefined();
  });
});
