import { MessagingError } from '@switchboard/core';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { type ErrorContext, mapError, unavailable } from './errors.js';
import { LeanConnection } from './lean-connection.js';
import type { ResolvedOptions, ServerAddress } from './options.js';
import { defineScripts } from './scripts.js';

/** A connection to a standalone server or to a cluster. */
export type Client = Redis | Cluster;

/**
 * A reading connection: a {@link LeanConnection} on a standalone server (the hot path of every read and of
 * what rides along with it), an ioredis `Cluster` on a cluster (which routes each command by its key).
 */
export type Reader = LeanConnection | Cluster;

const reconnectDelay = (times: number): number => Math.min(50 * 2 ** Math.min(times, 6), 2000);

function redisOptions(options: ResolvedOptions): RedisOptions {
  return {
    username: options.username,
    password: options.password,
    protocol: 2,
    connectTimeout: options.connectTimeoutMs,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
  };
}

function standalone(server: ServerAddress, options: ResolvedOptions): Redis {
  return new Redis({
    ...redisOptions(options),
    host: server.host,
    port: server.port,
    db: options.db,
    ...(server.tls ? { tls: { servername: server.host } } : {}),
  });
}

function cluster(options: ResolvedOptions): Cluster {
  const {
    lazyConnect: _lazy,
    enableOfflineQueue: _queue,
    retryStrategy: _retry,
    ...base
  } = redisOptions(options);
  const tls = options.servers[0]?.tls ? { tls: {} } : {};
  return new Cluster(
    options.servers.map((s) => ({ host: s.host, port: s.port })),
    {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: options.connectTimeoutMs,
      redisOptions: { ...base, ...tls },
    },
  );
}

/** Connects `client`, bounded by the connect timeout; on failure the client is shut down. */
async function connectOne(client: Client, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`connect ETIMEDOUT after ${timeoutMs} ms`)), timeoutMs);
  });
  // ioredis emits 'error' events while it retries; a listener keeps them from being unhandled, and the
  // first one names the real cause (e.g. WRONGPASS) where connect() only says "Connection is closed".
  let first: unknown;
  client.on('error', (error: unknown) => {
    first ??= error;
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } catch (error) {
    client.disconnect();
    throw first ?? error;
  } finally {
    clearTimeout(timer);
  }
}

/** The oldest Redis the adapter works with: XAUTOCLAIM and XADD NOMKSTREAM came with 6.2. */
const MIN_VERSION = [6, 2] as const;

/**
 * Rejects with UNSUPPORTED when the server reports a Redis version older than {@link MIN_VERSION}.
 * A server that does not report one, or a user that may not run INFO, is let through.
 */
async function checkVersion(client: Client, context: ErrorContext): Promise<void> {
  const info = await client.info('server').catch(() => '');
  const old = tooOldVersion(String(info));
  if (old === undefined) return;
  client.disconnect();
  throw new MessagingError(
    'UNSUPPORTED',
    `${context.action} failed: the server runs Redis ${old}, and the adapter needs Redis ${MIN_VERSION.join('.')} or newer (XAUTOCLAIM, XADD NOMKSTREAM) — upgrade the server`,
    { component: 'adapter-redis' },
  );
}

/** The `redis_version` of an `INFO server` reply when it is older than {@link MIN_VERSION}, else undefined. */
export function tooOldVersion(info: string): string | undefined {
  const match = /^redis_version:((\d+)\.(\d+)\S*)/m.exec(info);
  if (!match) return undefined;
  const [major, minor] = [Number(match[2]), Number(match[3])];
  if (major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1])) return undefined;
  return match[1];
}

/**
 * Opens the command connection: the cluster, or the first standalone server of the list that answers.
 * Rejects with a mapped error (UNAVAILABLE, UNAUTHENTICATED…) naming the redacted URL.
 */
export async function openClient(options: ResolvedOptions): Promise<Client> {
  const context: ErrorContext = { action: `connect to ${options.displayUrl}`, url: options.displayUrl };
  if (options.cluster) {
    const client = cluster(options);
    try {
      await connectOne(client, options.connectTimeoutMs);
    } catch (error) {
      throw mapError(error, context);
    }
    await checkVersion(client, context);
    defineScripts(client);
    return client;
  }
  let last: unknown;
  for (const server of options.servers) {
    const client = standalone(server, options);
    try {
      await connectOne(client, options.connectTimeoutMs);
    } catch (error) {
      last = error;
      // Wrong credentials will not get better on the next server of the list.
      if (mapError(error, context).code === 'UNAUTHENTICATED') break;
      continue;
    }
    await checkVersion(client, context);
    defineScripts(client);
    return client;
  }
  throw mapError(last, context);
}

/**
 * A connection for blocking reads (`sb-read`), acknowledgements (`sb-ack`) or a reply inbox's subscription (`sb-inbox`) to the server(s) of
 * `client`, connected before it is returned: on a standalone server a {@link LeanConnection} to the server
 * `client` is connected to (same credentials, database and TLS, reconnecting as ioredis would); on a
 * cluster a duplicate of the cluster client.
 */
export async function openReader(
  client: Client,
  options: ResolvedOptions,
  name: 'sb-read' | 'sb-ack' | 'sb-inbox' = 'sb-read',
): Promise<Reader> {
  const action = {
    'sb-read': 'open a reading connection',
    'sb-ack': 'open a connection for acks',
    'sb-inbox': 'open a connection for replies',
  }[name];
  const context: ErrorContext = { action, url: options.displayUrl };
  if (client instanceof Cluster) {
    const copy = client.duplicate();
    try {
      await connectOne(copy, options.connectTimeoutMs);
    } catch (error) {
      throw mapError(error, context);
    }
    return copy;
  }
  const { host, port, tls } = client.options;
  const reader = new LeanConnection({
    host: host ?? '127.0.0.1',
    port: port ?? 6379,
    tls,
    username: options.username,
    password: options.password,
    db: options.db,
    name,
    resp3: name === 'sb-inbox',
    connectTimeoutMs: options.connectTimeoutMs,
    retryDelay: reconnectDelay,
  });
  try {
    await reader.connect();
  } catch (error) {
    throw mapError(error, context);
  }
  return reader;
}

/** What {@link whenReady} waits on: an ioredis client or a {@link LeanConnection}. */
interface Connectable {
  readonly status: string;
  once(event: 'ready' | 'end', listener: () => void): unknown;
  off(event: 'ready' | 'end', listener: () => void): unknown;
}

/**
 * Resolves once `client` is ready. Rejects with a retryable UNAVAILABLE when `signal` aborts first,
 * or at once when the client has ended for good.
 */
export function whenReady(client: Connectable, context: ErrorContext, signal?: AbortSignal): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(unavailable(context));
  if (signal?.aborted) return Promise.reject(unavailable(context));
  return new Promise((resolve, reject) => {
    const done = () => {
      client.off('ready', onReady);
      client.off('end', onEnd);
      signal?.removeEventListener('abort', onEnd);
    };
    const onReady = () => {
      done();
      resolve();
    };
    const onEnd = () => {
      done();
      reject(unavailable(context));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
    signal?.addEventListener('abort', onEnd, { once: true });
  });
}
