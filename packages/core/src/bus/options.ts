import type { Codec } from '../codec/codec.js';
import type { MessagingError } from '../errors.js';
import type { SubscribeOptions } from '../message.js';
import type { Transport } from '../transport/contract.js';
import { type Backoff, DEFAULT_BACKOFF } from './backoff.js';
import type { Middleware } from './middleware.js';
import { checkInteger, checkName, checkNumber } from './validation.js';

/** Options of {@link createBus}. */
export interface BusOptions {
  /** The transport (adapter) to use. */
  readonly transport: Transport;
  /** Extra codecs, tried before the defaults (bytes, then JSON). */
  readonly codecs?: readonly Codec[] | undefined;
  /** Defaults for every receive, subscribe, reply and consume. */
  readonly defaults?: SubscribeOptions | undefined;
  /** How long `close()` waits for in-flight handlers before aborting their signal. Default 10,000 ms. */
  readonly drainTimeoutMs?: number | undefined;
  /**
   * How long a send waits for the broker's confirmation before a retryable TIMEOUT (and the publish's signal
   * aborts). Deadlines are bucketed: the TIMEOUT comes up to a tenth later (at most 1 s), never earlier. Default 30,000 ms.
   */
  readonly sendTimeoutMs?: number | undefined;
  /** Most messages in one transport publish. Default 500. */
  readonly maxBatchSize?: number | undefined;
  /** Hooks around send and handle. More can be added with `bus.use()`. */
  readonly middleware?: readonly Middleware[] | undefined;
  /**
   * Receives errors that have no caller to reject — a failed ack or dead-letter publish, say. The message
   * is redelivered by the broker in these cases. Default: printed to stderr.
   */
  readonly onError?: ((error: MessagingError) => void) | undefined;
}

/** Receive options with every default applied. */
export interface ResolvedReceiveOptions {
  readonly concurrency: number;
  readonly prefetch: number;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly ackDeadlineMs: number;
  readonly deadLetter: string | false | undefined;
  readonly group: string | undefined;
  readonly startFrom: 'new' | 'earliest';
}

/** Validates and merges receive options over the bus defaults; throws INVALID_ARGUMENT. */
export function resolveReceiveOptions(
  options: SubscribeOptions | undefined,
  defaults: SubscribeOptions | undefined,
): ResolvedReceiveOptions {
  const merged = {
    ...defaults,
    ...options,
    backoff: { ...DEFAULT_BACKOFF, ...defaults?.backoff, ...options?.backoff },
  };
  const concurrency = checkInteger('concurrency', merged.concurrency, 1, 10_000) ?? 8;
  const deadLetter = merged.deadLetter;
  if (deadLetter !== undefined && deadLetter !== false) checkName('deadLetter', deadLetter);
  if (merged.group !== undefined) checkName('group', merged.group);
  if (merged.startFrom !== undefined && merged.startFrom !== 'new' && merged.startFrom !== 'earliest') {
    checkName('startFrom ("new" or "earliest")', '');
  }
  return {
    concurrency,
    prefetch: checkInteger('prefetch', merged.prefetch, 1, 100_000) ?? concurrency * 2,
    maxAttempts: checkInteger('maxAttempts', merged.maxAttempts, 1, 1000) ?? 5,
    backoff: {
      initialMs: checkNumber('backoff.initialMs', merged.backoff.initialMs, 0)!,
      maxMs: checkNumber('backoff.maxMs', merged.backoff.maxMs, 0)!,
      multiplier: checkNumber('backoff.multiplier', merged.backoff.multiplier, 1, 100)!,
      jitter: checkNumber('backoff.jitter', merged.backoff.jitter, 0, 1)!,
    },
    ackDeadlineMs: checkInteger('ackDeadlineMs', merged.ackDeadlineMs, 1) ?? 30_000,
    deadLetter,
    group: merged.group,
    startFrom: merged.startFrom ?? 'new',
  };
}
