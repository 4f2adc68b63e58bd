import type { BackoffOptions } from '../message.js';

/** Backoff with all defaults filled in. */
export type Backoff = Required<{ [K in keyof BackoffOptions]: NonNullable<BackoffOptions[K]> }>;

export const DEFAULT_BACKOFF: Backoff = { initialMs: 100, maxMs: 30_000, multiplier: 2, jitter: 0.2 };

/**
 * The delay before attempt `nextAttempt` (≥ 2): `initialMs · multiplier^(nextAttempt − 2)`, capped at `maxMs`,
 * then spread uniformly by ± `jitter` so that retries of many consumers do not arrive in lockstep.
 */
export function backoffDelay(
  backoff: Backoff,
  nextAttempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, nextAttempt - 2);
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** exponent);
  const spread = base * backoff.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(backoff.maxMs, base + spread)));
}
