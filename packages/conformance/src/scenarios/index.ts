import type { Scenario } from '../types.js';
import { ackRetry } from './ack-retry.js';
import { bodiesHeaders } from './bodies-headers.js';
import { deadLetterDelay } from './dead-letter-delay.js';
import { faults } from './faults.js';
import { interopHygiene } from './interop-hygiene.js';
import { lifecycle } from './lifecycle.js';
import { orderDedupeBatching } from './order-dedupe-batching.js';
import { requestReply } from './request-reply.js';
import { sendReceive } from './send-receive.js';

export * from './ack-retry.js';
export * from './bodies-headers.js';
export * from './dead-letter-delay.js';
export * from './faults.js';
export * from './interop-hygiene.js';
export * from './lifecycle.js';
export * from './order-dedupe-batching.js';
export * from './request-reply.js';
export * from './send-receive.js';
export * from './soak.js';

/** Every scenario of the catalogue, C01–C50, in order. */
export const scenarios: readonly Scenario[] = [
  ...sendReceive,
  ...bodiesHeaders,
  ...ackRetry,
  ...deadLetterDelay,
  ...orderDedupeBatching,
  ...requestReply,
  ...lifecycle,
  ...faults,
  ...interopHygiene,
];
