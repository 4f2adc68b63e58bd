import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { Transport } from '@switchboard/core';
import { LeanConnection, type LeanConnectionOptions } from '../src/lean-connection.js';

/** A fresh name for this run. */
export function fresh(prefix: string): string {
  return `sbt.${prefix}.${randomBytes(5).toString('hex')}`;
}

/** Collects items and resolves waiters once a count is reached (rejecting after a bound). */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: { n: number; resolve(): void }[] = [];

  add = (item: T): void => {
    this.items.push(item);
    const due = this.waiters.filter((w) => this.items.length >= w.n);
    this.waiters = this.waiters.filter((w) => this.items.length < w.n);
    for (const w of due) w.resolve();
  };

  waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.items.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${n} items within ${timeoutMs} ms, got ${this.items.length}`)),
        timeoutMs,
      );
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/** A TCP proxy to Redis that can be cut (every socket destroyed, new ones refused) and restored. */
export class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Drops every connection and stops listening. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Listens again on the same port. */
  restore(): Promise<void> {
    return this.start(this.port);
  }
}

/** Wraps `transport.openInbox` so the returned function gives the address of the inbox it opened last ('' before). */
export function recordInboxAddress(transport: Transport): () => string {
  let address = '';
  const openInbox = transport.openInbox.bind(transport);
  transport.openInbox = async (onMessage) => {
    const inbox = await openInbox(onMessage);
    address = inbox.address;
    return inbox;
  };
  return () => address;
}

/** A lean connection to the Redis at `url` (loopback:6379 when undefined), not connected yet. */
export function leanConnection(
  url: string | undefined,
  options: Partial<LeanConnectionOptions> = {},
): LeanConnection {
  const { hostname, port } = new URL(url ?? 'redis://127.0.0.1:6379');
  return new LeanConnection({
    host: hostname,
    port: Number(port || 6379),
    tls: undefined,
    username: undefined,
    password: undefined,
    db: 0,
    name: 'sb-read',
    connectTimeoutMs: 2000,
    retryDelay: () => 20,
    ...options,
  });
}
