import { readFileSync } from 'node:fs';
import {
  type Authenticator,
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from '@nats-io/transport-node';
import { redactUrl } from '@switchboard/core';
import { DirectReader } from './direct-read.js';
import { mapError, natsError, outage } from './errors.js';
import type { ResolvedOptions } from './options.js';

/**
 * One NATS connection and its state. The client reconnects forever after a loss; while it is down the
 * adapter writes nothing to it (so the client's own buffer stays small) and callers wait in
 * {@link Connection.whenConnected}, bounded by their signal.
 */
export class Connection {
  connected = true;
  private waiters = new Set<() => void>();
  private readonly disconnectListeners = new Set<() => void>();

  /** Reads the adapter's core subscriptions' messages ahead of the client's parser (undefined: client lacks its internals). */
  readonly reader: DirectReader | undefined;

  private constructor(readonly nc: NatsConnection) {
    this.reader = DirectReader.install(nc);
    void this.watch();
  }

  /** Connects; rejects with UNAVAILABLE (or UNAUTHENTICATED) within the connect timeout, naming the redacted servers. */
  static async open(options: ResolvedOptions): Promise<Connection> {
    const where = redactUrl(options.servers.join(','));
    const settings: ConnectionOptions = {
      servers: options.servers,
      name: options.name,
      timeout: options.connectTimeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs,
      reconnectJitter: 50,
      noRandomize: true,
      waitOnFirstConnect: false,
    };
    const authenticator = authenticatorOf(options);
    if (authenticator) settings.authenticator = authenticator;
    if (options.tls) settings.tls = options.tls;
    let timer: NodeJS.Timeout | undefined;
    try {
      const nc = await Promise.race([
        connect(settings),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                natsError(
                  'UNAVAILABLE',
                  `cannot connect to ${where} within ${options.connectTimeoutMs} ms — is nats-server running?`,
                  true,
                ),
              ),
            options.connectTimeoutMs,
          );
        }),
      ]);
      return new Connection(nc);
    } catch (error) {
      const mapped = mapError(error, `cannot connect to ${where}`);
      if (mapped.code === 'INTERNAL' || mapped.code === 'TIMEOUT') {
        throw natsError(
          'UNAVAILABLE',
          `cannot connect to ${where}: ${mapped.message} — is nats-server running?`,
          true,
          error,
        );
      }
      throw mapped;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves at once while connected; else when the connection is back. Rejects with a retryable UNAVAILABLE when `signal` aborts first. */
  whenConnected(signal: AbortSignal | undefined, what: string): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(outage(what));
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiters.delete(wake);
        reject(outage(what));
      };
      this.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Calls `listener` on every connection loss (to fail sends whose confirmations will never come). */
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        for (const listener of [...this.disconnectListeners]) listener();
      } else if (status.type === 'reconnect') {
        this.connected = true;
        const waiters = [...this.waiters];
        this.waiters.clear();
        for (const wake of waiters) wake();
      }
    }
  }

  /** Flushes what was written (acks included) and closes. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    if (this.connected) await this.nc.flush().catch(() => undefined);
    await this.nc.close().catch(() => undefined);
    for (const wake of [...this.waiters]) wake();
  }
}

function authenticatorOf(options: ResolvedOptions): Authenticator | undefined {
  if (options.credsFile) {
    const file = options.credsFile;
    return credsAuthenticator(() => readFileSync(file));
  }
  if (options.nkeySeed) return nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed));
  if (options.user !== undefined) return usernamePasswordAuthenticator(options.user, options.password);
  if (options.token !== undefined) return tokenAuthenticator(options.token);
  return undefined;
}
