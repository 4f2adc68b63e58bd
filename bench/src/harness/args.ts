import { BENCH_BROKERS, BENCH_MODES, type BenchBroker, type BenchMode } from './types.js';

/** What `pnpm bench -- [options]` asks for. */
export interface BenchArgs {
  /** `--broker a,b` (repeatable). Default: every broker. */
  brokers: BenchBroker[];
  /** `--mode publish|end-to-end|request-reply|backpressure` (repeatable). Default: all. */
  modes: BenchMode[];
  /** `--n` messages per measurement. Default 100 000. */
  n: number;
  /** `--bytes` per message. Default 256. */
  bytes: number;
  /**
   * `--rounds`: measured runs per impl, alternating switchboard/raw. Default 5: the table's median then sets two
   * outlying runs of either side aside (on a 2-core machine a broker's runs scatter ±10 % for both sides alike,
   * and with three rounds about one run in eight put a throughput ratio below 0.9 for the same code).
   */
  rounds: number;
  /** `--warmup-n`: messages of the warm-up per impl (0 disables); absent: {@link defaultWarmup}. */
  warmupN: number | undefined;
  /** `--timeout-s`: bound of one measurement's process. Default 180. */
  timeoutS: number;
}

const USAGE =
  'usage: pnpm bench -- [--broker memory,rabbitmq,redis,kafka,nats,nats-core] [--mode publish|end-to-end|request-reply|backpressure] ' +
  '[--n 100000] [--bytes 256] [--rounds 5] [--warmup-n N] [--timeout-s 180]';

/** Parses argv (without node and script); a literal `--` is ignored. Throws with the usage on error. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const brokers: BenchBroker[] = [];
  const modes: BenchMode[] = [];
  const nums: Record<string, number> = {};
  const args = argv.filter((a) => a !== '--');
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = (args[i] ?? '').split('=', 2) as [string, string | undefined];
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === '--broker') brokers.push(...list(value, BENCH_BROKERS, flag));
    else if (flag === '--mode') modes.push(...list(value, BENCH_MODES, flag));
    else if (['--n', '--bytes', '--rounds', '--warmup-n', '--timeout-s'].includes(flag)) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer\n${USAGE}`);
      nums[flag] = n;
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  const n = nums['--n'] ?? 100_000;
  return {
    brokers: brokers.length ? [...new Set(brokers)] : [...BENCH_BROKERS],
    modes: modes.length ? [...new Set(modes)] : [...BENCH_MODES],
    n,
    bytes: Math.max(8, nums['--bytes'] ?? 256),
    rounds: Math.max(1, nums['--rounds'] ?? 5),
    warmupN: nums['--warmup-n'],
    timeoutS: nums['--timeout-s'] ?? 180,
  };
}

/**
 * Messages of the warm-up per impl when `--warmup-n` is not given. Throughput modes: min(n/2, 50,000) — the
 * CPU per message of a throughput measurement repeated in one process falls until about 30–40k messages have
 * been handled, for the raw clients and Switchboard alike (V8 still compiling), then stays (docs/design.md,
 * seventh session). Request/reply: min(n/10, 5,000) round trips — flat after a few thousand, and each capped
 * run opens its own connections (Kafka: a consumer group join), so more would cost minutes.
 */
export function defaultWarmup(mode: BenchMode, n: number): number {
  return mode === 'request-reply' ? Math.min(Math.ceil(n / 10), 5000) : Math.min(Math.ceil(n / 2), 50_000);
}

function list<T extends string>(value: string, allowed: readonly T[], flag: string): T[] {
  return value.split(',').map((v) => {
    if (!(allowed as readonly string[]).includes(v))
      throw new Error(`${flag} ${v}: expected one of ${allowed.join(', ')}`);
    return v as T;
  });
}
