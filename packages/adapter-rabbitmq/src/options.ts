import type { SecureContextOptions } from 'node:tls';
import { MessagingError, redactUrl } from '@switchboard/core';

/** Options of {@link rabbitmqTransport}. Every field but `url` has a default. */
export interface RabbitMQOptions {
  /**
   * The broker URL (`amqp://user:pass@host:5672/vhost`, `amqps://…` for TLS), or several for failover:
   * an array, or one string with comma-separated URLs. They are tried in order on every (re)connect.
   */
  readonly url: string | readonly string[];
  /**
   * Type of the durable queues created for queues and topic groups: `quorum` or `classic`. Default `quorum`.
   * Classic queues (and the exclusive queues of subscribers without a group, with either type) are declared
   * with `x-max-priority: 9`, so `priority` (0–9) is declared and honoured only with `classic`: quorum queues
   * of RabbitMQ 3.x have no priorities.
   */
  readonly queueType?: 'quorum' | 'classic' | undefined;
  /** Name of the topic exchange every topic is published to, with the topic name as routing key. Default `switchboard.topics`. */
  readonly exchange?: string | undefined;
  /** Prefix of every queue name Switchboard creates or uses (queues, group queues, dead letters). Default `''`. */
  readonly queuePrefix?: string | undefined;
  /**
   * Deletes a queue Switchboard declared after it had no consumer for this long (RabbitMQ `x-expires`), messages
   * included. Meant for tests and temporary setups; a send to an expired queue is dropped. Default: never.
   */
  readonly queueExpiresMs?: number | undefined;
  /** AMQP heartbeat in seconds; 0 disables it. Default 15. */
  readonly heartbeatSeconds?: number | undefined;
  /** How long one connection attempt (TCP, TLS and AMQP handshake) may take, in ms. Default 10,000. */
  readonly connectTimeoutMs?: number | undefined;
  /** First delay between reconnect attempts after a lost connection, in ms; doubled up to `reconnectMaxDelayMs`. Default 100. */
  readonly reconnectInitialDelayMs?: number | undefined;
  /** Longest delay between reconnect attempts, in ms. Default 5,000. */
  readonly reconnectMaxDelayMs?: number | undefined;
  /** Largest body accepted, in bytes; larger sends fail with PAYLOAD_TOO_LARGE before anything is sent. Default 16 MiB. */
  readonly maxPayloadBytes?: number | undefined;
  /** TLS options (ca, cert, key, passphrase, servername, rejectUnauthorized…) for `amqps://` URLs. Default none. */
  readonly tls?: (SecureContextOptions & { servername?: string; rejectUnauthorized?: boolean }) | undefined;
  /** Name shown for the connection in the RabbitMQ management UI. Default `switchboard`. */
  readonly connectionName?: string | undefined;
  /**
   * Whether subscriptions (with their acks), replies, and requests with their reply inbox use a connection of
   * their own, opened when first needed and named `<connectionName> consumers`, apart from the connection
   * sends go on. RabbitMQ throttles a connection that publishes faster than its queues take messages (the
   * connection shows `flow`) by not reading from it for a while, which also holds up the acks of consumers on
   * that connection; their prefetch fills, delivery stops and a backlog grows. Default `true`, as RabbitMQ
   * advises; `false`: one connection for everything.
   */
  readonly separateConsumerConnection?: boolean | undefined;
}

/** {@link RabbitMQOptions} with every default applied and the URL list parsed. */
export interface ResolvedOptions {
  readonly urls: readonly string[];
  readonly queueType: 'quorum' | 'classic';
  readonly exchange: string;
  readonly queuePrefix: string;
  readonly queueExpiresMs: number | undefined;
  readonly heartbeatSeconds: number;
  readonly connectTimeoutMs: number;
  readonly reconnectInitialDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly maxPayloadBytes: number;
  readonly tls: RabbitMQOptions['tls'];
  readonly connectionName: string;
  readonly separateConsumerConnection: boolean;
}

