import { describeError, type ErrorCode, MessagingError, redactUrl } from '@switchboard/core';

/** The component name every error of this adapter carries. */
export const COMPONENT = 'adapter-rabbitmq';

interface Rule {
  /** Whether the native error matches (AMQP reply code, Node socket code or message). */
  readonly match: (code: unknown, message: string) => boolean;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** What to tell the user after the context; may use the redacted URL and the user name. */
  readonly hint: (detail: { url: string; user: string; message: string }) => string;
}

const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
]);

/**
 * The one table mapping native errors (AMQP channel/connection close codes, socket errors, amqplib
 * errors) to MessagingError codes. The first matching rule wins; anything unmatched is INTERNAL.
 */
const RULES: readonly Rule[] = [
  {
    match: (_c, m) =>
      /ACCESS_REFUSED - Login was refused|ACCESS-REFUSED.*login|403 \(ACCESS-REFUSED\).*Login/i.test(m),
    code: 'UNAUTHENTICATED',
    retryable: false,
    hint: ({ url, user }) =>
      `RabbitMQ at ${url} refused the credentials of user "${user}" — check user and password`,
  },
  {
    match: (c, m) => c === 403 || /ACCESS.REFUSED/i.test(m),
    code: 'PERMISSION_DENIED',
    retryable: false,
    hint: ({ user, message }) =>
      `user "${user}" lacks a permission: ${message} — grant it with rabbitmqctl set_permissions`,
  },
  {
    match: (c, m) => c === 530 || /NOT_ALLOWED.*vhost|vhost .* not found/i.test(m),
    code: 'PERMISSION_DENIED',
    retryable: false,
    hint: ({ url, message }) => `the virtual host of ${url} is not accessible: ${message}`,
  },
  {
    match: (c, m) => c === 406 || /PRECONDITION.FAILED/i.test(m),
    code: 'CONFLICT',
    retryable: false,
    hint: ({ message }) =>
      `a queue or exchange exists with other settings: ${message} — delete it, use another name, or match queueType`,
  },
  {
    match: (c, m) => c === 404 || /NOT.FOUND/i.test(m),
    code: 'NOT_FOUND',
    retryable: false,
    hint: ({ message }) => `RabbitMQ has no such queue or exchange: ${message}`,
  },
  {
    match: (c) => c === 311,
    code: 'PAYLOAD_TOO_LARGE',
    retryable: false,
    hint: ({ message }) =>
      `RabbitMQ refused the message size: ${message} — raise max_message_size or send less`,
  },
  {
    match: (_c, m) => /nack/i.test(m),
    code: 'UNAVAILABLE',
    retryable: true,
    hint: () =>
      'RabbitMQ refused to take the message (publisher nack) — the queue may be unavailable or full; retry',
  },
  {
    match: (c, m) => c === 'ETIMEDOUT' || /timed? ?out/i.test(m),
    code: 'UNAVAILABLE',
    retryable: true,
    hint: ({ url }) => `no answer from RabbitMQ at ${url} in time — is it running and reachable?`,
  },
  {
    match: (c, m) =>
      socketCodes.has(String(c)) ||
      c === 320 ||
      c === 541 ||
      /closed|ended|ECONNREFUSED|socket|heartbeat/i.test(m),
    code: 'UNAVAILABLE',
    retryable: true,
    hint: ({ url, message }) => `cannot reach RabbitMQ at ${url}: ${message} — is it running?`,
  },
];

/** Context of a mapped error: what was being done, and against which URL (redacted here). */
export interface ErrorContext {
  readonly action: string;
  readonly url?: string | undefined;
}

/** Maps any native error to a MessagingError; MessagingErrors pass through unchanged. */
export function mapError(error: unknown, context: ErrorContext): MessagingError {
  if (error instanceof MessagingError) return error;
  const native = error as { code?: unknown; message?: unknown } | undefined;
  const code = native?.code;
  const message = describeError(error);
  const url = context.url ? redactUrl(context.url) : 'the broker';
  const user = context.url ? userOf(context.url) : 'unknown';
  const scrubbed = context.url ? message.split(context.url).join(url) : message;
  const rule = RULES.find((r) => r.match(code, scrubbed));
  if (!rule) {
    return new MessagingError('INTERNAL', `${context.action} failed: ${scrubbed}`, {
      component: COMPONENT,
      cause: error,
      retryable: false,
    });
  }
  return new MessagingError(
    rule.code,
    `${context.action} failed: ${rule.hint({ url, user, message: scrubbed })}`,
    {
      component: COMPONENT,
      cause: error,
      retryable: rule.retryable,
    },
  );
}

/** The user name of an AMQP URL (`guest` when none is given, as amqplib assumes). */
export function userOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || 'guest';
  } catch {
    return 'unknown';
  }
}

/** The retryable UNAVAILABLE error of an operation that waited for a lost connection and gave up. */
export function unavailable(action: string, detail: string): MessagingError {
  return new MessagingError('UNAVAILABLE', `${action} failed: ${detail}`, {
    component: COMPONENT,
    retryable: true,
  });
}

/** The CLOSED error of an operation after `close()`. */
export function closedError(action: string): MessagingError {
  return new MessagingError(
    'CLOSED',
    `${action} failed: the RabbitMQ transport is closed — create a new one`,
    {
      component: COMPONENT,
    },
  );
}
