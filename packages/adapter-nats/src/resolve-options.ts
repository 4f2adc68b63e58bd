import { MessagingError, redactUrl } from '@switchboard/core';
import type { NatsTransportOptions, ResolvedOptions } from './options.js';

/** An INVALID_ARGUMENT error about an option. */
export function invalid(message: string): MessagingError {
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
