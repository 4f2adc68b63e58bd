import { describe, expect, it } from 'vitest';
import { Push, ReplyError, RespParser } from '../src/resp-parser.js';

/** Feeds `bytes` to a new parser in the given chunk sizes (cycled) and returns the replies it handed out. */
function parseInChunks(bytes: Buffer, sizes: readonly number[]): unknown[] {
  const replies: unknown[] = [];
  const parser = new RespParser((reply) => replies.push(reply));
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    parser.feed(bytes.subarray(at, at + size));
    at += size;
  }
  return replies;
}

/** Buffers as their text, ReplyErrors as `error: <message>`, for comparing replies. */
function readable(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value instanceof ReplyError) return `error: ${value.message}`;
  if (Array.isArray(value)) return value.map(readable);
  if (value instanceof Push) return { push: value.items.map(readable) };
  return value;
}

const STREAM =
  '*1\r\n*2\r\n$8\r\nsb:q:{q}\r\n*1\r\n*2\r\n$15\r\n1700000000000-0\r\n*4\r\n$4\r\nbody\r\n$6\r\na\r\nb\x00c\r\n$2\r\nsb\r\n$2\r\n{}\r\n';
const REPLIES = Buffer.from(
  `+OK\r\n:42\r\n:-7\r\n$-1\r\n*-1\r\n$0\r\n\r\n-NOGROUP No such key\r\n*3\r\n:1\r\n-ERR inner\r\n$3\r\nabc\r\n${STREAM}*0\r\n`,
  'latin1',
);
const EXPECTED = [
  'OK',
  42,
  -7,
  null,
  null,
  '',
  'error: NOGROUP No such key',
  [1, 'error: ERR inner', 'abc'],
  [['sb:q:{q}', [['1700000000000-0', ['body', 'a\r\nb\x00c', 'sb', '{}']]]]],
  [],
];

describe('RespParser', () => {
  it('parses every RESP2 reply type, in order, from one chunk', () => {
    expect(parseInChunks(REPLIES, [REPLIES.length]).map(readable)).toEqual(EXPECTED);
  });

  it('gives the same replies however the bytes are split (every split point, byte by byte, uneven chunks)', () => {
    for (let cut = 1; cut < REPLIES.length; cut++) {
      expect(parseInChunks(REPLIES, [cut, REPLIES.length]).map(readable)).toEqual(EXPECTED);
    }
    expect(parseInChunks(REPLIES, [1]).map(readable)).toEqual(EXPECTED);
    expect(parseInChunks(REPLIES, [3, 7, 2, 11]).map(readable)).toEqual(EXPECTED);
  });

  it('large bulk strings in many chunks arrive whole, with the replies around them', () => {
    const body = Buffer.alloc(300_000, 0x61);
    body[123_456] = 0x0d;
    const bulk = Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from('\r\n')]);
    const bytes = Buffer.concat([
      Buffer.from(':1\r\n'),
      bulk,
      Buffer.from('*3\r\n'),
      bulk,
      bulk,
      bulk,
      Buffer.from(':5\r\n'),
    ]);
    for (const sizes of [[65_536], [1000, 70_001]]) {
      const replies = parseInChunks(bytes, sizes);
      expect(replies).toHaveLength(4);
      expect(replies[0]).toBe(1);
      expect((replies[1] as Buffer).equals(body)).toBe(true);
      expect((replies[2] as Buffer[]).map((item) => item.equals(body))).toEqual([true, true, true]);
      expect(replies[3]).toBe(5);
    }
  });

  it('parses the RESP3 types a subscribing connection meets (HELLO 3), in order, however the bytes are split', () => {
    const bytes = Buffer.from(
      '%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n' + // HELLO 3's map
        '>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n' +
        '_\r\n#t\r\n#f\r\n,3.5\r\n(12345678901234567890\r\n~2\r\n:1\r\n:2\r\n' +
        '=8\r\ntxt:a\r\nb\r\n!9\r\nERR bl\r\nb\r\n' +
        '|1\r\n$3\r\nkey\r\n:0\r\n$15\r\n1700000000000-0\r\n' + // an attribute, then its reply
        '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\na\x00b\r\n',
      'latin1',
    );
    const expected = [
      ['server', 'redis', 'proto', 3],
      { push: ['subscribe', 'ch', 1] },
      null,
      true,
      false,
      '3.5',
      '12345678901234567890',
      [1, 2],
      'a\r\nb',
      'error: ERR bl\r\nb',
      '1700000000000-0',
      { push: ['message', 'ch', 'a\x00b'] },
    ];
    expect(parseInChunks(bytes, [bytes.length]).map(readable)).toEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parseInChunks(bytes, [cut, bytes.length]).map(readable)).toEqual(expected);
    }
  });

  it('an unknown reply type is a protocol error; reset drops a half-parsed reply', () => {
    const parser = new RespParser(() => undefined);
    expect(() => parser.feed(Buffer.from('?what\r\n'))).toThrow(/Protocol error/);
    const replies: unknown[] = [];
    const next = new RespParser((reply) => replies.push(reply));
    next.feed(Buffer.from('$10\r\nhalf'));
    next.reset();
    next.feed(Buffer.from(':1\r\n'));
    expect(replies).toEqual([1]);
  });
});
