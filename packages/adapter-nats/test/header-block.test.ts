/** The header block written and read as bytes: same text as the client's MsgHdrs, same reading rules. No broker. */
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { WireMessage } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { decodeHeaderBlock, encodeHeaders } from '../src/header-block.js';

function wire(headers: Record<string, string>, extra: Partial<WireMessage> = {}): WireMessage {
  return { id: 'm1', body: new Uint8Array(0), headers, ...extra };
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('header block', () => {
  it('writes what the client would write for the same headers', () => {
    const ours = encodeHeaders(
      wire({ 'sb-id': 'm1', tenant: 'acme', 'x-uni': '漢字 ☺' }, { key: 'k1', dedupeId: 'd1' }),
    );
    const theirs = natsHeaders();
    for (const [k, v] of [
      ['sb-id', 'm1'],
      ['tenant', 'acme'],
      ['x-uni', '漢字 ☺'],
      ['sb-key', 'k1'],
      ['Nats-Msg-Id', 'd1'],
    ] as const)
      theirs.append(k, v);
    expect(text(ours.bytes)).toBe(text((theirs as typeof theirs & { encode(): Uint8Array }).encode()));
  });

  it('round-trips keys and values that need encoded words', () => {
    const headers = {
      'x key': ' padded ',
      'Nats-Like': 'v',
      'line\nbreak': 'a\r\nb',
      '=?odd': '=?utf-8?b?x?=',
      '': '',
    };
    expect(decodeHeaderBlock(encodeHeaders(wire(headers)).bytes)).toEqual(headers);
  });

  it('reads a raw block: status line skipped, values trimmed, Nats-* left out, repeats joined in order', () => {
    const block = Buffer.from('NATS/1.0 503\r\nk: 1\r\nNats-Msg-Id: x\r\nother:  2 \r\nk: 3\r\n\r\n');
    expect(decodeHeaderBlock(block)).toEqual({ k: '1, 3', other: '2' });
  });

  it('reads blocks one after another: repeated and changing values, encoded words, Unicode', () => {
    const blocks: [string, Record<string, string>][] = [
      ['NATS/1.0\r\nsb-id: a1\r\nct: application/json\r\n\r\n', { 'sb-id': 'a1', ct: 'application/json' }],
      ['NATS/1.0\r\nsb-id: a2\r\nct: application/json\r\n\r\n', { 'sb-id': 'a2', ct: 'application/json' }],
      ['NATS/1.0\r\nct: =?utf-8?b?YQ==?=\r\nsb-id:a2\r\n\r\n', { ct: 'a', 'sb-id': 'a2' }],
      ['NATS/1.0\r\nct: =?utf-8?b?YQ==?=\r\n\r\n', { ct: 'a' }],
      ['NATS/1.0\r\nct: \u00a0漢字 ☺\u00a0\r\nk\u00e9y: v\r\n\r\n', { ct: '漢字 ☺', 'k\u00e9y': 'v' }],
      [
        'NATS/1.0\r\nct:\tapplication/json \r\nno colon\r\n: empty key\r\n\r\n',
        { ct: 'application/json', '': 'empty key' },
      ],
    ];
    for (const [block, headers] of blocks)
      expect(decodeHeaderBlock(Buffer.from(block, 'utf8'))).toEqual(headers);
  });

  it('reads a key whose values stopped repeating (no longer remembered) as exactly as one whose values repeat', () => {
    const values = [
      ...Array.from({ length: 20 }, (_, i) => `unique-${i}`),
      'same',
      'same',
      'x',
      'same',
      '=?utf-8?b?YQ==?=',
      'same',
    ];
    const read = values.map(
      (value) =>
        decodeHeaderBlock(Buffer.from(`NATS/1.0\r\nx-run: ${value}\r\nx-ct: c\r\n\r\n`, 'utf8'))['x-run'],
    );
    expect(read).toEqual(values.map((value) => (value.startsWith('=?') ? 'a' : value)));
  });

  it('joins repeats of keys whose byte hashes collide (the second is read outside the cache)', () => {
    const block = Buffer.from('NATS/1.0\r\nAa: 1\r\nBB: 2\r\nBB: 3\r\nAa: 4\r\n\r\n');
    expect(decodeHeaderBlock(block)).toEqual({ Aa: '1, 4', BB: '2, 3' });
    expect(decodeHeaderBlock(block)).toEqual({ Aa: '1, 4', BB: '2, 3' });
  });

  it('rejects a dedupe id that would break the block', () => {
    expect(() => encodeHeaders(wire({}, { dedupeId: 'a\r\nNats-Rollup: all' }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('writes a TTL as Nats-TTL in whole seconds', () => {
    expect(text(encodeHeaders(wire({}, { ttlMs: 1500 })).bytes)).toBe('NATS/1.0\r\nNats-TTL: 2s\r\n\r\n');
  });
});
