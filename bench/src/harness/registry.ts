import { rawMeasurements } from '../raw/index.js';
import { switchboardMeasurements } from '../switchboard/index.js';
import type { BenchBroker, BenchMode, Impl, MeasurementEntry } from './types.js';

/** Every registered measurement: the raw baselines and Switchboard's. */
export function allMeasurements(): MeasurementEntry[] {
  return [...rawMeasurements, ...switchboardMeasurements];
}

/** The measurement for one broker/mode/impl, or `undefined` when none is registered. */
export function findMeasurement(
  broker: BenchBroker,
  mode: BenchMode,
  impl: Impl,
): MeasurementEntry | undefined {
  return allMeasurements().find((m) => m.broker === broker && m.mode === mode && m.impl === impl);
}
