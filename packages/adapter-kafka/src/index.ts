/**
 * @switchboard/adapter-kafka — the Switchboard transport for Apache Kafka over kafkajs.
 *
 * `connect('kafka://127.0.0.1:9092')` finds this package through {@link transportFromUrl};
 * `createBus({ transport: kafkaTransport({ brokers: ['127.0.0.1:9092'] }) })` builds it explicitly.
 */
import type { Transport } from '@switchboard/core';
import { type KafkaTransportOptions, optionsFromUrl } from './options.js';
import { type KafkaNative, KafkaTransport } from './transport.js';

export { RETRY_GROUP_HEADER } from './codec.js';
export type { KafkaSasl, KafkaTransportOptions } from './options.js';
export type { KafkaNative } from './transport.js';

/** Creates a Kafka transport. It connects on `connect()` (the bus calls it on first use). Throws INVALID_ARGUMENT for bad options. */
export function kafkaTransport(options: KafkaTransportOptions): Transport<KafkaNative> {
  return new KafkaTransport(options);
}

/**
 * Builds the transport from a `kafka://` (or `kafkas://`) URL, e.g. `kafka://user:pass@host1:9092,host2:9092?sasl=scram-sha-256`;
 * `options` (adapter options of `connect()`) override what the URL says. Called by core's `connect(url)`.
 */
export function transportFromUrl(url: string, options?: Record<string, unknown>): Transport<KafkaNative> {
  return kafkaTransport(optionsFromUrl(url, options as Partial<KafkaTransportOptions> | undefined));
}
