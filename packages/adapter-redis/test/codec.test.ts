import type { WireMessage } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { decodePacked, packMessage, packMessages } from '../src/codec.js';

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
  headers: { 'sb-id': 'm1', 'ünï-☃': 'välue 𝄞', empty: '' },
};

describe('packed messages (publish batches, replies)', () => {
  it('are laid out as the wire format says, header names included', () => {
    const expected = reference([
      'body',
      message.body,
      'key',
      'clé',
      'exp',
      '2000',
      'h:sb-id',
      'm1',
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
    const second = reference(['body', message.body, 'h:sb-id', 'm1', 'h:ünï-☃', 'välue 𝄞', 'h:empty', '']);
    expect(Buffer.concat(chunks).equals(Buffer.concat([packMessage(message, 1000), second]))).toBe(true);
  });
});
