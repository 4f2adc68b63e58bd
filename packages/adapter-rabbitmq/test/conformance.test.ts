import { runConformance } from '@switchboard/conformance/vitest';
import { transportFromUrl } from '../src/index.js';
import { rabbitHooks } from './broker.js';

runConformance({
  name: 'rabbitmq',
  only: process.env.SB_ONLY?.split(','),
  broker: rabbitHooks,
  create: (broker) => transportFromUrl(broker!.url!),
});
