/**
 * @switchboard/adapter-redis — a Switchboard transport over Redis Streams (ioredis). A destination is a
 * stream, a queue is one consumer group on it, each topic group is its own consumer group.
 */
import type { Transport } from '@switchboard/core';
import { type RedisTransportOptions, resolveOptions } from './options.js';
import { type RedisNative, RedisTransport } from './transport.js';

export type { RedisTransportOptions } from './options.js';
export type { RedisNative } from './transport.js';

/**
 * Creates a Redis transport. Nothing connects until `connect()` (the bus calls it on first use).
 * Throws INVALID_ARGUMENT for a malformed URL or option.
 */
export function redisTransport(options: RedisTransportOptions = {}): Transport<RedisNative> {
  return new RedisTransport(resolveOptions(options));
}

/**
 * What `connect(url)` of @switchboard/core calls: a transport for `url` (`redis://` or `rediss://`, a
 * comma-separated list allowed) with the adapter options passed as `connect(url, { adapter })`.
 */
export function transportFromUrl(url: string, options: Record<string, unknown> = {}): Transport<RedisNative> {
  return redisTransport({ ...(options as RedisTransportOptions), url });
}
