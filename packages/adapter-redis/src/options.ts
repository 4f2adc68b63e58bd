import { MessagingError, redactUrl } from '@switchboard/core';

/** Options of {@link redisTransport}. Every field is optional; the default is stated on each. */
export interface RedisTransportOptions {
  /**
   * Broker URL: `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. A comma-separated list
   * names several servers: standalone servers are tried in order on connect; with `cluster` they are the
   * cluster's startup nodes. `?cluster=true` on any URL of the list turns on `cluster`. Default `redis://127.0.0.1:6379`.
   */
  readonly url?: string | undefined;
  /** User name (ACL), overriding the one in the URL. Default: from the URL, else none. */
  readonly username?: string | undefined;
  /** Password, overriding the one in the URL. It is never printed. Default: from the URL, else none. */
  readonly password?: string | undefined;
  /** Database number (standalone only), overriding the URL path. Default: from the URL, else 0. */
  readonly db?: number | undefined;
  /** Treat the URL list as Redis Cluster startup nodes. Default false (or `?cluster=true` in the URL). */
  readonly cluster?: boolean | undefined;
  /** Prefix of every key the adapter creates. Default `sb:`. */
  readonly keyPrefix?: string | undefined;
  /** How long one blocking read waits for new entries before it is issued again, in ms. Default 1,000. */
  readonly blockMs?: number | undefined;
  /** Most entries one read (XREADGROUP / XREAD COUNT) fetches, capped by the free prefetch. Default 100. */
  readonly batchSize?: number | undefined;
  /** Approximate upper bound of a stream's length (XTRIM MAXLEN ~ after each batch of sends); 0 disables trimming. Default 1,000,000. */
  readonly maxLength?: number | undefined;
  /**
   * Wait for the server's reply to the `XACK` before `ack()` resolves (the bus frees the handler's slot
   * only then: a round trip per batch of acks). Default false: `ack()` resolves once the ack is queued on
   * the ack connection (written within the event-loop turn); an ack that fails leaves the entry pending,
   * so it is redelivered after the ack deadline — at least once either way.
   */
  readonly confirmAcks?: boolean | undefined;
  /** Largest encoded body in bytes; the bus rejects bigger ones with PAYLOAD_TOO_LARGE. Default 1 MiB. */
  readonly maxPayloadBytes?: number | undefined;
  /** How often a subscription moves due delayed messages into its stream, in ms. Default 200. */
  readonly schedulerIntervalMs?: number | undefined;
  /** How long `connect()` waits for a server before UNAVAILABLE, in ms. Default 5,000. */
  readonly connectTimeoutMs?: number | undefined;
}

/** A parsed server address. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** Options with every default applied and the URL parsed. */
export interface ResolvedOptions {
  /** The URL list with credentials removed, for messages. */
  readonly displayUrl: string;
  readonly servers: readonly ServerAddress[];
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  readonly cluster: boolean;
  readonly keyPrefix: string;
  readonly blockMs: number;
  readonly batchSize: number;
  readonly maxLength: number;
  readonly confirmAcks: boolean;
  readonly maxPayloadBytes: number;
  readonly schedulerIntervalMs: number;
  readonly connectTimeoutMs: number;
}

function invalid(message: string): MessagingError {
  return new MessagingError('INVALID_ARGUMENT', message, { component: 'adapter-redis' });
}

function integer(
  name: string,
  value: number | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`option ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Validates `options` and applies defaults; throws INVALID_ARGUMENT naming the bad field or URL. */
export function resolveOptions(options: RedisTransportOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const url = options.url ?? 'redis://127.0.0.1:6379';
  if (typeof url !== 'string' || url.trim() === '') throw invalid('option url must be a non-empty string');
  const servers: ServerAddress[] = [];
  let username: string | undefined;
  let password: string | undefined;
  let db = 0;
  let cluster = false;
  for (const [index, part] of url.split(',').entries()) {
    const text = part.trim();
    const parsed = URL.canParse(text) ? new URL(text) : undefined;
    const scheme = parsed?.protocol;
    if (!parsed || (scheme !== 'redis:' && scheme !== 'rediss:') || parsed.hostname === '') {
      throw invalid(
        `"${redactUrl(text)}" is not a Redis URL — expected redis://host:port or rediss://host:port (TLS)`,
      );
    }
    const port = parsed.port === '' ? 6379 : Number(parsed.port);
    servers.push({ host: parsed.hostname.replace(/^\[|\]$/g, ''), port, tls: scheme === 'rediss:' });
    if (/^(1|true|yes)$/i.test(parsed.searchParams.get('cluster') ?? '')) cluster = true;
    if (index > 0) continue;
    if (parsed.username) username = decodeURIComponent(parsed.username);
    if (parsed.password) password = decodeURIComponent(parsed.password);
    const path = parsed.pathname.replace(/^\//, '');
    if (path !== '') {
      if (!/^\d+$/.test(path))
        throw invalid(`the database in "${redactUrl(text)}" must be a number, e.g. /0`);
      db = Number(path);
    }
  }
  if (options.confirmAcks !== undefined && typeof options.confirmAcks !== 'boolean')
    throw invalid('option confirmAcks must be a boolean');
  if (options.username !== undefined && typeof options.username !== 'string')
    throw invalid('option username must be a string');
  if (options.password !== undefined && typeof options.password !== 'string')
    throw invalid('option password must be a string');
  if (
    options.keyPrefix !== undefined &&
    (typeof options.keyPrefix !== 'string' || /[{}]/.test(options.keyPrefix))
  )
    throw invalid('option keyPrefix must be a string without { or }');
  return {
    displayUrl: redactUrl(url),
    servers,
    username: options.username ?? username,
    password: options.password ?? password,
    db: integer('db', options.db, 0, 10_000, db),
    cluster: options.cluster ?? cluster,
    keyPrefix: options.keyPrefix ?? 'sb:',
    blockMs: integer('blockMs', options.blockMs, 1, 60_000, 1000),
    batchSize: integer('batchSize', options.batchSize, 1, 10_000, 100),
    maxLength: integer('maxLength', options.maxLength, 0, Number.MAX_SAFE_INTEGER, 1_000_000),
    confirmAcks: options.confirmAcks ?? false,
    maxPayloadBytes: integer(
      'maxPayloadBytes',
      options.maxPayloadBytes,
      1,
      512 * 1024 * 1024 - 65_536,
      1 << 20,
    ),
    schedulerIntervalMs: integer('schedulerIntervalMs', options.schedulerIntervalMs, 5, 60_000, 200),
    connectTimeoutMs: integer('connectTimeoutMs', options.connectTimeoutMs, 1, 600_000, 5000),
  };
}
