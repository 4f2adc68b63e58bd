import type { MeasurementEntry } from '../harness/types.js';
import { asNatsCore } from '../raw/nats-core.js';
import { kafkaSwitchboard } from './kafka.js';
import { memoryMeasurements } from './memory.js';
import { natsSwitchboard } from './nats.js';
import { rabbitmqSwitchboard } from './rabbitmq.js';
import { redisSwitchboard } from './redis.js';

/**
 * Switchboard's measurements ('switchboard' impl), one per broker and mode, registered like the raw
 * ones in ../raw/index.ts. Adapter measurements load their adapter through `connect(url)`.
 */
export const switchboardMeasurements: MeasurementEntry[] = [
  ...memoryMeasurements,
  ...rabbitmqSwitchboard,
  ...redisSwitchboard,
  ...kafkaSwitchboard,
  ...natsSwitchboard,
  ...asNatsCore(natsSwitchboard),
];
