import { runConformance } from '@switchboard/conformance/vitest';
import { transportFromUrl } from '../src/index.js';
import { redisHooks } from './broker.js';

// The full profile's soak (C50) opens thousands of connections at once from one busy process: allow their
// handshakes more than the default 5 s of a starved event loop.
const connectTimeoutMs = process.env.SWITCHBOARD_CONFORMANCE_PROFILE === 'full' ? 30_000 : undefined;

runConformance({
  name: 'redis',
  only: process.env.SB_ONLY?.split(','),
  broker: redisHooks,
  create: (broker) => transportFromUrl(broker?.url ?? 'redis://127.0.0.1:6379', { connectTimeoutMs }),
});
