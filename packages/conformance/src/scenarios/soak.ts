/**
 * C50, the soak: copies of the suite run in parallel against one adapter, then every bus is closed and
 * nothing of theirs may be left in the process (handles, timers, process listeners).
 *
 * Shape per profile:
 * - quick (every CI run): 3 copies of a cheap subset ({@link SOAK_QUICK}), every scenario of every copy
 *   at once — a burst of ~30 concurrent scenarios.
 * - full: 10 copies of the whole quick suite (every scenario without quiet periods or hooks), the copies
 *   in parallel and each copy's scenarios one after another, as a suite runs: the catalogue's
 *   "the quick suite 10 times in parallel". Starting all ~400 scenarios at once instead measured the
 *   machine, not the adapter: on 2 cores every broker failed it on ack deadlines and connect storms.
 */
import { assert } from '../assert.js';
import { planScenarios } from '../plan.js';
import { type ScenarioContext, scenario } from '../types.js';
import { elapse } from '../wait.js';
import { behaviourScenarios } from './sections.js';

/** Scenarios C50 runs in parallel in the quick profile (cheap, no quiet periods). */
const SOAK_QUICK = ['C01', 'C07', 'C11', 'C12', 'C14', 'C17', 'C24', 'C31', 'C34', 'C36', 'C41'];

type Snapshot = Map<string, number>;

function snapshot(): Snapshot {
  const counts: Snapshot = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  for (const event of [
    'exit',
    'beforeExit',
    'SIGINT',
    'SIGTERM',
    'unhandledRejection',
    'uncaughtException',
  ] as const) {
    counts.set(`process '${event}' listeners`, process.listenerCount(event));
  }
  return counts;
}

function grown(before: Snapshot, after: Snapshot): string[] {
  return [...after]
    .filter(([what, n]) => n > (before.get(what) ?? 0))
    .map(([what, n]) => `${what}: ${before.get(what) ?? 0} → ${n}`);
}

/** Runs `tasks` in order when `sequential`, else all at once; settles every one either way. */
async function settleAll(
  tasks: readonly (() => Promise<void>)[],
  sequential: boolean,
): Promise<PromiseSettledResult<void>[]> {
  if (!sequential) return Promise.allSettled(tasks.map((task) => task()));
  const outcomes: PromiseSettledResult<void>[] = [];
  for (const task of tasks) {
    try {
      await task();
      outcomes.push({ status: 'fulfilled', value: undefined });
    } catch (reason) {
      outcomes.push({ status: 'rejected', reason });
    }
  }
  return outcomes;
}

export const C50 = scenario({
  id: 'C50',
  title: 'soak: scenarios run in parallel copies; no handles, listeners or timers left after close',
  async run(ctx: ScenarioContext) {
    const everything = behaviourScenarios.filter((s) => !s.timing && !s.needs?.length);
    const full = ctx.profile === 'full';
    const chosen = full ? everything : everything.filter((s) => SOAK_QUICK.includes(s.id));
    const copies = ctx.size(3, 10);
    const planned = planScenarios(chosen, ctx.capabilities, {
      name: ctx.transportName,
      broker: undefined,
      requireBrokers: false,
    }).filter((p) => p.run);
    const before = snapshot();
    const started = Date.now();
    const copyRuns = Array.from({ length: copies }, (_, copy) =>
      planned.map((p) => async () => {
        const { context, cleanup } = ctx.fork(`${p.scenario.id}-${copy}`, 'quick');
        try {
          await p.run!(context);
        } catch (error) {
          throw new Error(
            `${p.scenario.id} copy ${copy + 1}: ${error instanceof Error ? error.message : String(error)}`,
          );
        } finally {
          await cleanup();
        }
      }),
    );
    const outcomes = full
      ? (await Promise.all(copyRuns.map((tasks) => settleAll(tasks, true)))).flat()
      : await settleAll(copyRuns.flat(), false);
    const failures = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [String((o.reason as Error).message)] : [],
    );
    assert(
      failures.length === 0,
      `${failures.length} parallel run(s) failed: ${failures.slice(0, 3).join(' | ')}`,
    );
    ctx.note(
      `${planned.length} scenarios × ${copies} copies (${full ? 'copies in parallel, each in sequence' : 'all at once'}) took ${Date.now() - started} ms`,
    );
    // Poll with a fresh timer each time, so that no timer of ours is active while the snapshot is taken.
    let left = grown(before, snapshot());
    for (const deadline = Date.now() + 5000; left.length > 0 && Date.now() < deadline; ) {
      await elapse(50);
      left = grown(before, snapshot());
    }
    assert(left.length === 0, `left behind after every bus closed: ${left.join(', ')}`);
  },
});
