import { type Capabilities, MessagingError } from '@switchboard/core';
import type { Admin, Kafka, SASLOptions } from 'kafkajs';
import kafkajs from 'kafkajs';
import { COMPONENT, describeBrokers, toMessagingError } from './errors.js';
import { quietLogCreator } from './log.js';
import type { ResolvedKafkaOptions } from './options.js';
import type { ProducerPool } from './producer-pool.js';

const { Kafka: KafkaClient } = kafkajs;

/** The kafkajs client of a transport, from its resolved options. */
export function createKafkaClient(o: ResolvedKafkaOptions): Kafka {
  return new KafkaClient({
    clientId: o.clientId,
    brokers: [...o.brokers],
    ssl: o.ssl as boolean,
    sasl: o.sasl as SASLOptions | undefined,
    connectionTimeout: Math.min(o.connectTimeoutMs, 3000),
    // Short waits between retries (kafkajs' default grows to 30 s): after a broker restart, producers and
    // consumers (whose restart delay is the last retry's wait) come back within seconds.
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 8 },
    logLevel: 1,
    logCreator: quietLogCreator(),
  });
}

/** What the Kafka transport offers: durable topics with history, nothing the bus would have to emulate. */
export function kafkaCapabilities(o: ResolvedKafkaOptions): Capabilities {
  return {
    persistent: true,
    replay: true,
    delay: false,
    nackDelay: false,
    ttl: false,
    dedupe: false,
    ackDeadline: false,
    priority: false,
    wildcards: false,
    maxPayloadBytes: o.maxPayloadBytes,
  };
}

/**
 * Connects the admin client and the producers within `connectTimeoutMs`; rejects with UNAVAILABLE naming the
 * brokers (never credentials) when they cannot be reached in time, or with the mapped kafkajs error, after
 * disconnecting whatever did connect.
 */
export async function connectClients(
  admin: Admin,
  producer: ProducerPool,
  o: ResolvedKafkaOptions,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = o.connectTimeoutMs;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new MessagingError(
            'UNAVAILABLE',
            `cannot connect to ${describeBrokers(o.brokers)} within ${limit} ms — is Kafka running and the listener reachable?`,
            { component: COMPONENT },
          ),
        ),
      limit,
    );
  });
  try {
    await Promise.race([Promise.all([admin.connect(), producer.connect()]), timeout]);
  } catch (error) {
    await Promise.all([admin.disconnect(), producer.disconnect()]).catch(() => undefined);
    throw MessagingError.is(error)
      ? error
      : toMessagingError(error, `cannot connect to ${describeBrokers(o.brokers)}`);
  } finally {
    clearTimeout(timer);
  }
}
