/**
 * @switchboard/adapter-rabbitmq — the Switchboard transport for RabbitMQ over amqplib.
 *
 * `connect('amqp://…')` from @switchboard/core loads this package and calls {@link transportFromUrl};
 * `createBus({ transport: rabbitmqTransport({ url }) })` builds it explicitly.
 */
import type { Transport } from '@switchboard/core';
import { parseUrls, type RabbitMQOptions } from './options.js';
import { type RabbitMQNative, rabbitmqTransport } from './transport.js';

export type { RabbitMQOptions, ResolvedOptions } from './options.js';
export { type RabbitMQNative, rabbitmqTransport } from './transport.js';

/**
 * Builds the transport from a URL (or a comma-separated list of URLs, for failover) plus adapter options;
 * `options.url`, if given, is ignored in favour of `url`. The query parameters `queueType`, `queuePrefix`,
 * `exchange`, `queueExpiresMs` and `separateConsumerConnection` of the URLs set those options (explicit `options` win) and are removed
 * before connecting. Throws INVALID_ARGUMENT for a malformed URL.
 */
export function transportFromUrl(url: string, options?: Record<string, unknown>): Transport<RabbitMQNative> {
  const { urls, fromQuery } = splitQuery(parseUrls(url));
  return rabbitmqTransport({ ...fromQuery, ...(options as Partial<RabbitMQOptions> | undefined), url: urls });
}

const QUERY_OPTIONS = [
  'queueType',
  'queuePrefix',
  'exchange',
  'queueExpiresMs',
  'separateConsumerConnection',
] as const;

function splitQuery(urls: string[]): { urls: string[]; fromQuery: Partial<Record<string, unknown>> } {
  const fromQuery: Record<string, unknown> = {};
  const cleaned = urls.map((entry) => {
    const parsed = new URL(entry);
    let changed = false;
    for (const name of QUERY_OPTIONS) {
      const value = parsed.searchParams.get(name);
      if (value === null) continue;
      fromQuery[name] = name === 'queueExpiresMs' ? Number(value) : value;
      parsed.searchParams.delete(name);
      changed = true;
    }
    return changed ? parsed.toString() : entry;
  });
  return { urls: cleaned, fromQuery };
}
