import type { TlsOptions } from '@nats-io/transport-node';
import { MessagingError, redactUrl } from '@switchboard/core';

/** Options of {@link natsTransport}. Every field is optional; each line states its default. */
export interface NatsTransportOptions {
  /** Server URLs, tried in order on connect and reconnect. Default `['nats://127.0.0.1:4222']`. */
  readonly servers?: readonly string[] | string | undefined;
  /** `jetstream`: durable streams and consumers. `core`: core NATS only, non-durable, at most once. Default `jetstream`. */
  readonly mode?: 'jetstream' | 'core' | undefined;
  /** Token authentication. Default none. */
  readonly token?: string | undefined;
  /** User for user/password authentication. Default none. */
  readonly user?: string | undefined;
  /** Password for user/password authentication. Default none. */
  readonly password?: string | undefined;
  /** NKey seed (`SU…`) for nkey authentication. Default none. */
  readonly nkeySeed?: string | undefined;
  /** Path of a `.creds` file (JWT + nkey seed). Default none. */
  readonly credsFile?: string | undefined;
  /** TLS: `true` to require TLS with the system CAs, or the client's TLS options. Default off. */
  readonly tls?: boolean | TlsOptions | undefined;
  /** First token of every subject and prefix of every stream name, `[A-Za-z0-9_-]+`. Default `sb`. */
  readonly prefix?: string | undefined;
  /** JetStream storage of the streams the adapter creates. Default `file`. */
  readonly storage?: 'file' | 'memory' | undefined;
  /** Replicas of the streams the adapter creates (1–5). Default 1. */
  readonly replicas?: number | undefined;
  /** Window in which a repeated dedupe id is dropped (the stream's duplicate window). Default 120,000 ms. */
  readonly duplicateWindowMs?: number | undefined;
  /** How long the topic stream keeps events (the history a new group can replay). Default 86,400,000 ms (1 day). */
  readonly topicRetentionMs?: number | undefined;
  /** How long connect() tries before rejecting with UNAVAILABLE. Default 5,000 ms. */
  readonly connectTimeoutMs?: number | undefined;
  /** Pause between reconnect attempts after a connection loss. Default 250 ms. */
  readonly reconnectWaitMs?: number | undefined;
  /** Wait for the server to confirm each ack (one round trip per message) instead of writing it and going on. Default false. */
  readonly confirmAcks?: boolean | undefined;
  /** Connection name shown by the server's monitoring. Default `switchboard`. */
  readonly name?: string | undefined;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly servers: string[];
  readonly mode: 'jetstream' | 'core';
  readonly token: string | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly nkeySeed: string | undefined;
  readonly credsFile: string | undefined;
  readonly tls: TlsOptions | undefined;
  readonly prefix: string;
  readonly storage: 'file' | 'memory';
  readonly replicas: number;
  readonly duplicateWindowMs: number;
  readonly topicRetentionMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectWaitMs: number;
  readonly confirmAcks: boolean;
  readonly name: string;
}

function invalid(message: string): MessagingError {
  return new MessagingError('INVALID_ARGUMENT', message, { component: 'adapter-nats' });
}

function integer(what: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`option ${what} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(what: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw invalid(`option ${what} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value as T;
}

