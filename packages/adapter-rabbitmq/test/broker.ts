/**
 * Broker hooks for the RabbitMQ suites: the URL from provisioning (the restartable instance first, so that
 * C44 can run, else the plain one), with `queueExpiresMs` so that the many fresh queues a run declares are
 * dropped by RabbitMQ once unused (a 3.10 broker with `ulimit -n 1024` stops accepting connections after a
 * few hundred idle quorum queues), and dead addresses for C43.
 */
import type { BrokerHooks } from '@switchboard/conformance';
import { isSkipped, provisionBroker } from '@switchboard/conformance/provisioning';
import amqp from 'amqplib';
import { rabbitmqTransport } from '../src/index.js';

/**
 * How long an unused test queue lives. The full profile's C50 runs ten copies of the suite at once and
 * cleans up only at the end: with 120 s, ~600 idle quorum queues were alive at a time and the broker
 * (`ulimit -n 1024`: 927 file handles, about 3 per quorum queue) stopped answering connection attempts
 * ("no answer from RabbitMQ in time": 144 runs failed; 7 still with 30 s). The soak makes about 10 queues a
 * second, so 10 s keeps ~100 alive. No scenario leaves a queue unused (no consumer, no declaration) for
 * more than a second or two (quiet periods are 500 ms).
 */
export const TEST_QUEUE_EXPIRES_MS =
  process.env.SWITCHBOARD_CONFORMANCE_PROFILE === 'full' ? 10_000 : 120_000;

/** Appends the adapter's `queueExpiresMs` query parameter, understood by `transportFromUrl`. */
export function withExpiry(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}queueExpiresMs=${TEST_QUEUE_EXPIRES_MS}`;
}

/** The broker URL from provisioning, or the reason there is none. */
export async function rabbitUrl(): Promise<{
  url?: string;
  restart?: () => Promise<string>;
  reason?: string;
}> {
  const persistent = await provisionBroker('rabbitmq', { persistent: true });
  if (!isSkipped(persistent)) return { url: persistent.url, restart: persistent.restart };
  const plain = await provisionBroker('rabbitmq');
  if (isSkipped(plain)) return { reason: plain.reason };
  return { url: plain.url };
}

/** Hooks for runConformance. */
export async function rabbitHooks(): Promise<BrokerHooks> {
  const found = await rabbitUrl();
  if (!found.url) return { skip: found.reason ?? 'no RabbitMQ broker' };
  const base = found.url;
  const restart = found.restart;
  return {
    // The consumer process of C45 connects with connect(url): it must declare queues the same way.
    url: withExpiry(base),
    ...(restart ? { restart: async () => void (await restart()) } : {}),
    unreachable: () => rabbitmqTransport({ url: 'amqp://127.0.0.1:1', connectTimeoutMs: 2000 }),
    failover: () =>
      rabbitmqTransport({ url: ['amqp://127.0.0.1:1', base], queueExpiresMs: TEST_QUEUE_EXPIRES_MS }),
    cleanup: (names) => deleteQueues(base, names),
  };
}

/**
 * The queues a scenario's names can have made: the name itself and its dead-letter queue, and the group
 * queues `<topic>~<group>` for every pair of names of one scenario (groups are unique names too; `g` is the
 * one literal group). Names look like `sbc.<scenario>.<prefix>.<run>.<n>`.
 */
export function queueCandidates(names: readonly string[]): string[] {
  const byScenario = new Map<string, string[]>();
  for (const name of names) {
    const scenario = name.split('.')[1] ?? '';
    byScenario.set(scenario, [...(byScenario.get(scenario) ?? []), name]);
  }
  const queues = new Set<string>();
  for (const group of byScenario.values()) {
    for (const topic of group) {
      for (const queue of [
        topic,
        `${topic}~g`,
        ...group.filter((g) => g !== topic).map((g) => `${topic}~${g}`),
      ]) {
        queues.add(queue);
        queues.add(`${queue}.dead-letter`);
      }
    }
  }
  return [...queues];
}

/**
 * Deletes the queues of a scenario right after it (the conformance cleanup hook), so that quorum queues, ~3
 * file handles each on the broker, do not pile up until their `x-expires`. Deleting a queue that does not
 * exist succeeds in RabbitMQ; the deletes are pipelined on one channel.
 */
async function deleteQueues(url: string, names: readonly string[]): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    await Promise.all(queueCandidates(names).map((queue) => channel.deleteQueue(queue)));
    await channel.close();
  } finally {
    await connection.close().catch(() => undefined);
  }
}
