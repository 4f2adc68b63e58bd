import type { RabbitMQNative } from '@switchboard/adapter-rabbitmq';
import { connect } from '@switchboard/core';
import { type BusCaseSetup, busMeasurements } from './bus-cases.js';

// Switchboard over RabbitMQ with the adapter's defaults (durable quorum queues, persistent messages,
// publisher confirms awaited per batch), a receiver with prefetch 1000 like the raw consumer, and
// request/reply over direct reply-to.

/** How the RabbitMQ measurements (and `trace.js rabbitmq switchboard`) open a bus and remove what it created. */
export const rabbitmqBusSetup: BusCaseSetup = {
  broker: 'rabbitmq',
  requests: 2000,
  async open(url) {
    const bus = await connect(url, { sendTimeoutMs: 60_000 });
    return {
      bus,
      async cleanup(queue) {
        try {
          const channel = await (bus.transport.native as RabbitMQNative).createChannel();
          channel.on('error', () => undefined);
          await channel.deleteQueue(queue).catch(() => undefined);
          await channel.close().catch(() => undefined);
        } finally {
          await bus.close();
        }
      },
    };
  },
};

/** Switchboard's RabbitMQ measurements (publish, end-to-end, request/reply). */
export const rabbitmqSwitchboard = busMeasurements(rabbitmqBusSetup);
