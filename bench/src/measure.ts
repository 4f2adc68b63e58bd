/**
 * One measurement in its own process, forked by the harness:
 *   node bench/dist/measure.js <broker> <mode> <impl> <n> <bytes> <url> [warmupN]
 * Runs the registered measurement once with warmupN messages (discarded), then with n, and sends
 * `{ ok: true, line }` (or `{ ok: false, error }`) to the parent over IPC; without IPC it prints the
 * line as JSON. Exits when done, whatever handles the clients leave open.
 */
import type { ChildReply } from './harness/child.js';
import { findMeasurement } from './harness/registry.js';
import { toResultLine } from './harness/stats.js';
import type { BenchBroker, BenchMode, Impl } from './harness/types.js';

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
  if (warmupN > 0) await entry.run({ url, n: warmupN, bytes });
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
