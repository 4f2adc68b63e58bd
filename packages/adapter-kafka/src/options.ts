import { MessagingError, redactUrl } from '@switchboard/core';

/** SASL credentials, as kafkajs takes them. */
export interface KafkaSasl {
  /** `plain`, `scram-sha-256` or `scram-sha-512`. */
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/** Options of {@link kafkaTransport}. Every field is optional except `brokers`. */
export interface KafkaTransportOptions {
  /** Bootstrap brokers as `host:port`. Required (from `kafka://host1:9092,host2:9092`). */
  readonly brokers: readonly string[];
  /** Client id sent to the brokers. Default `switchboard`. */
  readonly clientId?: string | undefined;
  /** TLS: `true` or a Node `tls.connect` options object. Default `false` (`kafkas://` or `?ssl=true` sets it). */
  readonly ssl?: boolean | Record<string, unknown> | undefined;
  /** SASL authentication. Default none (user info in the URL sets `plain`, `?sasl=scram-sha-256` another). */
  readonly sasl?: KafkaSasl | undefined;
  /** Partitions of a topic created on demand. Default 3 (more partitions, more parallel consumers). */
  readonly partitions?: number | undefined;
  /** Replication factor of a topic created on demand. Default -1 (the broker's default.replication.factor). */
  readonly replicationFactor?: number | undefined;
  /** Consumer group session timeout in ms: how soon a dead consumer's partitions move. Default 10,000. */
  readonly sessionTimeoutMs?: number | undefined;
  /** How long the coordinator waits for members to rejoin during a rebalance, in ms. Default 20,000. */
  readonly rebalanceTimeoutMs?: number | undefined;
  /** Heartbeat interval in ms. Default 1,000 (at most a third of the session timeout). */
  readonly heartbeatIntervalMs?: number | undefined;
  /** How often acknowledged offsets are committed, in ms. Default 100. */
  readonly commitIntervalMs?: number | undefined;
  /** Connect (and topic creation) timeout in ms. Default 5,000. */
  readonly connectTimeoutMs?: number | undefined;
  /** Prefix of consumer group ids and inbox topics. Default `switchboard`. */
  readonly groupIdPrefix?: string | undefined;
  /** Compression of produced batches: `none` or `gzip` (kafkajs built-in codecs). Default `none`. */
  readonly compression?: 'none' | 'gzip' | undefined;
  /** Idempotent producer (acks=all, one request in flight per broker). Default `true`. */
  readonly idempotent?: boolean | undefined;
  /**
   * Producers writing at once: each is one idempotent kafkajs producer with one produce request in flight, so
   * this many requests can be in flight. A key always goes through the same producer (per-key order holds).
   * Default 2.
   */
  readonly producers?: number | undefined;
  /** Largest encoded body accepted, in bytes; keep it under the broker's message.max.bytes. Default 1,000,000. */
  readonly maxPayloadBytes?: number | undefined;
}

/** Options with every default applied. */
export type ResolvedKafkaOptions = Required<Omit<KafkaTransportOptions, 'sasl' | 'ssl'>> & {
  readonly sasl: KafkaSasl | undefined;
  readonly ssl: boolean | Record<string, unknown>;
};

/** Produce requests in flight by default; see {@link KafkaTransportOptions.producers}. */
const DEFAULT_PRODUCERS = 2;

const NUMERIC = [
  'partitions',
  'replicationFactor',
  'sessionTimeoutMs',
  'rebalanceTimeoutMs',
  'heartbeatIntervalMs',
  'commitIntervalMs',
  'connectTimeoutMs',
  'maxPayloadBytes',
  'producers',
] as const;

function invalid(message: string): MessagingError {
  return new MessagingError('INVALID_ARGUMENT', message, { component: 'adapter-kafka' });
}

/** Validates `options` and applies the defaults; throws INVALID_ARGUMENT naming the bad field. */
export function resolveOptions(options: KafkaTransportOptions): ResolvedKafkaOptions {
  if (!options || !Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw invalid('kafkaTransport needs brokers, e.g. { brokers: ["127.0.0.1:9092"] }');
  }
  for (const broker of options.brokers) {
    if (typeof broker !== 'string' || !/^[^\s:/]+:\d{1,5}$/.test(broker)) {
      throw invalid(`broker "${String(broker)}" is not host:port, e.g. 127.0.0.1:9092`);
    }
  }
  for (const field of NUMERIC) {
    const value = options[field];
    const min = field === 'replicationFactor' ? -1 : 1;
    if (value !== undefined && (!Number.isInteger(value) || value < min || value === 0)) {
      throw invalid(`option ${field} must be an integer ≥ ${min === -1 ? '1 (or -1)' : 1}, got ${value}`);
    }
  }
  if (options.compression !== undefined && !['none', 'gzip'].includes(options.compression)) {
    throw invalid(`option compression must be "none" or "gzip", got ${String(options.compression)}`);
  }
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  return {
    brokers: [...options.brokers],
    clientId: options.clientId ?? 'switchboard',
    ssl: options.ssl ?? false,
    sasl: options.sasl,
    partitions: options.partitions ?? 3,
    replicationFactor: options.replicationFactor ?? -1,
    sessionTimeoutMs,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 20_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? Math.min(1000, Math.floor(sessionTimeoutMs / 3)),
    commitIntervalMs: options.commitIntervalMs ?? 100,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    groupIdPrefix: options.groupIdPrefix ?? 'switchboard',
    compression: options.compression ?? 'none',
    idempotent: options.idempotent ?? true,
    maxPayloadBytes: options.maxPayloadBytes ?? 1_000_000,
    producers: options.producers ?? DEFAULT_PRODUCERS,
  };
}

/**
 * Reads `kafka://[user:pass@]host1:9092,host2:9092[?partitions=3&sessionTimeoutMs=6000&sasl=scram-sha-256&ssl=true]`
 * (or `kafkas://` for TLS) into options; `overrides` win over what the URL says. Throws INVALID_ARGUMENT.
 */
export function optionsFromUrl(
  url: string,
  overrides: Partial<KafkaTransportOptions> = {},
): KafkaTransportOptions {
  const match = /^(kafkas?):\/\/(?:([^@/]*)@)?([^/?#]*)\/?(?:\?([^#]*))?$/i.exec(url?.trim() ?? '');
  if (!match) throw invalid(`"${redactUrl(String(url))}" is not a kafka:// URL, e.g. kafka://127.0.0.1:9092`);
  const [, scheme = 'kafka', userInfo, hosts = '', query = ''] = match;
  const brokers = hosts
    .split(',')
    .map((host) => host.trim())
    .filter((host) => host !== '')
    .map((host) => (host.includes(':') ? host : `${host}:9092`));
  const params = new URLSearchParams(query);
  const fromQuery: Record<string, unknown> = {};
  for (const field of NUMERIC) {
    const raw = params.get(field);
    if (raw !== null) fromQuery[field] = Number(raw);
  }
  for (const field of ['clientId', 'groupIdPrefix', 'compression'] as const) {
    const raw = params.get(field);
    if (raw !== null) fromQuery[field] = raw;
  }
  if (params.has('idempotent')) fromQuery.idempotent = params.get('idempotent') !== 'false';
  const ssl = scheme.toLowerCase() === 'kafkas' || params.get('ssl') === 'true';
  let sasl: KafkaSasl | undefined;
  if (userInfo) {
    const colon = userInfo.indexOf(':');
    const mechanism = (params.get('sasl') ?? 'plain').toLowerCase();
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) {
      throw invalid(`sasl=${mechanism} is not one of plain, scram-sha-256, scram-sha-512`);
    }
    sasl = {
      mechanism: mechanism as KafkaSasl['mechanism'],
      username: decodeURIComponent(colon === -1 ? userInfo : userInfo.slice(0, colon)),
      password: colon === -1 ? '' : decodeURIComponent(userInfo.slice(colon + 1)),
    };
  }
  return { brokers, ssl, sasl, ...(fromQuery as Partial<KafkaTransportOptions>), ...overrides };
}
