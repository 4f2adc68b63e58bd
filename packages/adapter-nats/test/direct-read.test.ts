/**
 * The direct reader's frame splitting, as pure logic: a byte stream of server frames is cut at every point
 * and fed to a reader in front of a recording stand-in for the client's parser. Routed messages must reach
 * their handler exactly once with their bytes, and every other frame must reach the client's parser whole,
 * in order. (Against a real server: adapter.test.ts, "direct read".)
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import { DirectReader } from '../src/direct-read.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** A stand-in for the client's parser that records what it is given and is always at a frame start. */
function fakeConnection() {
  const seen: string[] = [];
  const parser = { state: 0, parse: (bytes: Uint8Array) => seen.push(text(bytes)) };
  const protocol = { parser, inMsgs: 0, inBytes: 0 };
  return { nc: { protocol } as unknown as NatsConnection, protocol, seen };
}

function fakeSub(sid: number) {
  let close = () => {};
  const closed = new Promise<void>((resolve) => (close = resolve));
  return { sub: { sid, closed, received: 0 } as unknown as Subscription & { received: number }, close };
}

const hmsg = (sid: number, headers: string, body: string) =>
  `HMSG orders ${sid} ${headers.length} ${headers.length + body.length}\r\n${headers}${body}\r\n`;

const HEADERS = 'NATS/1.0\r\nsb-id: m1\r\n\r\n';
const STREAM = [
  'INFO {"server_id":"x","max_payload":1048576}\r\n',
  hmsg(1, HEADERS, 'first body'),
  'PING\r\n',
  'MSG other 2 reply.to 5\r\nhello\r\n',
  hmsg(1, HEADERS, 'second\r\nbody with a line break'),
  '+OK\r\n',
  'MSG orders 1 0\r\n\r\n',
  '-ERR \'Permissions Violation for Subscription to "x"\'\r\n',
  hmsg(2, HEADERS, 'not routed'),
  'msg orders 1 3\r\nabc\r\n',
  'PONG\r\n',
];
const ROUTED = [
  { headers: HEADERS, body: 'first body' },
  { headers: HEADERS, body: 'second\r\nbody with a line break' },
  { headers: '', body: '' },
  { headers: '', body: 'abc' },
];
const UNROUTED = STREAM.filter((_, i) => ![1, 4, 6, 9].includes(i)).join('');

function feed(cuts: number[]) {
  const { nc, protocol, seen } = fakeConnection();
  const reader = DirectReader.install(nc)!;
  const { sub } = fakeSub(1);
  const got: { headers: string; body: string }[] = [];
  reader.route(sub, (bytes, headerLength) =>
    got.push({ headers: text(bytes.subarray(0, headerLength)), body: text(bytes.subarray(headerLength)) }),
  );
  const all = Buffer.from(STREAM.join(''), 'latin1');
  let from = 0;
  for (const cut of [...cuts, all.length]) {
    protocol.parser.parse(all.subarray(from, cut));
    from = cut;
  }
  return { got, seen, protocol, sub };
}

