import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import { decodeFetchResponse } from './fetch-response.js';
import { type BuiltRequest, withRequestHook } from './request-hook.js';

/** kafkajs' API key of Fetch requests, and the one version whose responses the adapter decodes. */
const FETCH = 1;
const FETCH_VERSION = 11;

/** How many Fetch responses the adapter's decoder read, and how many it left to kafkajs (for tests). */
export const fetchDecoding = { own: 0, kafkajs: 0 };

/**
 * Creates `kafka.consumer(config)` whose Fetch responses (v11) are decoded by {@link decodeFetchResponse} into
 * the same records kafkajs' decoder gives, at a fraction of its allocations per record (kafkajs parses every
 * offset and timestamp as a 64-bit string and spreads an object per header). Everything else — fetch sessions,
 * offsets, the group protocol, the response's errors — stays kafkajs'. The hook reaches the consumer's own
 * brokers only; responses the decoder declines (compression, control batches, old message sets) are decoded by
 * kafkajs. Returns the consumer and whether the hook is in place.
 */
export function createDecodingConsumer(
  kafka: Kafka,
  config: ConsumerConfig,
): { consumer: Consumer; hooked: boolean } {
  const { client, hooked } = withRequestHook(
    kafka,
    () => kafka.consumer(config),
    (apiKey, build) => (apiKey === FETCH ? (args: unknown) => withOwnDecoding(build(args)) : build),
  );
  return { consumer: client, hooked };
}

function withOwnDecoding(built: BuiltRequest): BuiltRequest {
  if (built.request.apiVersion !== FETCH_VERSION) return built;
  const response = built.response;
  return {
    ...built,
    response: {
      decode(raw: Buffer) {
        const own = decodeFetchResponse(raw);
        if (own === undefined) {
          fetchDecoding.kafkajs++;
          return response.decode(raw);
        }
        fetchDecoding.own++;
        return Promise.resolve(own);
      },
      parse: (data: unknown) => response.parse(data),
    },
  };
}
