import type { Kafka } from 'kafkajs';

/** The kafkajs-internal names this hook relies on (kafkajs 2.2.4); if one is missing, kafkajs runs unchanged. */
const CREATE_CLUSTER = 'private:Kafka:createCluster';

/** What kafkajs' request builders return: the request to encode and the response's decoder. */
export interface BuiltRequest {
  readonly request: { readonly apiVersion: number; encode: () => Promise<unknown> };
  response: { decode(raw: Buffer): Promise<unknown>; parse(data: unknown): Promise<unknown> };
  readonly requestTimeout?: number;
}
/** A kafkajs request builder (what a broker's `lookupRequest(apiKey, definition)` returns). */
// biome-ignore lint/suspicious/noExplicitAny: kafkajs' builders take per-request argument objects
export type RequestBuilder = (args: any) => BuiltRequest;
/** Replaces the builder of one API key (or returns it unchanged). */
export type RequestHook = (apiKey: number, build: RequestBuilder) => RequestBuilder;

type Lookup = (apiKey: number, definition: unknown) => RequestBuilder;
interface HookedBroker {
  lookupRequest: Lookup;
}
interface HookedCluster {
  readonly brokerPool?: { createBroker?: (options: unknown) => HookedBroker };
}

/**
 * Runs `create` (e.g. `() => kafka.producer(config)`) so that the client it creates builds its requests through
 * `hook`: the hook reaches that client's own brokers only (through kafkajs internals: the client's cluster
 * factory, the broker pool's `createBroker` and a broker's `lookupRequest`), never other clients of `kafka`.
 * When one of those internals is not as expected, the client is created unhooked. Returns the client and whether
 * the hook is in place.
 */
export function withRequestHook<T>(
  kafka: Kafka,
  create: () => T,
  hook: RequestHook,
): { client: T; hooked: boolean } {
  const client = kafka as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(client).find((s) => s.description === CREATE_CLUSTER);
  const createCluster = key ? client[key] : undefined;
  if (!key || typeof createCluster !== 'function') return { client: create(), hooked: false };
  let hooked = false;
  client[key] = (options: unknown) => {
    const cluster = createCluster(options) as HookedCluster;
    hooked = hookCluster(cluster, hook);
    return cluster;
  };
  try {
    return { client: create(), hooked };
  } finally {
    client[key] = createCluster;
  }
}

function hookCluster(cluster: HookedCluster, hook: RequestHook): boolean {
  const pool = cluster.brokerPool;
  const createBroker = pool?.createBroker;
  if (!pool || typeof createBroker !== 'function') return false;
  pool.createBroker = (options: unknown) => hookBroker(createBroker.call(pool, options), hook);
  return true;
}

/** Wraps the broker's request lookup (kafkajs replaces it once it knows the broker's API versions). */
function hookBroker(broker: HookedBroker, hook: RequestHook): HookedBroker {
  let lookup = broker.lookupRequest;
  if (typeof lookup !== 'function') return broker;
  const hooked: Lookup = (apiKey, definition) => hook(apiKey, lookup(apiKey, definition));
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
