import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { natsServers, smokeBroker, uniqueName } from './support.js';

const broker = await smokeBroker('nats');

describe.skipIf(broker.skipped)('nats raw client (@nats-io/jetstream)', () => {
  it('adds a stream, publishes through JetStream, consumes and acks', async () => {
    if (broker.skipped) return;
    const nc = await connect({ servers: natsServers(broker.url) });
    const stream = uniqueName('smoke_nats').replace(/-/g, '_');
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
      await jsm.consumers.add(stream, { durable_name: 'smoke', ack_policy: AckPolicy.Explicit });
      const js = jetstream(nc);
      const ack = await js.publish(`${stream}.greeting`, 'hello');
      expect(ack.stream).toBe(stream);

      const consumer = await js.consumers.get(stream, 'smoke');
      const msg = await consumer.next({ expires: 10_000 });
      expect(msg?.string()).toBe('hello');
      await msg?.ackAck();
      const info = await consumer.info();
      expect(info.num_ack_pending).toBe(0);
    } finally {
      await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
    }
  });
});
