import { describeError, type ErrorCode, MessagingError, redactUrl } from '@switchboard/core';

/** The component name in every error of this adapter. */
export const COMPONENT = 'adapter-kafka';

interface Row {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** What the user can do about it, appended after an em dash. */
  readonly fix: string;
}

/**
 * THE table: kafkajs error class names and Kafka protocol error types → MessagingError codes.
 * Looked up by protocol `type` first (the most precise), then by class name; anything else is `UNAVAILABLE`
 * when kafkajs calls it retriable and `INTERNAL` otherwise.
 */
const TABLE: Readonly<Record<string, Row>> = {
  MESSAGE_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    retryable: false,
    fix: "lower maxPayloadBytes below the broker's message.max.bytes",
  },
  RECORD_LIST_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    retryable: false,
    fix: 'send fewer or smaller messages at once',
  },
  INVALID_TOPIC_EXCEPTION: {
    code: 'INVALID_ARGUMENT',
    retryable: false,
    fix: 'use letters, digits, ".", "_" and "-" only',
  },
  TOPIC_AUTHORIZATION_FAILED: {
    code: 'PERMISSION_DENIED',
    retryable: false,
    fix: 'grant the user access to the topic',
  },
  GROUP_AUTHORIZATION_FAILED: {
    code: 'PERMISSION_DENIED',
    retryable: false,
    fix: 'grant the user access to the consumer group',
  },
  CLUSTER_AUTHORIZATION_FAILED: {
    code: 'PERMISSION_DENIED',
    retryable: false,
    fix: 'grant the user the cluster right (idempotent producer, topic creation)',
  },
  SASL_AUTHENTICATION_FAILED: {
    code: 'UNAUTHENTICATED',
    retryable: false,
    fix: 'check the SASL user, password and mechanism',
  },
  ILLEGAL_SASL_STATE: {
    code: 'UNAUTHENTICATED',
    retryable: false,
    fix: 'the listener does not speak SASL — drop the credentials or use the SASL listener',
  },
  UNSUPPORTED_SASL_MECHANISM: {
    code: 'UNAUTHENTICATED',
    retryable: false,
    fix: 'the broker does not enable this SASL mechanism — pick one from its sasl.enabled.mechanisms',
  },
  KafkaJSSASLAuthenticationError: {
    code: 'UNAUTHENTICATED',
    retryable: false,
    fix: 'check the SASL user, password and mechanism',
  },
  OUT_OF_ORDER_SEQUENCE_NUMBER: {
    code: 'UNAVAILABLE',
    retryable: true,
    fix: 'the idempotent producer lost its sequence (broker restart?) — retry the send',
  },
  UNKNOWN_TOPIC_OR_PARTITION: {
    code: 'NOT_FOUND',
    retryable: true,
    fix: 'the topic does not exist (yet)',
  },
  TOPIC_ALREADY_EXISTS: {
    code: 'CONFLICT',
    retryable: false,
    fix: 'the topic exists already',
  },
  KafkaJSConnectionError: {
    code: 'UNAVAILABLE',
    retryable: true,
    fix: 'is Kafka running and the listener reachable?',
  },
  KafkaJSConnectionClosedError: {
    code: 'UNAVAILABLE',
    retryable: true,
    fix: 'the broker closed the connection; it is retried',
  },
  KafkaJSNoBrokerAvailableError: {
    code: 'UNAVAILABLE',
    retryable: true,
    fix: 'is Kafka running and the listener reachable?',
  },
  KafkaJSBrokerNotFound: { code: 'UNAVAILABLE', retryable: true, fix: 'is Kafka running?' },
  KafkaJSRequestTimeoutError: { code: 'TIMEOUT', retryable: true, fix: 'the broker is slow or unreachable' },
  KafkaJSTimeout: { code: 'TIMEOUT', retryable: true, fix: 'the broker is slow or unreachable' },
  KafkaJSLockTimeout: { code: 'TIMEOUT', retryable: true, fix: 'the broker is slow or unreachable' },
};

/** Protocol type or class name of a kafkajs error, unwrapping "retries exceeded" and aggregate errors. */
function nativeKind(error: unknown): { kind: string | undefined; retriable: boolean; inner: unknown } {
  let current = error as { name?: string; type?: string; retriable?: boolean; originalError?: unknown };
  for (let depth = 0; depth < 4 && current; depth++) {
    const wrapped = (current as { cause?: unknown }).cause ?? current.originalError;
    const wrapper =
      current.name === 'KafkaJSNumberOfRetriesExceeded' || current.name === 'KafkaJSNonRetriableError';
    if (wrapper && wrapped && typeof wrapped === 'object') {
      current = wrapped as typeof current;
      continue;
    }
    const errors = (current as { errors?: unknown[] }).errors;
    if (current.name === 'KafkaJSAggregateError' && Array.isArray(errors) && errors.length > 0) {
      current = errors[0] as typeof current;
      continue;
    }
    break;
  }
  let kind = current?.type && TABLE[current.type] ? current.type : current?.name;
  // kafkajs sometimes rewraps a lost connection as a plain KafkaJSNonRetriableError without a cause.
  if (
    kind === 'KafkaJSNonRetriableError' &&
    /Connection error|ECONNREFUSED|ECONNRESET/.test(String((current as Error).message))
  ) {
    kind = 'KafkaJSConnectionError';
  }
  return { kind, retriable: current?.retriable === true, inner: current };
}

/**
 * Maps anything kafkajs threw to a MessagingError with the adapter's name, what was being done
 * (`doing`, e.g. `cannot publish to orders`), the fix and the native error as `cause`. URLs and broker lists
 * in `doing` must already be redacted; credentials are never part of kafkajs messages.
 */
export function toMessagingError(error: unknown, doing: string): MessagingError {
  if (error instanceof MessagingError) return error;
  const { kind, retriable, inner } = nativeKind(error);
  const row = kind === undefined ? undefined : TABLE[kind];
  const code: ErrorCode = row?.code ?? (retriable ? 'UNAVAILABLE' : 'INTERNAL');
  const detail = describeError(inner ?? error);
  const fix = row?.fix ?? (retriable ? 'the broker is unreachable or busy; retry later' : 'please report it');
  return new MessagingError(code, `${doing}: ${detail} — ${fix}`, {
    component: COMPONENT,
    retryable: row?.retryable ?? retriable,
    cause: error,
  });
}

/** The broker list of a transport for messages, credentials removed. */
export function describeBrokers(brokers: readonly string[]): string {
  return redactUrl(`kafka://${brokers.join(',')}`);
}

/** A CLOSED error for calls after close(). */
export function closedError(): MessagingError {
  return new MessagingError('CLOSED', 'the Kafka transport is closed — create a new one', {
    component: COMPONENT,
  });
}
