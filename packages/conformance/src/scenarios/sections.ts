/** The catalogue's sections that exercise the bus through an adapter (all but "Interop and hygiene"), in order. */
import type { Scenario } from '../types.js';
import { ackRetry } from './ack-retry.js';
import { bodiesHeaders } from './bodies-headers.js';
import { deadLetterDelay } from './dead-letter-delay.js';
import { faults } from './faults.js';
import { lifecycle } from './lifecycle.js';
import { orderDedupeBatching } from './order-dedupe-batching.js';
import { requestReply } from './request-reply.js';
import { sendReceive } from './send-receive.js';

/** C01–C47, the scenarios the C50 soak draws its copies from. */
export const behaviourScenarios: readonly Scenario[] = [
  ...sendReceive,
  ...bodiesHeaders,
  ...ackRetry,
  ...deadLetterDelay,
  ...orderDedupeBatching,
  ...requestReply,
  ...lifecycle,
  ...faults,
];
