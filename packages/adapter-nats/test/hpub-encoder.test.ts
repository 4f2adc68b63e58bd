/** The batch encoder writes, byte for byte, what `nc.publish` writes with header-block.ts's block. No broker. */
import type { WireMessage } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { headerText } from '../src/header-block.js';
import { encodeBatch } from '../src/hpub-encoder.js';

/** What `nc.publish(subject, body, { headers, reply })` writes for one message. */
function published(subject: string, message: WireMessage, reply?: string): Buffer {
  const block = Buffer.from(headerText(message), 'utf8');
  const total = block.length + message.body.length;
  const line = `HPUB ${subject}${reply ? ` ${reply}` : ''} ${block.length} ${total}\r\n`;
  return Buffer.concat([Buffer.from(line, 'utf8'), block, message.body, Buffer.from('\r\n')]);
}

const body = (text: string) => new TextEncoder().encode(text);

const messages: WireMessage[] = [
  {
    id: 'a',
    body: body('{"n":1}'),
    headers: { 'sb-id': 'a', 'sb-ts': '1764210000123', 'sb-content-type': 'application/octet-stream' },
  },
  {
    id: 'b',
    body: body('x'),
    headers: { 'sb-id': 'b', 'sb-ts': '1764210000124', 'sb-content-type': 'application/octet-stream' },
  },
  {
    id: 'c',
    body: new Uint8Array([0, 255, 13, 10]),
    headers: { 'x-uni': '漢字 ☺', 'x key': ' padded ', odd: '=?x' },
    key: 'k',
  },
  { id: 'd', body: new Uint8Array(0), headers: {}, dedupeId: ' d1 ', ttlMs: 1500 },
  {
    id: 'e',
    body: body('y'),
    headers: { long: 'v'.repeat(100), 'long-uni': '☺'.repeat(70), ctl: 'a\tb', empty: '', 'Nats-X': '1' },
  },
  {
    id: 'f',
    body: body('z'),
    headers: { 'sb-key': 'own', 'x-uni': '漢字 ☺', '=?k': 'a=?b' },
    key: 'ignored',
  },
  { id: 'g', body: body('w'), headers: { 'x-uni': 'plain', 'sb-content-type': 'application/json' } },
];

describe('encodeBatch', () => {
  it('writes what nc.publish writes per message, with and without reply subjects', () => {
    const subject = 'sb.q.orders';
    expect(encodeBatch(subject, messages, undefined, 'test')).toEqual(
      Buffer.concat(messages.map((m) => published(subject, m))),
    );
    const reply = (i: number) => `_INBOX.abc.${i}`;
    expect(encodeBatch(subject, messages, undefined, 'test', reply)).toEqual(
      Buffer.concat(messages.map((m, i) => published(subject, m, reply(i)))),
    );
  });

  it('writes the same again when values repeat or change between batches', () => {
    const subject = 'sb.t.a';
    for (const batch of [messages.slice(0, 2), messages.slice(1), messages.slice(0, 1), messages.slice(5)]) {
      expect(encodeBatch(subject, batch, undefined, 'test')).toEqual(
        Buffer.concat(batch.map((m) => published(subject, m))),
      );
    }
  });

  it('encodes batches larger than its scratch buffer, and values that grow when encoded', () => {
    const many: WireMessage[] = Array.from({ length: 1500 }, (_, i) => ({
      id: `m${i}`,
      body: new Uint8Array(256).fill(i % 256),
      headers: { 'sb-id': `id-${i}`, 'x-edge': i % 2 ? '\u00a0nbsp' : `${'\u0001'.repeat(i % 50)}` },
    }));
    const expected = Buffer.concat(many.map((m) => published('sb.q.many', m)));
    expect(encodeBatch('sb.q.many', many, undefined, 'test').equals(expected)).toBe(true);
  });

  it('encodes a batch of more than 1 MiB, and the next batch after it', () => {
    const large: WireMessage[] = Array.from({ length: 600 }, (_, i) => ({
      id: `l${i}`,
      body: new Uint8Array(2048).fill(i % 251),
      headers: { 'sb-id': `l${i}` },
    }));
    for (const batch of [large, messages]) {
      const expected = Buffer.concat(batch.map((m) => published('sb.q.l', m)));
      expect(encodeBatch('sb.q.l', batch, undefined, 'test').equals(expected)).toBe(true);
    }
  });

  it('writes a value that repeats, then changes, then repeats again, as the client would each time', () => {
    const values = ['a', 'a', 'a', ' padded ', ' padded ', '漢字', '漢字', 'b', 'a', 'a'];
    const batch: WireMessage[] = values.map((v, i) => ({
      id: `r${i}`,
      body: body('x'),
      headers: { 'sb-content-type': v, 'sb-id': `r${i}` },
    }));
    for (const messages of [batch, batch.slice(3), batch.slice(0, 2)]) {
      const expected = Buffer.concat(messages.map((m) => published('s', m)));
      expect(encodeBatch('s', messages, undefined, 'test').equals(expected)).toBe(true);
    }
  });

  it('rejects the batch with PAYLOAD_TOO_LARGE when headers and body exceed max_payload', () => {
    const big: WireMessage = { id: 'big', body: new Uint8Array(100), headers: { 'sb-id': 'big' } };
    const total = Buffer.byteLength(headerText(big)) + big.body.length;
    expect(encodeBatch('s', [big], total, 'test')).toEqual(published('s', big));
    expect(() => encodeBatch('s', [messages[0]!, big], total - 1, 'publish to queue s')).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
  });
});
