/**
 * The closed set of error codes. Every failure Switchboard reports to a caller carries one of these.
 *
 * - `INVALID_ARGUMENT`: the caller passed something unusable (bad name, header, option, body). Not retryable.
 * - `NOT_FOUND`: a destination does not exist and the adapter does not create it on demand.
 * - `UNAVAILABLE`: the broker cannot be reached right now (connection refused, lost, outage). Retryable.
 * - `UNAUTHENTICATED`: the broker refused the credentials.
 * - `PERMISSION_DENIED`: the credentials lack a right the operation needs.
 * - `CONFLICT`: a destination exists with settings that conflict with the requested ones.
 * - `TIMEOUT`: an operation did not complete within its time limit. Retryable.
 * - `CLOSED`: the bus, transport or subscription was closed.
 * - `PAYLOAD_TOO_LARGE`: the encoded message exceeds what the broker accepts.
 * - `UNSUPPORTED`: the feature is not offered by this adapter (see its capabilities) or not installed.
 * - `DECODE_FAILED`: an incoming message could not be decoded or failed schema validation.
 * - `NO_RESPONDERS`: a request found nobody to answer it.
 * - `REMOTE_ERROR`: a responder's handler threw; the message carries the responder's error message.
 * - `CANCELLED`: the caller aborted the operation through an AbortSignal.
 * - `INTERNAL`: a bug or an unexpected broker answer; please report it.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'CONFLICT'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED'
  | 'DECODE_FAILED'
  | 'NO_RESPONDERS'
  | 'REMOTE_ERROR'
  | 'CANCELLED'
  | 'INTERNAL';

/** Every code, for exhaustive checks (conformance C49). */
export const ERROR_CODES: readonly ErrorCode[] = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'UNAVAILABLE',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'CONFLICT',
  'TIMEOUT',
  'CLOSED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED',
  'DECODE_FAILED',
  'NO_RESPONDERS',
  'REMOTE_ERROR',
  'CANCELLED',
  'INTERNAL',
];

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['UNAVAILABLE', 'TIMEOUT', 'NO_RESPONDERS']);

/** Options of a {@link MessagingError}. */
export interface MessagingErrorOptions {
  /** Whether the same call may succeed if repeated later. Defaults by code (UNAVAILABLE, TIMEOUT, NO_RESPONDERS). */
  retryable?: boolean;
  /** The native error this one maps, kept as-is for debugging. */
  cause?: unknown;
  /** The component that failed, e.g. `adapter-redis` or `bus`; prefixed to the message as `[component]`. */
  component?: string;
}

/**
 * The one error type Switchboard throws and rejects with.
 *
 * Its message names the component and, where there is one, the fix:
 * `[adapter-redis] cannot connect to redis://127.0.0.1:6390: connection refused — is Redis running?`.
 * Messages never contain credentials: URLs pass through {@link redactUrl} first.
 */
export class MessagingError extends Error {
  override readonly name = 'MessagingError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly component: string | undefined;

  constructor(code: ErrorCode, message: string, options: MessagingErrorOptions = {}) {
    super(options.component ? `[${options.component}] ${message}` : message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.component = options.component;
  }

  /** True when `error` is a MessagingError, optionally with the given code. */
  static is(error: unknown, code?: ErrorCode): error is MessagingError {
    return error instanceof MessagingError && (code === undefined || error.code === code);
  }
}

/**
 * Throw this from a handler when retrying cannot help (a malformed order, a business rule violation):
 * the message goes straight to the dead letter destination after one attempt.
 */
export class UnrecoverableError extends Error {
  override readonly name = 'UnrecoverableError';
}

/**
 * Returns `url` with any password (and token-like user info) replaced by `***`, for errors and logs.
 * Accepts comma-separated lists of URLs. Never throws: an unparsable URL is reduced to its scheme.
 */
export function redactUrl(url: string): string {
  return url
    .split(',')
    .map((part) => {
      const trimmed = part.trim();
      const match = /^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@(.*)$/i.exec(trimmed);
      if (!match) return trimmed;
      const [, scheme, userInfo = '', rest] = match;
      const colon = userInfo.indexOf(':');
      const user = colon === -1 ? '***' : `${userInfo.slice(0, colon)}:***`;
      return `${scheme}${user}@${rest}`;
    })
    .join(',');
}

/** Turns anything thrown into a readable message, never `[object Object]`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