describe('direct read', () => {
  it('hands routed messages to their handler and every other frame to the client, whole and in order', () => {
    const { got, seen, protocol, sub } = feed([]);
    expect(got).toEqual(ROUTED);
    expect(seen.join('')).toBe(UNROUTED);
    for (const chunk of seen) expect(chunk.endsWith('\r\n')).toBe(true);
    expect(protocol.inMsgs).toBe(4);
    expect(sub.received).toBe(4);
  });

  it('gives the same result wherever the reads split the stream, once or twice', () => {
    const length = Buffer.byteLength(STREAM.join(''), 'latin1');
    for (let a = 1; a < length; a++) {
      const once = feed([a]);
      expect(once.got).toEqual(ROUTED);
      expect(once.seen.join('')).toBe(UNROUTED);
      for (let b = a + 1; b < length; b += 7) {
        const twice = feed([a, b]);
        expect(twice.got).toEqual(ROUTED);
        expect(twice.seen.join('')).toBe(UNROUTED);
      }
    }
  });

  it('assembles a large message from many reads', () => {
    const { nc, protocol } = fakeConnection();
    const reader = DirectReader.install(nc)!;
    const got: Uint8Array[] = [];
    reader.route(fakeSub(7).sub, (bytes) => got.push(Uint8Array.from(bytes)));
    const body = Buffer.alloc(1_000_000, 'x');
    body.write('end', body.length - 3);
    const frame = Buffer.concat([Buffer.from(`MSG big 7 ${body.length}\r\n`), body, Buffer.from('\r\n')]);
    for (let at = 0; at < frame.length; at += 65_536) protocol.parser.parse(frame.subarray(at, at + 65_536));
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(body)).toBe(true);
  });

  it('stops routing a subscription once it is closed', async () => {
    const { nc, protocol, seen } = fakeConnection();
    const reader = DirectReader.install(nc)!;
    const { sub, close } = fakeSub(1);
    const got: string[] = [];
    reader.route(sub, (bytes) => got.push(text(bytes)));
    protocol.parser.parse(Buffer.from('MSG a 1 1\r\nx\r\n'));
    close();
    await sub.closed;
    protocol.parser.parse(Buffer.from('MSG a 1 1\r\ny\r\n'));
    expect(got).toEqual(['x']);
    expect(seen).toEqual(['MSG a 1 1\r\ny\r\n']);
  });

  it('leaves bytes it does not recognise, and all that follow, to the client', () => {
    const { nc, protocol, seen } = fakeConnection();
    const reader = DirectReader.install(nc)!;
    const got: string[] = [];
    reader.route(fakeSub(1).sub, (bytes) => got.push(text(bytes)));
    protocol.parser.parse(Buffer.from('MSG a 1 1\r\nx\r\nMSG a 1 nope\r\nMSG a 1 1\r\ny\r\n'));
    protocol.parser.parse(Buffer.from('MSG a 1 1\r\nz\r\n'));
    expect(got).toEqual(['x']);
    expect(seen).toEqual(['MSG a 1 nope\r\nMSG a 1 1\r\ny\r\n', 'MSG a 1 1\r\nz\r\n']);
  });

  it('rejects a frame whose size does not end at its line break', () => {
    const { nc, protocol, seen } = fakeConnection();
    const reader = DirectReader.install(nc)!;
    const got: string[] = [];
    reader.route(fakeSub(1).sub, (bytes) => got.push(text(bytes)));
    protocol.parser.parse(Buffer.from('MSG a 1 2\r\nxyz\r\n'));
    expect(got).toEqual([]);
    expect(seen).toEqual(['MSG a 1 2\r\nxyz\r\n']);
  });

  it('takes over the parser the client makes on reconnect, and starts it clean', () => {
    const { nc, protocol } = fakeConnection();
    const reader = DirectReader.install(nc)!;
    const got: string[] = [];
    reader.route(fakeSub(1).sub, (bytes) => got.push(text(bytes)));
    protocol.parser.parse(Buffer.from('MSG a 1 5\r\nhal')); // the connection drops mid-frame
    const seen: string[] = [];
    protocol.parser = { state: 0, parse: (bytes: Uint8Array) => seen.push(text(bytes)) };
    protocol.parser.parse(Buffer.from('PING\r\nMSG a 1 2\r\nok\r\n'));
    expect(got).toEqual(['ok']);
    expect(seen).toEqual(['PING\r\n']);
  });

  it('reports a handler that throws and goes on reading', () => {
    const { nc, protocol, seen } = fakeConnection();
    const reader = DirectReader.install(nc)!;
    const got: string[] = [];
    reader.route(fakeSub(1).sub, (bytes) => {
      if (text(bytes) === 'x') throw new Error('handler bug');
      got.push(text(bytes));
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      protocol.parser.parse(Buffer.from('MSG a 1 1\r\nx\r\nPING\r\nMSG a 1 1\r\ny\r\n'));
      expect(got).toEqual(['y']);
      expect(seen).toEqual(['PING\r\n']);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toContain('handler bug');
    } finally {
      errors.mockRestore();
    }
  });
});
