import type { CodecSet } from '../codec/codec.js';
import { describeError, MessagingError } from '../errors.js';
import type { Handler, HandlerContext, Message } from '../message.js';
import type { MessageDefinition } from '../schema.js';
import { validateWith } from '../schema.js';
import type { Delivery } from '../transport/contract.js';
import { RESOLVED } from '../util/defer.js';
import { deadLetter, type FailureEnv, type FailurePolicy, settleFailure } from './failure-policy.js';
import { attemptOf, decodeDelivery } from './incoming.js';
import { composeHandle, type Middleware } from './middleware.js';

/** Everything one receiver needs to turn deliveries into handler calls and settlements. */
export interface ProcessorConfig extends FailureEnv {
  readonly codecs: CodecSet;
  readonly definition: MessageDefinition<unknown> | undefined;
  readonly middleware: readonly Middleware[];
  readonly policy: FailurePolicy;
  readonly handler: Handler<unknown, unknown>;
  readonly context: HandlerContext;
  /**
   * Responders: called with the handler's result or error for a message that has a reply-to address.
   * Such a message is acked after the reply is sent and never retried.
   */
  readonly respond?:
    | ((message: Message<unknown>, outcome: { result?: unknown; error?: unknown }) => Promise<void>)
    | undefined;
  /** Reports a failed ack; built once per receiver by {@link ackFailureReporter} (hot path: no closure per message). */
  readonly ackFailed?: ((error: unknown) => void) | undefined;
}

/** The function that reports a failed ack of a message from `config`'s source. */
export function ackFailureReporter(
  config: Pick<ProcessorConfig, 'policy' | 'report'>,
): (error: unknown) => void {
  return (error) =>
    config.report(
      new MessagingError(
        'UNAVAILABLE',
        `could not ack a message from ${config.policy.source.name}; it will be redelivered`,
        {
          component: 'bus',
          cause: error,
        },
      ),
    );
}

/** Decodes a delivery into a message, validating typed bodies; throws DECODE_FAILED. */
export function toMessage(
  delivery: Delivery,
  config: Pick<ProcessorConfig, 'codecs' | 'definition' | 'policy'>,
): Message<unknown> | Promise<Message<unknown>> {
  if (delivery.invalid !== undefined) {
    throw new MessagingError('DECODE_FAILED', `not a Switchboard message: ${delivery.invalid}`, {
      component: 'bus',
    });
  }
  const message = decodeDelivery(delivery, config.policy.source.name, config.codecs);
  if (!config.definition) return message;
  return validateWith(config.definition, message.body, 'DECODE_FAILED').then((body) => ({
    ...message,
    body,
  }));
}

/**
 * Handles one delivery end to end: decode (undecodable → dead letter with DECODE_FAILED), run the handler
 * through the middleware, ack on success, apply the failure policy on error. Never rejects. Written without
 * `async` so that a synchronous handler costs no extra promise turns on this hot path.
 */
export function processDelivery(delivery: Delivery, config: ProcessorConfig): Promise<void> {
  let decoded: Message<unknown> | Promise<Message<unknown>>;
  try {
    decoded = toMessage(delivery, config);
  } catch (error) {
    return deadLetterUndecodable(delivery, error, config);
  }
  if (decoded instanceof Promise) {
    return decoded.then(
      (message) => runHandler(delivery, message, config),
      (error: unknown) => deadLetterUndecodable(delivery, error, config),
    );
  }
  return runHandler(delivery, decoded, config);
}

function runHandler(delivery: Delivery, message: Message<unknown>, config: ProcessorConfig): Promise<void> {
  let result: unknown;
  try {
    result =
      config.middleware.length === 0
        ? config.handler(message, config.context)
        : composeHandle(config.middleware, message, config.context, async () =>
            config.handler(message, config.context),
          );
  } catch (error) {
    return afterFailure(delivery, message, error, config);
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => afterSuccess(delivery, message, value, config),
      (error: unknown) => afterFailure(delivery, message, error, config),
    );
  }
  return afterSuccess(delivery, message, result, config);
}

function afterSuccess(
  delivery: Delivery,
  message: Message<unknown>,
  result: unknown,
  config: ProcessorConfig,
): Promise<void> {
  if (config.respond && message.replyTo !== undefined)
    return settleReply(delivery, message, { result }, config);
  const acked = delivery.ack();
  // The memory broker acks synchronously and returns the shared settled promise: nothing can fail.
  if (acked === RESOLVED) return acked;
  return acked.then(undefined, config.ackFailed ?? ackFailureReporter(config));
}

function afterFailure(
  delivery: Delivery,
  message: Message<unknown>,
  error: unknown,
  config: ProcessorConfig,
): Promise<void> {
  if (config.respond && message.replyTo !== undefined)
    return settleReply(delivery, message, { error }, config);
  return settleFailure(delivery, error, config.policy, config);
}

function deadLetterUndecodable(delivery: Delivery, error: unknown, config: ProcessorConfig): Promise<void> {
  return deadLetter(delivery, error, attemptOf(delivery), config.policy, config).catch((dlError: unknown) =>
    config.report(
      new MessagingError(
        'UNAVAILABLE',
        `could not dead-letter an undecodable message: ${describeError(dlError)}`,
        {
          component: 'bus',
          cause: dlError,
        },
      ),
    ),
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

async function settleReply(
  delivery: Delivery,
  message: Message<unknown>,
  outcome: { result?: unknown; error?: unknown },
  config: ProcessorConfig,
): Promise<void> {
  try {
    await config.respond!(message, outcome);
    await delivery.ack();
  } catch (error) {
    await settleFailure(delivery, error, config.policy, config);
  }
}
