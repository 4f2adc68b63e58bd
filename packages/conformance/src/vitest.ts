/**
 * The suite under vitest: `runConformance({ name, create })` in a test file registers one `describe(name)`
 * with one test per scenario, named after its id.
 */
import { afterAll, describe, it } from 'vitest';
import { brokersRequired, type ConformanceOptions, prepare, resolveProfile, runPlanned } from './runner.js';

export type { ConformanceOptions } from './runner.js';

/** Registers the conformance suite for one adapter. Gated scenarios run their negative check when the capability is absent. */
export function runConformance(options: ConformanceOptions & { testTimeoutMs?: number }): void {
  const timeout = options.testTimeoutMs ?? (resolveProfile(options.profile) === 'full' ? 600_000 : 120_000);
  describe(options.name, async () => {
    const prepared = await prepare(options);
    afterAll(async () => {
      await prepared.broker?.stop?.();
    });
    if ('unavailable' in prepared) {
      if (brokersRequired()) {
        it(`broker for ${options.name}`, () => {
          throw new Error(
            `SWITCHBOARD_REQUIRE_BROKERS=1 but the broker is unavailable: ${prepared.unavailable}`,
          );
        });
      } else it.skip(`all scenarios — skipped: ${prepared.unavailable}`, () => undefined);
      return;
    }
    for (const planned of prepared.plan) {
      if (!planned.run && !planned.failReason) {
        it.skip(`${planned.name} — skipped: ${planned.skipReason}`, () => undefined);
        continue;
      }
      it(
        planned.name,
        async () => {
          const result = await runPlanned(prepared.setup, planned);
          for (const note of result.notes) console.info(`[${result.id}] ${note}`);
          if (result.status === 'failed') throw result.error;
        },
        timeout,
      );
    }
  });
}
