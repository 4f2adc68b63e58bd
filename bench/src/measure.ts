/**
 * One measurement in its own process, forked by the harness:
 *   node bench/dist/measure.js <broker> <mode> <impl> <n> <bytes> <url> [warmupN]
 * Runs the registered measurement with warmupN messages (discarded; several runs where one run caps its own
 * count), then once with n, and sends
 * `{ ok: true, line }` (or `{ ok: false, error }`) to the parent over IPC; without IPC it prints the
 * line as JSON. Exits when done, whatever handles the clients leave open.
 */
import type { ChildReply } from './harness/child.js';
import { findMeasurement } from './harness/registry.js';
import { toResultLine } from './harness/stats.js';
import type { BenchBroker, BenchMode, Impl, Measurement, MeasureOptions } from './harness/types.js';

async function main(): Promise<ChildReply> {
  const [broker, mode, impl, nArg, bytesArg, url, warmupArg] = process.argv.slice(2);
  if (!broker || !mode || !impl || !nArg || !bytesArg || !url) {
    return { ok: false, error: 'usage: measure.js <broker> <mode> <impl> <n> <bytes> <url> [warmupN]' };
  }
  const entry = findMeasurement(broker as BenchBroker, mode as BenchMode, impl as Impl);
  if (!entry) return { ok: false, error: `no measurement registered for ${broker}/${mode}/${impl}` };
  const n = Number(nArg);
  const bytes = Number(bytesArg);
  const warmupN = Number(warmupArg ?? 0);
  await warmUp(entry.run, { url, n: warmupN, bytes });
  const cpuBefore = process.cpuUsage();
  const result = await entry.run({ url, n, bytes });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    ok: true,
    line: toResultLine({ broker: entry.broker, mode: entry.mode, impl: entry.impl, n, bytes }, result, {
      cpuMicros: cpu.user + cpu.system,
    }),
  };
}

/**
 * Runs the measurement, discarded, until it has handled `opts.n` messages. A measurement that caps its own count
 * (request/reply makes at most a few thousand round trips per run) runs again until the warm-up's count is
 * reached; one run of it left the code still being compiled when the measured run began — for both impls, but
 * more for the one that runs more JavaScript per message (measured: the CPU per round trip of the same
 * measurement repeated in one process falls over its first three to four runs, then stays).
 */
async function warmUp(run: Measurement, opts: MeasureOptions): Promise<void> {
  let warmed = 0;
  while (warmed < opts.n) {
    const result = await run({ ...opts, n: opts.n - warmed });
    const handled = result.n ?? opts.n - warmed;
    if (handled <= 0) return;
    warmed += handled;
  }
}

function finish(reply: ChildReply): void {
  if (process.send) process.send(reply, () => process.exit(reply.ok ? 0 : 1));
  else {
    console.log(JSON.stringify(reply.ok ? reply.line : reply));
    process.exit(reply.ok ? 0 : 1);
  }
}

main().then(finish, (err: unknown) =>
  finish({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
);
