import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import { encodeProduceRequest, type ProduceRequestArgs } from './produce-request.js';
import { type BuiltRequest, withRequestHook } from './request-hook.js';

/** kafkajs' API key of Produce requests. */
const PRODUCE = 0;

/** How many Produce requests the adapter's encoder wrote, and how many it left to kafkajs (for tests). */
export const produceEncoding = { own: 0, kafkajs: 0 };

/**
 * Creates `kafka.producer(config)` whose Produce requests (v3–v7, uncompressed) are encoded by
 * {@link encodeProduceRequest} instead of kafkajs' record encoder, which allocates a zero-filled 512-byte
 * buffer per record and per header. Everything else — partitioning, the idempotent producer's ids, sequences
 * and broker lock, retries, metadata, the response — stays kafkajs'. The hook reaches the producer's own
 * brokers only ({@link withRequestHook}); when kafkajs' internals are not as expected, or the encoder declines a
 * request, kafkajs encodes it as it always does. Returns the producer and whether the hook is in place.
 */
export function createProducer(
  kafka: Kafka,
  config: ProducerConfig,
): { producer: Producer; hooked: boolean } {
  const { client, hooked } = withRequestHook(
    kafka,
    () => kafka.producer(config),
    (apiKey, build) =>
      apiKey === PRODUCE ? (args: ProduceRequestArgs) => withOwnEncoding(build(args), args) : build,
  );
  return { producer: client, hooked };
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
