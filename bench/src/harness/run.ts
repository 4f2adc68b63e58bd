import { type BenchArgs, defaultWarmup } from './args.js';
import { brokerUrl, unreachable } from './brokers.js';
import { runInChild } from './child.js';
import { findMeasurement } from './registry.js';
import type { Impl, ResultLine } from './types.js';

/** What a bench run produced: the measured lines and, per broker or broker/mode/impl, why it was skipped. */
export interface BenchOutcome {
  lines: ResultLine[];
  skipped: Map<string, string>;
}

/**
 * Runs every requested broker and mode: brokers that do not accept TCP connections are skipped;
 * per broker and mode, `rounds` rounds each run every registered impl once in its own process
 * (warm-up inside), alternating which impl goes first. Each line goes to `emit` as soon as measured;
 * a failed or timed-out measurement is reported to `note` and recorded as skipped, never thrown.
 */
export async function runBench(
  args: BenchArgs,
  emit: (line: ResultLine) => void,
  note: (message: string) => void,
): Promise<BenchOutcome> {
  const lines: ResultLine[] = [];
  const skipped = new Map<string, string>();
  for (const broker of args.brokers) {
    const url = brokerUrl(broker);
    const why = await unreachable(broker, url);
    if (why) {
      skipped.set(broker, `unreachable: ${why}`);
      note(`${broker}: skipped, ${why} (start it with: bash scripts/brokers up ${broker})`);
      continue;
    }
    for (const mode of args.modes) {
      const impls = (['switchboard', 'raw'] as Impl[]).filter((impl) => findMeasurement(broker, mode, impl));
      if (impls.length === 0) continue;
      for (let round = 0; round < args.rounds; round++) {
        const order = round % 2 === 0 ? impls : [...impls].reverse();
        for (const impl of order) {
          const key = `${broker}/${mode}/${impl}`;
          if (skipped.has(key)) continue;
          try {
            const line = await runInChild(
              {
                broker,
                mode,
                impl,
                n: args.n,
                bytes: args.bytes,
                url,
                warmupN: args.warmupN ?? defaultWarmup(mode, args.n),
              },
              args.timeoutS * 1000,
            );
            lines.push(line);
            emit(line);
          } catch (err) {
            const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
            skipped.set(key, `failed: ${message}`);
            note(`${key}: failed: ${message}`);
          }
        }
      }
    }
  }
  return { lines, skipped };
}
