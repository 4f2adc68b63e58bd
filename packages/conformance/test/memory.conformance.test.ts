import { memoryTransport } from '@switchboard/core';
import { runConformance } from '../src/vitest.js';

runConformance({ name: 'memory', create: () => memoryTransport({ broker: 'conformance' }) });
