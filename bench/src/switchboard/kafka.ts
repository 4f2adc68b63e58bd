import { connect } from '@switchboard/core';
import type { Admin } from 'kafkajs';
import { busMeasurements } from './bus-cases.js';

// Switchboard over Kafka: `connect(url)` with one partition per topic, like the raw baseline; the bus
// batches concurrent sends into acks=all produce requests. Each run deletes its topic.

/** Switchboard's Kafka measurements (publish, end-to-end, request/reply). */
export const kafkaSwitchboard = busMeasurements({
  broker: 'kafka',
  prefetch: 2000,
  // Sequential round trips through a queue topic and the bus's inbox topic (each a produce and a fetch).
  requests: 1000,
  async open(url) {
    const separator = url.includes('?') ? '&' : '?';
    const bus = await connect(`${url}${separator}partitions=1`, { sendTimeoutMs: 60_000 });
    return {
      bus,
      async cleanup(queue) {
        const admin = (bus.transport.native as { admin?: Admin }).admin;
        await admin?.deleteTopics({ topics: [queue] }).catch(() => undefined);
        await bus.close();
      },
    };
  },
});
