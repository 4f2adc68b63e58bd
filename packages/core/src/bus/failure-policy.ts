import { describeError, MessagingError, UnrecoverableError } from '../errors.js';
import type { Delivery, Destination, Transport } from '../transport/contract.js';
import { H } from '../wire/reserved-headers.js';
import { type Backoff, backoffDelay } from './backoff.js';
import { attemptOf } from './incoming.js';
import { sleep } from './sleep.js';

/** What the bus does with a message whose handling failed. */
export interface FailurePolicy {
  readonly source: Destination;
  readonly group: string | undefined;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  /** Dead-letter queue name, or false to drop after the last attempt. */
  readonly deadLetter: string | false;
}

/** The bus-side collaborators the policy needs. */
export interface FailureEnv {
  readonly transport: Transport;
  /** Aborted when the receiver closes: emulated retry delays end early (the message is nacked at once). */
  readonly signal: AbortSignal;
  /** Reports errors that have no caller to reject (a failed ack, a failed dead-letter publish). */
  readonly report: (error: MessagingError) => void;
}

/** True when retrying cannot help: an UnrecoverableError, or a body that cannot be decoded. */
export function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || MessagingError.is(error, 'DECODE_FAILED');
}

/**
 * Settles a failed delivery: retry with backoff (nack with delay where the transport supports it,
 * else the bus waits and nacks), or — after `maxAttempts` handler calls or for an unrecoverable error —
 * dead-letter it with error headers and ack the original. Never throws; failures are reported.
 */
export async function settleFailure(
  delivery: Delivery,
  error: unknown,
  policy: FailurePolicy,
  env: FailureEnv,
) {
  const attempt = attemptOf(delivery);
  try {
    if (isUnrecoverable(error) || attempt >= policy.maxAttempts) {
      await deadLetter(delivery, error, attempt, policy, env);
      return;
    }
    const delayMs = backoffDelay(policy.backoff, attempt + 1);
    const headers = { ...delivery.headers, [H.attempt]: String(attempt + 1) };
    if (env.transport.capabilities.nackDelay || delayMs === 0) {
      await delivery.nack({ delayMs, headers });
    } else {
      await sleep(delayMs, env.signal);
      await delivery.nack({ delayMs: 0, headers });
    }
  } catch (settleError) {
    env.report(
      new MessagingError(
        'UNAVAILABLE',
        `could not settle a failed message from ${policy.source.name}; the broker will redeliver it: ${describeError(settleError)}`,
        { component: 'bus', cause: settleError },
      ),
    );
  }
}

/** Publishes a copy with error headers to the dead-letter queue, then acks the original. */
export async function deadLetter(
  delivery: Delivery,
  error: unknown,
  attempts: number,
  policy: FailurePolicy,
  env: FailureEnv,
): Promise<void> {
  if (policy.deadLetter !== false) {
    const headers: Record<string, string> = { ...delivery.headers };
    delete headers[H.attempt];
    headers[H.error] = describeError(error).slice(0, 1000);
    headers[H.errorCode] = MessagingError.is(error) ? error.code : 'HANDLER_ERROR';
    headers[H.attempts] = String(attempts);
    headers[H.originalDestination] = policy.source.name;
    if (policy.group !== undefined) headers[H.originalGroup] = policy.group;
    headers[H.deadLetteredAt] = String(Date.now());
    if (delivery.key !== undefined) headers[H.key] = delivery.key;
    const id = delivery.headers[H.id] ?? '';
    await env.transport.publish({ kind: 'queue', name: policy.deadLetter }, [
      { id, body: delivery.body, headers, key: delivery.key },
    ]);
  }
  await delivery.ack();
}