const COMPONENT = 'adapter-rabbitmq';

function invalid(message: string): MessagingError {
  return new MessagingError('INVALID_ARGUMENT', message, { component: COMPONENT });
}

/** Splits and checks the URL list; throws INVALID_ARGUMENT naming the (redacted) offending URL. */
export function parseUrls(url: unknown): string[] {
  const list = typeof url === 'string' ? url.split(',') : Array.isArray(url) ? url : undefined;
  if (!list) throw invalid('the url option is required, e.g. amqp://guest:guest@127.0.0.1:5672');
  const urls = list.map((entry) => (typeof entry === 'string' ? entry.trim() : '')).filter(Boolean);
  if (urls.length === 0) throw invalid('the url option is empty — expected amqp://host:5672');
  for (const entry of urls) {
    const parsed = URL.canParse(entry) ? new URL(entry) : undefined;
    if (!parsed || (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') || parsed.hostname === '') {
      throw invalid(
        `"${redactUrl(entry)}" is not an AMQP URL — expected amqp://user:pass@host:5672/vhost or amqps://…`,
      );
    }
  }
  return urls;
}

function integer(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(`the option ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalid(`the option ${name} must be true or false, got ${String(value)}`);
}

function text(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length > 200) {
    throw invalid(`the option ${name} must be a string of at most 200 characters`);
  }
  return value;
}

/** Validates `options` and applies the defaults; throws INVALID_ARGUMENT. */
export function resolveOptions(options: RabbitMQOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object')
    throw invalid('rabbitmqTransport needs an options object');
  const queueType = options.queueType ?? 'quorum';
  if (queueType !== 'quorum' && queueType !== 'classic') {
    throw invalid(`the option queueType must be "quorum" or "classic", got ${String(queueType)}`);
  }
  const exchange = text('exchange', options.exchange, 'switchboard.topics');
  if (exchange === '' || exchange.startsWith('amq.')) {
    throw invalid('the option exchange must be a non-empty name that does not start with "amq."');
  }
  const reconnectInitialDelayMs = integer('reconnectInitialDelayMs', options.reconnectInitialDelayMs, 100, 1);
  return {
    urls: parseUrls(options.url),
    queueType,
    exchange,
    queuePrefix: text('queuePrefix', options.queuePrefix, ''),
    queueExpiresMs:
      options.queueExpiresMs === undefined
        ? undefined
        : integer('queueExpiresMs', options.queueExpiresMs, 0, 1),
    heartbeatSeconds: integer('heartbeatSeconds', options.heartbeatSeconds, 15, 0),
    connectTimeoutMs: integer('connectTimeoutMs', options.connectTimeoutMs, 10_000, 1),
    reconnectInitialDelayMs,
    reconnectMaxDelayMs: integer(
      'reconnectMaxDelayMs',
      options.reconnectMaxDelayMs,
      Math.max(5000, reconnectInitialDelayMs),
      reconnectInitialDelayMs,
    ),
    maxPayloadBytes: integer('maxPayloadBytes', options.maxPayloadBytes, 16 * 1024 * 1024, 1),
    tls: options.tls,
    connectionName: text('connectionName', options.connectionName, 'switchboard'),
    separateConsumerConnection: flag('separateConsumerConnection', options.separateConsumerConnection, true),
  };
}

/** The highest message priority: the bus's `priority` option takes 0–9. */
export const MAX_PRIORITY = 9;

/** The arguments of every durable queue Switchboard declares, from the options. */
export function queueArgumentsOf(options: ResolvedOptions): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (options.queueType === 'quorum') args['x-queue-type'] = 'quorum';
  else args['x-max-priority'] = MAX_PRIORITY;
  if (options.queueExpiresMs !== undefined) args['x-expires'] = options.queueExpiresMs;
  return args;
}
