import { randomUUID } from 'node:crypto';
import {
  type BrokerKind,
  isSkipped,
  type ProvisionResult,
  provisionBroker,
} from '@switchboard/conformance/provisioning';

/**
 * Provisions `kind` for a smoke file. With SWITCHBOARD_REQUIRE_BROKERS=1 an absent broker throws
 * (the file fails loudly); otherwise the skip reason is printed and the caller skips its suite.
 */
export async function smokeBroker(kind: BrokerKind, persistent = false): Promise<ProvisionResult> {
  const result = await provisionBroker(kind, { persistent });
  if (isSkipped(result))
    console.warn(`[smoke] skipping ${kind}${persistent ? ' (persistent)' : ''}: ${result.reason}`);
  return result;
}

/** A name no other run uses, e.g. `smoke-redis-1f3a…`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** `kafka://a:9092,b:9092` → `['a:9092', 'b:9092']`. */
export function kafkaBrokers(url: string): string[] {
  return url
    .replace(/^kafka:\/\//, '')
    .split(',')
    .map((s) => s.replace(/\/.*$/, ''))
    .filter((s) => s.length > 0);
}

/** `nats://host:port` → the `servers` option of the NATS client. */
export function natsServers(url: string): string {
  return url.replace(/^nats:\/\//, '');
}
