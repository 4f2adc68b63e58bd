import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import type { ProvisionedBroker } from '@switchboard/conformance/provisioning';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { natsServers, smokeBroker, uniqueName } from './support.js';

// Each restartable instance keeps a message written before `restart()`. Clients are closed before
// the restart and opened afresh after it, so nothing here depends on reconnect behaviour.

const redis = await smokeBroker('redis', true);
const nats = await smokeBroker('nats', true);

function restartOf(broker: ProvisionedBroker): () => Promise<string> {
  if (!broker.restart) throw new Error(`${broker.kind}: a persistent broker must have restart()`);
  return broker.restart;
}

describe.skipIf(redis.skipped)('redis persistent instance', () => {
  it('keeps a stream entry across restart', { timeout: 120_000 }, async () => {
    if (redis.skipped) return;
    const stream = uniqueName('smoke-persist');
    const before = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await before.connect();
    const id = await before.xadd(stream, '*', 'body', 'survives');
    before.disconnect();

    const url = await restartOf(redis)();

    const after = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await after.connect();
    try {
      const entries = await after.xrange(stream, '-', '+');
      expect(entries).toEqual([[id, ['body', 'survives']]]);
    } finally {
      await after.del(stream);
      after.disconnect();
    }
  });
});

describe.skipIf(nats.skipped)('nats persistent instance', () => {
  it('keeps a JetStream message across restart', { timeout: 120_000 }, async () => {
    if (nats.skipped) return;
    const stream = uniqueName('smoke_persist').replace(/-/g, '_');
    const before = await natsConnect({ servers: natsServers(nats.url) });
    const jsm = await jetstreamManager(before);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await jsm.consumers.add(stream, { durable_name: 'smoke', ack_policy: AckPolicy.Explicit });
    await jetstream(before).publish(`${stream}.x`, 'survives');
    await before.close();

    const url = await restartOf(nats)();

    const after = await natsConnect({ servers: natsServers(url) });
    try {
      const consumer = await jetstream(after).consumers.get(stream, 'smoke');
      const msg = await consumer.next({ expires: 10_000 });
      expect(msg?.string()).toBe('survives');
      await msg?.ackAck();
    } finally {
      await (await jetstreamManager(after)).streams.delete(stream).catch(() => false);
      await after.close();
    }
  });
});
