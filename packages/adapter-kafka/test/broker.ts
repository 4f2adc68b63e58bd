/** The Kafka broker for this package's tests, through the shared provisioning (env URL, container, or skip). */
import type { BrokerHooks } from '@switchboard/conformance';
import { isSkipped, provisionBroker } from '@switchboard/conformance/provisioning';
import { kafkaTransport } from '../src/index.js';
import { optionsFromUrl } from '../src/options.js';

/** Settings that make group joins and failovers fast in tests (not production defaults). */
export const FAST = '?sessionTimeoutMs=6000&rebalanceTimeoutMs=10000&heartbeatIntervalMs=500&partitions=3';

/** Provisions Kafka (persistent when the environment offers a restart command) and builds the suite's hooks. */
export async function kafkaHooks(): Promise<BrokerHooks> {
  let broker = await provisionBroker('kafka', { persistent: true });
  if (isSkipped(broker)) broker = await provisionBroker('kafka');
  if (isSkipped(broker)) return { skip: broker.reason };
  const provisioned = broker;
  return {
    url: `${provisioned.url}${FAST}`,
    restart: provisioned.restart ? async () => void (await provisioned.restart!()) : undefined,
    unreachable: () => kafkaTransport({ brokers: ['127.0.0.1:1'], connectTimeoutMs: 2000 }),
    failover: () =>
      kafkaTransport(
        optionsFromUrl(`kafka://127.0.0.1:1,${provisioned.url.replace(/^kafka:\/\//, '')}${FAST}`),
      ),
    stop: () => provisioned.stop(),
  };
}
