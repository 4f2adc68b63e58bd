import { runConformance } from '@switchboard/conformance/vitest';
import { transportFromUrl } from '../src/index.js';
import { natsHooks } from './broker.js';

const only = process.env.SB_ONLY?.split(',');

runConformance({
  name: 'nats-jetstream',
  only,
  broker: () => natsHooks('jetstream'),
  create: (broker) => transportFromUrl(broker!.url!),
});

runConformance({
  name: 'nats-core',
  only,
  broker: () => natsHooks('core'),
  create: (broker) => transportFromUrl(broker!.url!),
});
