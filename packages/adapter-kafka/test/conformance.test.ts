import { runConformance } from '@switchboard/conformance/vitest';
import { transportFromUrl } from '../src/index.js';
import { kafkaHooks } from './broker.js';

// The full profile's soak (C50) runs ten copies of the suite at once on a busy 2-core machine: connects and
// topic creations (both bounded by connectTimeoutMs) get more than the default 5 s of a starved event loop.
const overrides = process.env.SWITCHBOARD_CONFORMANCE_PROFILE === 'full' ? { connectTimeoutMs: 30_000 } : {};

runConformance({
  name: 'kafka',
  only: process.env.SB_ONLY?.split(','),
  // A Kafka restart (C44) takes ~25 s on the 2-core machines, then the group coordinator reloads its offsets
  // topic before consumers can rejoin: allow more than the default 120 s per scenario.
  testTimeoutMs: 240_000,
  broker: kafkaHooks,
  create: (broker) => transportFromUrl(broker?.url ?? 'kafka://127.0.0.1:9092', overrides),
});
