import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import { encodeProduceRequest, type ProduceRequestArgs } from './produce-request.js';

/** kafkajs' API key of Produce requests. */
const PRODUCE = 0;
/** The kafkajs-internal names this hook relies on (kafkajs 2.2.4); if one is missing, kafkajs runs unchanged. */
const CREATE_CLUSTER = 'private:Kafka:createCluster';

type Lookup = (apiKey: number, definition: unknown) => (args: ProduceRequestArgs) => BuiltRequest;
interface BuiltRequest {
  readonly request: { readonly apiVersion: number; encode: () => Promise<unknown> };
  readonly response: unknown;
}
interface HookedBroker {
  lookupRequest: Lookup;
}
interface HookedCluster {
  readonly brokerPool?: { createBroker?: (options: unknown) => HookedBroker };
}

/** How many Produce requests the adapter's encoder wrote, and how many it left to kafkajs (for tests). */
export const produceEncoding = { own: 0, kafkajs: 0 };

/**
 * Creates `kafka.producer(config)` whose Produce requests (v3–v7, uncompressed) are encoded by
 * {@link encodeProduceRequest} instead of kafkajs' record encoder, which allocates a zero-filled 512-byte
 * buffer per record and per header. Everything else — partitioning, the idempotent producer's ids, sequences
 * and broker lock, retries, metadata, the response — stays kafkajs'. The hook reaches the producer's own
 * brokers only (through kafkajs internals: the client's cluster factory, the broker pool's `createBroker` and a
 * broker's `lookupRequest`), never the consumers' or the admin client's; when one of those internals is not
 * as expected, or the encoder declines a request, kafkajs encodes it as it always does.
 * Returns the producer and whether the hook is in place.
 */
export function createProducer(
  kafka: Kafka,
  config: ProducerConfig,
): { producer: Producer; hooked: boolean } {
  const client = kafka as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(client).find((s) => s.description === CREATE_CLUSTER);
  const createCluster = key ? client[key] : undefined;
  if (!key || typeof createCluster !== 'function') return { producer: kafka.producer(config), hooked: false };
  let hooked = false;
  client[key] = (options: unknown) => {
    const cluster = createCluster(options) as HookedCluster;
    hooked = hookCluster(cluster);
    return cluster;
  };
  try {
    return { producer: kafka.producer(config), hooked };
  } finally {
    client[key] = createCluster;
  }
}

function hookCluster(cluster: HookedCluster): boolean {
  const pool = cluster.brokerPool;
  const createBroker = pool?.createBroker;
  if (!pool || typeof createBroker !== 'function') return false;
  pool.createBroker = (options: unknown) => hookBroker(createBroker.call(pool, options));
  return true;
}

/** Wraps the broker's request lookup (kafkajs replaces it once it knows the broker's API versions). */
function hookBroker(broker: HookedBroker): HookedBroker {
  let lookup = broker.lookupRequest;
  if (typeof lookup !== 'function') return broker;
  const hooked: Lookup = (apiKey, definition) => {
    const build = lookup(apiKey, definition);
    return apiKey === PRODUCE ? (args) => withOwnEncoding(build(args), args) : build;
  };
  Object.defineProperty(broker, 'lookupRequest', {
    configurable: true,
    enumerable: true,
    get: () => hooked,
    set: (next: Lookup) => {
      lookup = next;
    },
  });
  return broker;
}

function withOwnEncoding(built: BuiltRequest, args: ProduceRequestArgs): BuiltRequest {
  const request = built.request;
  if (request.apiVersion < 3 || request.apiVersion > 7) return built;
  const encode = request.encode;
  request.encode = () => {
    let bytes: Buffer | undefined;
    try {
      bytes = encodeProduceRequest(args);
    } catch {
      bytes = undefined; // a record this encoder did not foresee: kafkajs' encoder decides
    }
    if (!bytes) {
      produceEncoding.kafkajs++;
      return encode();
    }
    produceEncoding.own++;
    return Promise.resolve(asEncoder(bytes));
  };
  return built;
}

/** What kafkajs reads from an encoded request body (`writeEncoder` takes `buf` and `buffer`; `size()`). */
function asEncoder(bytes: Buffer): { buf: Buffer; offset: number; readonly buffer: Buffer; size(): number } {
  return {
    buf: bytes,
    offset: bytes.length,
    get buffer() {
      return bytes;
    },
    size: () => bytes.length,
  };
}
