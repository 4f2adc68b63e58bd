/** The Kafka broker for this package's tests, through the shared provisioning (env URL, container, or skip). */
import type { BrokerHooks } from '@switchboard/conformance';
import { isSkipped, provisionBroker } from '@switchboard/conformance/provisioning';
import kafkajs from 'kafkajs';
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
    cleanup: (names) => deleteTopicsAndGroups(provisioned.url, names),
    stop: () => provisioned.stop(),
  };
}

/**
 * Deletes the topics named `names` or prefixed by one of them (`<name>.dead-letter`), and the consumer groups
 * whose id contains one: a full run would otherwise leave thousands of partitions behind, and each one slows
 * the broker (and its restart in C44). A fresh admin client per call, so C50 finds no socket left open.
 */
async function deleteTopicsAndGroups(url: string, names: readonly string[]): Promise<void> {
  const { brokers } = optionsFromUrl(url);
  const admin = new kafkajs.Kafka({
    clientId: 'conformance-cleanup',
    brokers: [...brokers],
    logLevel: 0,
  }).admin();
  const ours = (candidate: string) =>
    names.some((name) => candidate === name || candidate.startsWith(`${name}.`));
  const mentionsOurs = (candidate: string) => names.some((name) => candidate.includes(name));
  try {
    await admin.connect();
    const [topics, { groups }] = await Promise.all([admin.listTopics(), admin.listGroups()]);
    const groupIds = groups.map((g) => g.groupId).filter(mentionsOurs);
    if (groupIds.length > 0) await admin.deleteGroups(groupIds).catch(() => undefined);
    const doomed = topics.filter(ours);
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
