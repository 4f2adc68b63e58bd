/** The Redis server for this package's tests, through the shared provisioning (env URL, container, or skip). */
import type { BrokerHooks } from '@switchboard/conformance';
import { isSkipped, provisionBroker } from '@switchboard/conformance/provisioning';
import { redisTransport } from '../src/index.js';

/**
 * Provisions Redis — the persistent (AOF) instance with its restart hook when the environment offers one,
 * else the plain one — and builds the conformance hooks.
 */
export async function redisHooks(): Promise<BrokerHooks> {
  let broker = await provisionBroker('redis', { persistent: true });
  if (isSkipped(broker)) broker = await provisionBroker('redis');
  if (isSkipped(broker)) return { skip: broker.reason };
  const provisioned = broker;
  return {
    url: provisioned.url,
    restart: provisioned.restart ? async () => void (await provisioned.restart!()) : undefined,
    unreachable: () => redisTransport({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 2000 }),
    failover: () => redisTransport({ url: `redis://127.0.0.1:1,${provisioned.url}`, connectTimeoutMs: 2000 }),
    stop: () => provisioned.stop(),
  };
}

/** The plain Redis URL for adapter tests, or undefined (the tests then skip, or fail under SWITCHBOARD_REQUIRE_BROKERS=1). */
export async function redisUrl(): Promise<string | undefined> {
  const broker = await provisionBroker('redis');
  return isSkipped(broker) ? undefined : broker.url;
}
