import { median } from './stats.js';
import type { BenchBroker, BenchMode, Impl, ResultLine } from './types.js';

/**
 * One row per broker and mode: medians of msgs/s, p50, p99 and client CPU per message of each impl, and
 * switchboard/raw of the throughputs and of the p50s (request/reply's target is a p50 ratio).
 */
export function formatTable(lines: readonly ResultLine[], skipped: ReadonlyMap<string, string>): string {
  const keys = new Map<string, { broker: BenchBroker; mode: BenchMode }>();
  for (const l of lines) keys.set(`${l.broker}/${l.mode}`, { broker: l.broker, mode: l.mode });
  const rows = [
    [
      'broker',
      'mode',
      'switchboard msg/s',
      'raw msg/s',
      'sb/raw',
      'sb p50 ms',
      'raw p50 ms',
      'p50 sb/raw',
      'sb p99 ms',
      'raw p99 ms',
      'sb cpu µs/msg',
      'raw cpu µs/msg',
      'rss +MB',
    ],
  ];
  for (const [key, { broker, mode }] of keys) {
    const pick = (impl: Impl) => lines.filter((l) => `${l.broker}/${l.mode}` === key && l.impl === impl);
    const rate = (impl: Impl) => median(pick(impl).map((l) => l.msgs_per_s));
    const p99 = (impl: Impl) => median(pick(impl).flatMap((l) => (l.p99_ms === null ? [] : [l.p99_ms])));
    const p50 = (impl: Impl) => median(pick(impl).flatMap((l) => (l.p50_ms === null ? [] : [l.p50_ms])));
    const cpu = (impl: Impl) =>
      median(pick(impl).flatMap((l) => (l.cpu_us_per_msg === undefined ? [] : [l.cpu_us_per_msg])));
    const rss = median(
      pick('switchboard').flatMap((l) => (l.rss_growth_mb === undefined ? [] : [l.rss_growth_mb])),
    );
    const sb = rate('switchboard');
    const raw = rate('raw');
    const sbP50 = p50('switchboard');
    const rawP50 = p50('raw');
    rows.push([
      broker,
      mode,
      fmt(sb),
      fmt(raw),
      Number.isNaN(sb / raw) ? '-' : (sb / raw).toFixed(2),
      fmt(sbP50, sbP50 < 1 ? 3 : 2),
      fmt(rawP50, rawP50 < 1 ? 3 : 2),
      fmt(sbP50 / rawP50, 2),
      fmt(p99('switchboard'), 2),
      fmt(p99('raw'), 2),
      fmt(cpu('switchboard'), 1),
      fmt(cpu('raw'), 1),
      fmt(rss, 1),
    ]);
  }
  for (const [what, why] of skipped) rows.push([what, 'skipped', why]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function fmt(x: number, digits = 0): string {
  return Number.isNaN(x) ? '-' : x.toFixed(digits);
}
