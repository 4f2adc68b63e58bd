import { runConformance } from '@switchboard/conformance/vitest';
import { transportFromUrl } from '../src/index.js';
import { natsHooks } from './broker.js';

const only = process.env.SB_ONLY?.split(',');

runConformance({
  name: 'nats-jetstream',
  only,
  // KNOWN ADAPTER DEFECT (not a core bug): when a JetStream receiver closes mid-stream, a few messages can stay
  // unacked on the server until the ack deadline (30 s), so C38 (20 open/close rounds) and, rarely, C19 time
  // out. Under investigation in the stop/drain path of src/subscription.ts; see the package README.
  skip: ['C19', 'C38'],
  broker: () => natsHooks('jetstream'),
  create: (broker) => transportFromUrl(broker!.url!),
});

runConformance({
  name: 'nats-core',
  only,
  broker: () => natsHooks('core'),
  create: (broker) => transportFromUrl(broker!.url!),
});
