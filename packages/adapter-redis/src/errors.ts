import { describeError, type ErrorCode, MessagingError } from '@switchboard/core';

/** Where a failure happened, for the error message. Never carries credentials. */
export interface ErrorContext {
  /** What the adapter was doing, e.g. `publish to queue orders`. */
  readonly action: string;
  /** The Redis key involved, if any. */
  readonly key?: string | undefined;
  /** The server URL(s), already redacted. */
  readonly url: string;
}

interface Rule {
  /** Matches the native error's message prefix (Redis reply errors) or its `code` / `name`. */
  readonly match: RegExp;
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** The explanation and fix appended to the message. */
  readonly fix: (context: ErrorContext) => string;
}

/**
 * The one table mapping native errors (Redis reply errors, socket errors, ioredis client errors) to
 * MessagingError codes. The first matching rule wins; anything else is INTERNAL.
 */
const RULES: readonly Rule[] = [
  {
    // Inside a script (sends) Redis 6.2 prefixes the error with the script's name: `…: WRONGTYPE …`.
    match: /^WRONGTYPE|: WRONGTYPE /,
    code: 'CONFLICT',
    retryable: false,
    fix: (c) =>
      `the key ${c.key ?? '(unknown)'} exists with a type other than stream — delete or rename it, or choose another keyPrefix`,
  },
  {
    match: /^(NOAUTH|WRONGPASS|ERR AUTH|ERR invalid password|ERR Client sent AUTH)/,
    code: 'UNAUTHENTICATED',
    retryable: false,
    fix: () => 'Redis refused the credentials — check username and password in the URL or options',
  },
  {
    // Redis 7 gives new ACL users no Pub/Sub channels (acl-pubsub-default resetchannels).
    match: /^NOPERM.*channel/,
    code: 'PERMISSION_DENIED',
    retryable: false,
    fix: (c) =>
      `the Redis user may not use the Pub/Sub channel ${c.key ?? '(unknown)'} that request/reply needs — grant the reply channels in the ACL: ACL SETUSER <user> &sb:reply:* (with your keyPrefix)`,
  },
  {
    match: /^NOPERM|: NOPERM /,
    code: 'PERMISSION_DENIED',
    retryable: false,
    fix: (c) => `the Redis user may not run this command on ${c.key ?? 'this key'} — grant it in the ACL`,
  },
  {
    match: /^(OOM|MISCONF)|: (OOM|MISCONF) /,
    code: 'UNAVAILABLE',
    retryable: true,
    fix: () =>
      'Redis cannot accept writes (out of memory or failing to persist) — free memory or fix persistence',
  },
  {
    match: /^(LOADING|BUSY |READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN)/,
    code: 'UNAVAILABLE',
    retryable: true,
    fix: () => 'Redis is not ready to serve (loading, failover or cluster down) — retry shortly',
  },
  {
    match:
      /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|MaxRetriesPerRequestError|ClusterAllFailedError)$|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Command timed out|Failed to refresh slots cache|None of startup nodes is available/,
    code: 'UNAVAILABLE',
    retryable: true,
    fix: (c) => `cannot reach Redis at ${c.url} — is it running and reachable?`,
  },
  {
    match: /^(ERR syntax|ERR wrong number|ERR Invalid stream ID|ERR The ID specified)/,
    code: 'INTERNAL',
    retryable: false,
    fix: () => 'Redis rejected a command the adapter built — please report this as a bug',
  },
];

function signatureOf(error: unknown): string[] {
  if (!(error instanceof Error)) return [describeError(error)];
  const code = (error as { code?: unknown }).code;
  return [error.message, error.name, typeof code === 'string' ? code : ''];
}

/** Maps any native error to a MessagingError naming the adapter, the action and the fix; keeps it as `cause`. */
export function mapError(error: unknown, context: ErrorContext): MessagingError {
  if (error instanceof MessagingError) return error;
  const signature = signatureOf(error);
  const rule = RULES.find((r) => signature.some((s) => s !== '' && r.match.test(s)));
  const native = describeError(error).split('\n')[0];
  const fix = rule ? rule.fix(context) : 'an unexpected Redis error — please report it';
  return new MessagingError(rule?.code ?? 'INTERNAL', `${context.action} failed: ${native} — ${fix}`, {
    component: 'adapter-redis',
    retryable: rule?.retryable ?? false,
    cause: error,
  });
}

/** The error for any call after `close()`. */
export function closedError(what: string): MessagingError {
  return new MessagingError('CLOSED', `the Redis transport is closed (${what}) — create a new one`, {
    component: 'adapter-redis',
  });
}

/** The error for waiting on a lost connection until the caller's signal fired. */
export function unavailable(context: ErrorContext, cause?: unknown): MessagingError {
  return new MessagingError(
    'UNAVAILABLE',
    `${context.action} failed: Redis at ${context.url} is not connected — is it running and reachable?`,
    { component: 'adapter-redis', retryable: true, cause },
  );
}
