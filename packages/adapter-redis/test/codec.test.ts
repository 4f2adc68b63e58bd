import type { WireMessage } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { decodeFields, encodeFields } from '../src/codec.js';
import { decodePacked, packMessage, packMessages } from '../src/packing.js';

/** The packing of docs/wire-format/redis.md, written the plain way: u32 count, then u32 length + bytes. */
function reference(fields: (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(fields.length);
  parts.push(count);
  for (const field of fields) {
    const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : Buffer.from(field);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

const message: WireMessage = {
  id: 'm1',
  body: new Uint8Array([0, 1, 2, 255]),
  key: 'clé',
  ttlMs: 1000,
  headers: { 'sb-id': 'm1', 'ünï-☃': 'välue 𝄞', empty: '', 'sb-ts': '7' },
};

/** The reserved headers of `message`, as the `sb` field carries them. */
const RESERVED = '{"sb-id":"m1","sb-ts":"7"}';

describe('packed messages (publish batches, replies)', () => {
  it('are laid out as the wire format says, header names included', () => {
    const expected = reference([
      'body',
      message.body,
      'key',
      'clé',
      'exp',
      '2000',
      'sb',
      RESERVED,
      'h:ünï-☃',
      'välue 𝄞',
      'h:empty',
      '',
    ]);
    expect(packMessage(message, 1000).equals(expected)).toBe(true);
  });

  it('decode to what was packed, and a batch is the concatenation of its messages', () => {
    const decoded = decodePacked(packMessage(message, 1000));
    expect([...decoded.body]).toEqual([0, 1, 2, 255]);
    expect(decoded.headers).toEqual(message.headers);
    expect(decoded.key).toBe('clé');
    expect(decoded.expiresAt).toBe(2000);
    const chunks: Buffer[] = [];
    packMessages([message, { ...message, key: undefined, ttlMs: undefined }], 1000, (c) => chunks.push(c));
    const second = reference(['body', message.body, 'sb', RESERVED, 'h:ünï-☃', 'välue 𝄞', 'h:empty', '']);
    expect(Buffer.concat(chunks).equals(Buffer.concat([packMessage(message, 1000), second]))).toBe(true);
  });
});

describe('stream entry fields', () => {
  it('a single XADD writes the fields a packing holds, in the same order', () => {
    const fields = encodeFields(message, [], 1000).map((f) => (typeof f === 'string' ? Buffer.from(f) : f));
    const packed = packMessage(message, 1000);
    expect(
      Buffer.concat([packed.subarray(0, 4), ...fields.map((f) => Buffer.concat([u32(f.length), f]))]),
    ).toEqual(packed);
  });

  it('an entry without reserved headers has no sb field; one with only reserved headers no h: field', () => {
    const plain = encodeFields({ id: '', body: new Uint8Array(0), headers: { tenant: 'acme' } }, [], 0);
    expect(plain).toEqual(['body', '', 'h:tenant', 'acme']);
    const request = encodeFields({ id: 'r', body: new Uint8Array(0), headers: { 'sb-id': 'r' } }, [], 0);
    expect(request).toEqual(['body', '', 'sb', '{"sb-id":"r"}']);
  });

  it('raw-client entries with h:sb-… fields decode as before; the sb field merges, h: wins', () => {
    const raw = decodeFields(['body', 'x', 'h:sb-id', 'order-42', 'h:tenant', 'acme']);
    expect(raw.headers).toEqual({ 'sb-id': 'order-42', tenant: 'acme' });
    expect(raw.invalid).toBeUndefined();
    const both = decodeFields(['h:sb-id', 'mine', 'sb', '{"sb-id":"theirs","sb-ts":"5"}', 'body', 'x']);
    expect(both.headers).toEqual({ 'sb-id': 'mine', 'sb-ts': '5' });
    expect(both.invalid).toBeUndefined();
  });

  it('an sb field that is not a JSON object of strings marks the entry invalid', () => {
    for (const bad of ['not json', '["sb-id"]', '{"sb-ts":5}', 'null', '"text"']) {
      const decoded = decodeFields(['body', 'x', 'sb', bad]);
      expect(decoded.invalid).toContain('sb field');
      expect([...decoded.body]).toEqual([0x78]);
    }
    expect(decodeFields(['sb', '{}']).invalid).toContain('no body field');
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