/** Validates options and applies defaults; throws INVALID_ARGUMENT naming the option. */
export function resolveOptions(options: NatsTransportOptions = {}): ResolvedOptions {
  const servers = typeof options.servers === 'string' ? [options.servers] : [...(options.servers ?? [])];
  if (servers.length === 0) servers.push('nats://127.0.0.1:4222');
  for (const server of servers) {
    if (typeof server !== 'string' || !URL.canParse(server.includes('://') ? server : `nats://${server}`)) {
      throw invalid(`server "${redactUrl(String(server))}" is not a URL such as nats://127.0.0.1:4222`);
    }
  }
  const prefix = options.prefix ?? 'sb';
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(prefix)) {
    throw invalid(
      `option prefix must be 1–32 characters of letters, digits, _ and -, got "${String(prefix)}"`,
    );
  }
  if (options.password !== undefined && options.user === undefined) {
    throw invalid('option password needs option user as well');
  }
  const tls = options.tls === true ? {} : options.tls === false ? undefined : options.tls;
  return {
    servers,
    mode: oneOf('mode', options.mode, ['jetstream', 'core'], 'jetstream'),
    token: options.token,
    user: options.user,
    password: options.password,
    nkeySeed: options.nkeySeed,
    credsFile: options.credsFile,
    tls,
    prefix,
    storage: oneOf('storage', options.storage, ['file', 'memory'], 'file'),
    replicas: integer('replicas', options.replicas, 1, 1, 5),
    duplicateWindowMs: integer('duplicateWindowMs', options.duplicateWindowMs, 120_000, 100, 86_400_000 * 7),
    topicRetentionMs: integer('topicRetentionMs', options.topicRetentionMs, 86_400_000, 1000, 2 ** 40),
    connectTimeoutMs: integer('connectTimeoutMs', options.connectTimeoutMs, 5000, 100, 600_000),
    reconnectWaitMs: integer('reconnectWaitMs', options.reconnectWaitMs, 250, 10, 60_000),
    confirmAcks: options.confirmAcks === true,
    name: typeof options.name === 'string' && options.name ? options.name : 'switchboard',
  };
}

const QUERY_OPTIONS: Record<string, (value: string) => Partial<Record<keyof NatsTransportOptions, unknown>>> =
  {
    mode: (v) => ({ mode: v }),
    prefix: (v) => ({ prefix: v }),
    storage: (v) => ({ storage: v }),
    replicas: (v) => ({ replicas: Number(v) }),
    token: (v) => ({ token: v }),
    nkey: (v) => ({ nkeySeed: v }),
    creds: (v) => ({ credsFile: v }),
    tls: (v) => ({ tls: v === 'true' || v === '1' }),
    duplicateWindowMs: (v) => ({ duplicateWindowMs: Number(v) }),
    topicRetentionMs: (v) => ({ topicRetentionMs: Number(v) }),
    connectTimeoutMs: (v) => ({ connectTimeoutMs: Number(v) }),
    name: (v) => ({ name: v }),
  };

/**
 * Parses `nats://[user:pass@|token@]host:port[,host2:port2…][?mode=core&prefix=…&storage=memory&replicas=3&tls=true&creds=/path&nkey=SU…]`
 * into options. Explicit `options` win over the URL. Throws INVALID_ARGUMENT for a malformed URL or unknown parameter.
 */
export function optionsFromUrl(url: string, options: NatsTransportOptions = {}): NatsTransportOptions {
  const safe = redactUrl(String(url));
  const match = /^(nats|tls):\/\/([^?]*)(?:\?(.*))?$/i.exec(String(url).trim());
  if (!match)
    throw invalid(`"${safe}" is not a NATS URL — expected nats://host:4222[,host2:4222][?mode=core]`);
  const [, scheme = 'nats', hostList = '', query = ''] = match;
  const fromUrl: Record<string, unknown> = {};
  const servers: string[] = [];
  for (const part of hostList.split(',')) {
    const raw = part.trim().replace(/^(nats|tls):\/\//i, '');
    if (!raw) continue;
    const parsed = URL.canParse(`nats://${raw}`) ? new URL(`nats://${raw}`) : undefined;
    if (!parsed?.hostname) throw invalid(`"${safe}" has a malformed server address`);
    if (parsed.username && parsed.password) {
      fromUrl.user = decodeURIComponent(parsed.username);
      fromUrl.password = decodeURIComponent(parsed.password);
    } else if (parsed.username) fromUrl.token = decodeURIComponent(parsed.username);
    servers.push(`nats://${parsed.host}`);
  }
  if (servers.length === 0) throw invalid(`"${safe}" names no server`);
  fromUrl.servers = servers;
  if (scheme.toLowerCase() === 'tls') fromUrl.tls = true;
  for (const [key, value] of new URLSearchParams(query)) {
    const apply = QUERY_OPTIONS[key];
    if (!apply) {
      throw invalid(
        `"${safe}" has the unknown parameter "${key}" — known: ${Object.keys(QUERY_OPTIONS).join(', ')}`,
      );
    }
    Object.assign(fromUrl, apply(value));
  }
  return { ...(fromUrl as NatsTransportOptions), ...options };
}
