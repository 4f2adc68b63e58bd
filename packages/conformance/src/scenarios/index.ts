import type { Scenario } from '../types.js';
import { interopHygiene } from './interop-hygiene.js';
import { behaviourScenarios } from './sections.js';

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
export const scenarios: readonly Scenario[] = [...behaviourScenarios, ...interopHygiene];
