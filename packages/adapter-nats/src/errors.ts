/**
 * The one table that maps NATS and JetStream errors to MessagingError codes. Every error the adapter
 * reports passes through {@link mapError}: it names the adapter, keeps the native error as `cause`, says
 * how to fix it, and never prints credentials (URLs go through `redactUrl`).
 */
import { type ErrorCode, MessagingError, redactUrl } from '@switchboard/core';

export const COMPONENT = 'adapter-nats';

interface Rule {
  /** True when the rule applies to the native error (matched by class name, API error code or message). */
  readonly test: (error: NativeError) => boolean;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** What to tell the user; `what` is the operation, e.g. "publish to orders". */
  readonly explain: (what: string, error: NativeError) => string;
}

interface NativeError {
  readonly name: string;
  readonly message: string;
  /** JetStream API error code (`err_code`), when the server answered with one. */
  readonly apiCode: number | undefined;
}

const RULES: readonly Rule[] = [
  {
    test: (e) => e.name === 'AuthorizationError' || /authorization violation|authentication/i.test(e.message),
    code: 'UNAUTHENTICATED',
    retryable: false,
    explain: (what) =>
      `${what}: the server refused the credentials — check user/password, token, nkey or creds file`,
  },
  {
    test: (e) => e.name === 'PermissionViolationError' || /permissions violation/i.test(e.message),
    code: 'PERMISSION_DENIED',
    retryable: false,
    explain: (what, e) => `${what}: ${e.message} — grant the user publish/subscribe rights on the subject`,
  },
  {
    test: (e) => /max_payload|maximum payload/i.test(e.message),
    code: 'PAYLOAD_TOO_LARGE',
    retryable: false,
    explain: (what) =>
      `${what}: body plus headers exceed the server's max_payload — send a reference to large data`,
  },
  {
    test: (e) =>
      e.name === 'JetStreamNotEnabled' || e.apiCode === 10039 || /jetstream not enabled/i.test(e.message),
    code: 'UNSUPPORTED',
    retryable: false,
    explain: (what) => `${what}: JetStream is not enabled — start nats-server with -js, or use ?mode=core`,
  },
  {
    test: (e) => e.apiCode === 10058 || e.apiCode === 10065 || /already in use|overlap/i.test(e.message),
    code: 'CONFLICT',
    retryable: false,
    explain: (what, e) =>
      `${what}: ${e.message} — a stream exists with other settings; delete it or use another prefix`,
  },
  {
    test: (e) => e.apiCode === 10059 || e.apiCode === 10014 || /not found/i.test(e.message),
    code: 'NOT_FOUND',
    retryable: false,
    explain: (what, e) => `${what}: ${e.message}`,
  },
  {
    test: (e) => e.name === 'NoRespondersError' || /no responders/i.test(e.message),
    code: 'NO_RESPONDERS',
    retryable: true,
    explain: (what) => `${what}: nobody is listening — is a responder (or JetStream stream) running?`,
  },
  {
    test: (e) =>
      e.name === 'InvalidSubjectError' || e.name === 'InvalidArgumentError' || e.name === 'InvalidNameError',
    code: 'INVALID_ARGUMENT',
    retryable: false,
    explain: (what, e) => `${what}: ${e.message}`,
  },
  {
    test: (e) => e.name === 'TimeoutError' || /timeout|timed out/i.test(e.message),
    code: 'TIMEOUT',
    retryable: true,
    explain: (what) => `${what}: the server did not answer in time — is it overloaded or unreachable?`,
  },
  {
    test: (e) =>
      ['ConnectionError', 'ClosedConnectionError', 'DrainingConnectionError'].includes(e.name) ||
      /ECONNREFUSED|ECONNRESET|connection|insufficient resources|disconnect/i.test(e.message),
    code: 'UNAVAILABLE',
    retryable: true,
    explain: (what, e) => `${what}: ${e.message} — is nats-server running and reachable?`,
  },
];

function nativeOf(error: unknown): NativeError {
  const e = error as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    apiError?: () => { err_code?: number };
  };
  let apiCode: number | undefined;
  if (typeof e?.apiError === 'function') apiCode = e.apiError().err_code;
  return {
    name: typeof e?.name === 'string' ? e.name : typeof error,
    message: typeof e?.message === 'string' ? e.message : String(error),
    apiCode,
  };
}

/**
 * Maps a native error (or passes a MessagingError through) to a MessagingError. `what` names the operation
 * (`publish to orders`, `connect to nats://…`) and must already be free of credentials.
 */
export function mapError(error: unknown, what: string): MessagingError {
  if (error instanceof MessagingError) return error;
  const native = nativeOf(error);
  const rule = RULES.find((r) => r.test(native));
  const code = rule?.code ?? 'INTERNAL';
  const message = rule
    ? rule.explain(what, native)
    : `${what}: unexpected error ${native.name}: ${native.message}`;
  return new MessagingError(code, scrub(message), {
    component: COMPONENT,
    retryable: rule?.retryable ?? false,
    cause: error,
  });
}

/** Removes anything URL-like with credentials from a message. */
function scrub(message: string): string {
  return message.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s,]*@[^\s,]*/gi, (url) => redactUrl(url));
}

/** A MessagingError of this adapter. */
export function natsError(
  code: ErrorCode,
  message: string,
  retryable?: boolean,
  cause?: unknown,
): MessagingError {
  return new MessagingError(code, message, {
    component: COMPONENT,
    ...(retryable === undefined ? {} : { retryable }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The retryable UNAVAILABLE of a send that could not reach the server while the connection was down. */
export function outage(what: string): MessagingError {
  return natsError(
    'UNAVAILABLE',
    `${what}: the connection to NATS is down and did not come back in time — the send was not written; retry later`,
    true,
  );
}

/**
 * Reports an error that has no caller to reject (a subscription the client closed with an error) on stderr,
 * mapped like every other (code, fix, no credentials).
 */
export function reportError(error: unknown, what: string): void {
  const mapped = mapError(error, what);
  console.error(`${mapped.code}${mapped.retryable ? ' (retryable)' : ''}: ${mapped.message}`);
}
