/**
 * @switchboard/adapter-nats — the Switchboard transport for NATS: JetStream (durable, the default) or core
 * NATS (`?mode=core`: non-durable, at most once), over @nats-io/transport-node and @nats-io/jetstream.
 */
import type { Transport } from '@switchboard/core';
import type { NatsTransportOptions } from './options.js';
import { resolveOptions } from './resolve-options.js';
import { type NatsNative, NatsTransport } from './transport.js';
import { optionsFromUrl } from './url-options.js';

export type { NatsTransportOptions } from './options.js';
export type { NatsNative } from './transport.js';

/** Creates a NATS transport from options; it connects on `connect()` (the bus does that on first use). */
export function natsTransport(options: NatsTransportOptions = {}): Transport<NatsNative> {
  return new NatsTransport(resolveOptions(options));
}

/**
 * Creates a NATS transport from a URL such as `nats://user:pass@a:4222,b:4222?mode=core`; `options` win over
 * what the URL says. Used by `connect(url)` of @switchboard/core. Throws INVALID_ARGUMENT for a bad URL.
 */
export function transportFromUrl(url: string, options?: Record<string, unknown>): Transport<NatsNative> {
  return natsTransport(optionsFromUrl(url, (options ?? {}) as NatsTransportOptions));
}
