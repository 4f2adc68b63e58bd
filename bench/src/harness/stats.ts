import type { MeasureResult, ResultLine } from './types.js';

/** The q-quantile (0..1) of `values` by nearest rank; `null` for no values. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? null;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/**
 * Summarizes a raw result into the JSON line the harness prints. `cpuMicros`: the measuring process's CPU time
 * (user + system) over the whole measured run, its setup and cleanup included.
 */
export function toResultLine(
  key: Pick<ResultLine, 'broker' | 'mode' | 'impl' | 'n' | 'bytes'>,
  result: MeasureResult,
  usage?: { cpuMicros: number },
): ResultLine {
  const lat = result.latenciesMs ?? [];
  const p50 = quantile(lat, 0.5);
  const p99 = quantile(lat, 0.99);
  const n = result.n ?? key.n;
  return {
    ...key,
    n,
    seconds: round(result.seconds, 4),
    msgs_per_s: Math.round(n / result.seconds),
    p50_ms: p50 === null ? null : round(p50, 3),
    p99_ms: p99 === null ? null : round(p99, 3),
    ...(usage === undefined ? {} : { cpu_us_per_msg: round(usage.cpuMicros / n, 2) }),
    ...(result.rssGrowthMb === undefined ? {} : { rss_growth_mb: round(result.rssGrowthMb, 1) }),
  };
}

/** The median of `values` (lower middle for even counts); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number);
}
