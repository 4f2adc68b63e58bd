import { runConformance } from '@switchboard/conformance/vitest';
import { transportFromUrl } from '../src/index.js';
import { rabbitHooks } from './broker.js';

/**
 * The full profile's ten-copy soak (C50) opens hundreds of buses at once against one broker on a 2-core
 * machine: RabbitMQ 3.10 then takes more than the adapter's 10 s default to answer some AMQP handshakes (C05's
 * copies failed with "no answer from RabbitMQ in time" in about half the soaks, before and after this
 * session's adapter changes alike). The suite checks the contract, not handshake latency under that overload,
 * so its buses wait up to 30 s for a connection.
 */
const CONNECT_TIMEOUT_MS = 30_000;

runConformance({
  name: 'rabbitmq',
  only: process.env.SB_ONLY?.split(','),
  broker: rabbitHooks,
  create: (broker) => transportFromUrl(broker!.url!, { connectTimeoutMs: CONNECT_TIMEOUT_MS }),
});
