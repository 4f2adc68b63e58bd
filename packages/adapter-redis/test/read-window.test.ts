import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LeanConnection } from '../src/lean-connection.js';
import { ReadWindow } from '../src/read-window.js';
import { redisUrl } from './broker.js';
import { leanConnection } from './helpers.js';

const url = await redisUrl();

/** What each socket write of `connection` carried, as text. */
function recordWrites(connection: LeanConnection): string[] {
  const socket = (connection as unknown as { socket: { write(chunk: Buffer): boolean } }).socket;
  const writes: string[] = [];
  const write = socket.write.bind(socket);
  socket.write = (chunk: Buffer) => {
    writes.push(chunk.toString('latin1'));
    return write(chunk);
  };
  return writes;
}

/** The ECHO arguments a write carried, in order (ECHO commands stand in for acks, replies and reads). */
const echoes = (write: string | undefined) =>
  [...(write ?? '').matchAll(/ECHO\r\n\$\d+\r\n([^\r]+)/g)].map((m) => m[1]);

describe.skipIf(!url)('ReadWindow', () => {
  let connection: LeanConnection;
  beforeAll(async () => {
    connection = leanConnection(url);
    await connection.connect();
  });
  afterAll(() => connection.quit());
  /** The window of the running test: closed after it, so a failed test leaves the connection uncorked. */
  let window: ReadWindow;
  afterEach(() => window.close());

  it('writes the first rider at once with what came before it, later riders before the read, the read last', async () => {
    window = new ReadWindow(connection);
    const writes = recordWrites(connection);
    window.open();
    const ack = window.send((c) => c.call('ECHO', 'ack'));
    expect(writes).toEqual([]); // an ack waits for the read
    const reply = window.send((c) => c.call('ECHO', 'reply'), true);
    expect(writes.map(echoes)).toEqual([['ack', 'reply']]); // the first rider leaves at once, the ack with it
    const second = window.send((c) => c.call('ECHO', 'second reply'), true);
    const ack2 = window.send((c) => c.call('ECHO', 'ack 2'));
    expect(writes).toHaveLength(1); // later riders wait for the read
    window.flushRiders();
    expect(writes.map(echoes)).toEqual([
      ['ack', 'reply'],
      ['second reply', 'ack 2'],
    ]);
    const read = connection.call('ECHO', 'read');
    window.close();
    expect(writes.map(echoes)).toEqual([['ack', 'reply'], ['second reply', 'ack 2'], ['read']]);
    const replies = await Promise.all([ack, reply, second, ack2, read]);
    expect(replies.map((r) => String(r))).toEqual(['ack', 'reply', 'second reply', 'ack 2', 'read']);
  });

  it('without a rider, the acks leave with the read in one write', async () => {
    window = new ReadWindow(connection);
    const writes = recordWrites(connection);
    window.open();
    const ack = window.send((c) => c.call('ECHO', 'ack'));
    window.flushRiders();
    expect(writes).toEqual([]);
    const read = connection.call('ECHO', 'read');
    window.close();
    expect(writes.map(echoes)).toEqual([['ack', 'read']]);
    expect((await Promise.all([ack, read])).map(String)).toEqual(['ack', 'read']);
  });
});
