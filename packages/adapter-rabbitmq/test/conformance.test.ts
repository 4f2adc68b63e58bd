import { runConformance } from '@switchboard/conformance/vitest';
import { rabbitmqTransport } from '../src/index.js';

const url = process.env.SWITCHBOARD_RABBITMQ_URL;
// The suite creates ~100 fresh queues per run and never deletes them; let RabbitMQ drop them once unused.
const queueExpiresMs = 120_000;

runConformance({
  name: 'rabbitmq',
  only: process.env.SB_ONLY?.split(','),
  create: () => rabbitmqTransport({ url: url ?? 'amqp://127.0.0.1:5672', queueExpiresMs }),
  broker: url
    ? {
        // The consumer process of C45 connects with connect(url): it must declare queues the same way.
        url: `${url}${url.includes('?') ? '&' : '?'}queueExpiresMs=${queueExpiresMs}`,
        unreachable: () => rabbitmqTransport({ url: 'amqp://127.0.0.1:1', connectTimeoutMs: 2000 }),
        failover: () => rabbitmqTransport({ url: ['amqp://127.0.0.1:1', url], queueExpiresMs }),
      }
    : { skip: 'SWITCHBOARD_RABBITMQ_URL is not set' },
});
