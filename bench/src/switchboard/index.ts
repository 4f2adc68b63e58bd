import type { MeasurementEntry } from '../harness/types.js';

/**
 * Switchboard's measurements ('switchboard' impl), one per broker and mode, registered like the raw
 * ones in ../raw/index.ts. Filled in by the core and adapter work; empty until then.
 */
export const switchboardMeasurements: MeasurementEntry[] = [];
