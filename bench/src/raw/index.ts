import type { MeasurementEntry } from '../harness/types.js';
import { kafkaRaw } from './kafka.js';
import { natsRaw } from './nats.js';
import { asNatsCore, natsByMode } from './nats-core.js';
import { rabbitmqRaw } from './rabbitmq.js';
import { redisRaw } from './redis.js';

/** The raw-client baselines: each broker's own client used well, per mode. */
export const rawMeasurements: MeasurementEntry[] = [
  ...rabbitmqRaw,
  ...redisRaw,
  ...kafkaRaw,
  ...natsByMode(natsRaw),
  ...asNatsCore(natsByMode(natsRaw)),
];
