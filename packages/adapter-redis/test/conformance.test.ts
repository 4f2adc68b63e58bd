import { runConformance } from '@switchboard/conformance/vitest';
import { transportFromUrl } from '../src/index.js';
import { redisHooks } from './broker.js';

runConformance({
  name: 'redis',
  only: process.env.SB_ONLY?.split(','),
  broker: redisHooks,
  create: (broker) => transportFromUrl(broker?.url ?? 'redis://127.0.0.1:6379'),
});
