import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { MessagingError } from '@switchboard/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { mapError } from '../src/errors.js';
import {
  CONNECTION_CLOSED,
  type LeanConnection,
  type LeanConnectionOptions,
} from '../src/lean-connection.js';
import { ReplyError } from '../src/resp-parser.js';
import { redisUrl } from './broker.js';
import { CuttableProxy, fresh, leanConnection } from './helpers.js';

const url = await redisUrl();
const context = { action: 'test', url: 'redis://test' };

/** A lean connection to the test server, not connected yet. */
function lean(options: Partial<LeanConnectionOptions> = {}): LeanConnection {
  return leanConnection(url, options);
}

/** A self-signed certificate for `localhost` (openssl), and its key. */
function selfSigned(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'sbt-tls-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(cert), key: readFileSync(key) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves on the connection's next `ready` event. */
const nextReady = (connection: LeanConnection) =>
  new Promise<void>((resolve) => connection.once('ready', () => resolve()));

// The adapter's reading connections on standalone servers (src/lean-connection.ts), against a real server.
describe.skipIf(!url)('LeanConnection', () => {
  const raw = new Redis(url ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  afterAll(() => raw.quit());

  it('answers commands in order, corked ones included; error replies reject with the server text', async () => {
    const key = fresh('lean');
    const connection = lean({ db: 3 });
    await connection.connect();
    try {
      expect(connection.status).toBe('ready');
      expect(await connection.call('CLIENT', 'GETNAME')).toEqual(Buffer.from('sb-read'));
      connection.cork();
      const replies = Promise.all([
        connection.call('RPUSH', key, 'a', Buffer.from([0, 0xff]), 7),
        connection.callBuffer('LRANGE', key, 0, -1),
        connection.call('XADD', key, '*', 'f', 'v').catch((error: unknown) => error),
        connection.call('LLEN', key),
      ]);
      connection.uncork();
      const [pushed, range, wrongType, length] = await replies;
      expect(pushed).toBe(3);
      expect(range).toEqual([Buffer.from('a'), Buffer.from([0, 0xff]), Buffer.from('7')]);
      expect(wrongType).toBeInstanceOf(ReplyError);
      expect(MessagingError.is(mapError(wrongType, context), 'CONFLICT')).toBe(true);
      expect(length).toBe(3);
      // SELECT ran: the list is in database 3, not 0.
      expect(await raw.exists(key)).toBe(0);
      await connection.call('DEL', key);
    } finally {
      connection.disconnect();
    }
    expect(connection.status).toBe('end');
    await expect(connection.call('PING')).rejects.toThrow(CONNECTION_CLOSED);
  });

  it('replies larger than one socket read arrive whole, and the connection goes on', async () => {
    const key = fresh('lean-big');
    const big = randomBytes(300_000);
    const connection = lean();
    await connection.connect();
    try {
      await connection.call('SET', key, big);
      const [value, again] = await Promise.all([connection.call('GET', key), connection.call('GET', key)]);
      expect(Buffer.compare(value as Buffer, big)).toBe(0);
      expect(Buffer.compare(again as Buffer, big)).toBe(0);
      expect(await connection.call('DEL', key)).toBe(1);
    } finally {
      connection.disconnect();
    }
  });

  it('quit lets the commands in flight get their replies, then ends the connection', async () => {
    const connection = lean();
    await connection.connect();
    const echo = connection.call('ECHO', 'last');
    await connection.quit();
    expect(await echo).toEqual(Buffer.from('last'));
    expect(connection.status).toBe('end');
  });

  it('authenticates with an ACL user; refused credentials fail connect with UNAUTHENTICATED, unprinted', async () => {
    const user = `sbt-lean-${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    await raw.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all');
    try {
      const good = lean({ username: user, password });
      await good.connect();
      expect(String(await good.call('ACL', 'WHOAMI'))).toBe(user);
      good.disconnect();
      // A user that may not run CLIENT: the refused CLIENT SETNAME does not fail the connection (as with ioredis).
      await raw.call('ACL', 'SETUSER', user, '-client');
      const unnamed = lean({ username: user, password });
      await unnamed.connect();
      expect(await unnamed.call('PING')).toBe('PONG');
      unnamed.disconnect();
      const bad = lean({ username: user, password: 'wrong-secret' });
      const error = await bad.connect().catch((e: unknown) => e);
      expect(bad.status).toBe('end');
      const mapped = mapError(error, context);
      expect(mapped.code).toBe('UNAUTHENTICATED');
      expect(mapped.message).not.toContain('wrong-secret');
    } finally {
      await raw.call('ACL', 'DELUSER', user);
    }
  });

  it('connects over TLS with the TLS options given (a TLS proxy in front of the server)', async () => {
    const { hostname, port } = new URL(url!);
    const { cert, key } = selfSigned();
    const server = createTlsServer({ cert, key }, (client) => {
      const upstream = tcpConnect(Number(port || 6379), hostname);
      for (const s of [client, upstream]) s.on('error', () => undefined);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tlsPort = (server.address() as { port: number }).port;
    try {
      const trusted = lean({ host: '127.0.0.1', port: tlsPort, tls: { servername: 'localhost', ca: cert } });
      await trusted.connect();
      expect(await trusted.call('CLIENT', 'GETNAME')).toEqual(Buffer.from('sb-read'));
      trusted.disconnect();
      // Without the CA the certificate is refused: TLS is really in use.
      const untrusted = lean({ host: '127.0.0.1', port: tlsPort, tls: { servername: 'localhost' } });
      const error = await untrusted.connect().catch((e: unknown) => e);
      expect(String((error as { code?: unknown }).code)).toMatch(/CERT|SELF_SIGNED/);
    } finally {
      server.close();
    }
  });

  it('a server that never answers the handshake fails connect after the connect timeout, retryable', async () => {
    const held = new Set<Socket>();
    const silent = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const connection = lean({ host: '127.0.0.1', port, connectTimeoutMs: 200 });
      const error = await connection.connect().catch((e: unknown) => e);
      expect(String((error as Error).message)).toContain('ETIMEDOUT');
      expect(mapError(error, context).code).toBe('UNAVAILABLE');
      expect(connection.status).toBe('end');
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });

  it('a refused connection fails connect with a retryable UNAVAILABLE', async () => {
    const connection = lean({ host: '127.0.0.1', port: 1 });
    const error = await connection.connect().catch((e: unknown) => e);
    expect(connection.status).toBe('end');
    const mapped = mapError(error, context);
    expect(mapped.code).toBe('UNAVAILABLE');
    expect(mapped.retryable).toBe(true);
  });

  it('a lost connection fails what is in flight, refuses commands meanwhile, and reconnects by itself', async () => {
    const { hostname, port } = new URL(url!);
    const proxy = new CuttableProxy(hostname, Number(port || 6379));
    await proxy.start();
    const connection = lean({ host: '127.0.0.1', port: proxy.port });
    const list = fresh('lean-lost');
    try {
      await connection.connect();
      const blocked = connection.call('BLMPOP', 5, 1, list, 'RIGHT').catch((e: unknown) => e);
      await proxy.cut();
      const failed = await blocked;
      expect((failed as Error).message).toBe(CONNECTION_CLOSED);
      expect(mapError(failed, context).code).toBe('UNAVAILABLE');
      expect(connection.status).toBe('reconnecting');
      await expect(connection.call('PING')).rejects.toThrow(CONNECTION_CLOSED);
      const ready = nextReady(connection);
      await proxy.restore();
      await ready;
      expect(connection.status).toBe('ready');
      // The handshake ran again, and the connection serves blocking reads as before.
      expect(await connection.call('CLIENT', 'GETNAME')).toEqual(Buffer.from('sb-read'));
      const popping = connection.call('BLMPOP', 5, 1, list, 'RIGHT');
      await raw.lpush(list, 'x');
      expect(await popping).toEqual([Buffer.from(list), [Buffer.from('x')]]);
    } finally {
      connection.disconnect();
      await proxy.cut();
    }
  });

  it('a RESP3 connection subscribes, gets the messages published to it between replies, and carries commands meanwhile', async () => {
    const connection = lean({ resp3: true, name: 'sb-inbox' });
    const channel = fresh('lean-channel');
    const stream = fresh('lean-stream');
    const messages: string[] = [];
    connection.onMessage = (from, payload) => messages.push(`${from.toString()} ${payload.toString()}`);
    try {
      await connection.connect();
      expect(await connection.call('CLIENT', 'GETNAME')).toEqual(Buffer.from('sb-inbox'));
      expect(await connection.call('SUBSCRIBE', channel)).toEqual([
        Buffer.from('subscribe'),
        Buffer.from(channel),
        1,
      ]);
      expect(await raw.publish(channel, 'one')).toBe(1);
      // Subscribed, the connection still runs commands; their replies are not taken for messages.
      const id = await connection.call('XADD', stream, '*', 'body', 'x');
      expect(String(id)).toMatch(/^\d+-\d+$/);
      expect(await raw.publish(channel, 'two')).toBe(1);
      expect(await connection.call('PING')).toBe('PONG');
      expect(messages).toEqual([`${channel} one`, `${channel} two`]);
      expect(await connection.call('UNSUBSCRIBE', channel)).toEqual([
        Buffer.from('unsubscribe'),
        Buffer.from(channel),
        0,
      ]);
      expect(await raw.publish(channel, 'three')).toBe(0);
    } finally {
      connection.disconnect();
      await raw.del(stream);
    }
  });
});
