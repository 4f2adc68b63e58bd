/**
 * Reserved metadata travels in headers with one prefix, so that any broker that carries string headers
 * carries Switchboard's metadata, and a raw client can read and write it. See docs/wire-format.md.
 */

/** The reserved prefix. User headers may not start with it (compared case-insensitively). */
export const RESERVED_PREFIX = 'sb-';

/** Names of the reserved headers. */
export const H = {
  /** Message id. */
  id: 'sb-id',
  /** Milliseconds since the epoch when the message was first sent, decimal. */
  timestamp: 'sb-ts',
  /** Content type of the body: `application/json` (default), `application/octet-stream`, `text/plain`, … */
  contentType: 'sb-content-type',
  /** Correlation id (request/reply, or set by the sender). */
  correlationId: 'sb-correlation-id',
  /** Address of the requester's inbox. */
  replyTo: 'sb-reply-to',
  /** Attempt number carried by a re-published copy, decimal, 1 when absent. */
  attempt: 'sb-attempt',
  /** Name of the typed message definition the body was sent as. */
  type: 'sb-type',
  /** The message key, where the broker has no native key field. */
  key: 'sb-key',
  /** Reply status: `ok` or `error`. */
  replyStatus: 'sb-reply-status',
  /** Dead letters and error replies: the error's message. */
  error: 'sb-error',
  /** Dead letters and error replies: the error's code (a MessagingError code, or `HANDLER_ERROR`). */
  errorCode: 'sb-error-code',
  /** Dead letters: how many times the handler ran. */
  attempts: 'sb-attempts',
  /** Dead letters: the destination the message was consumed from. */
  originalDestination: 'sb-original-destination',
  /** Dead letters: the group the message was consumed in, if any. */
  originalGroup: 'sb-original-group',
  /** Dead letters: when it was dead-lettered, ms since the epoch. */
  deadLetteredAt: 'sb-dead-lettered-at',
} as const;

/** True when `name` uses the reserved prefix. */
export function isReservedHeader(name: string): boolean {
  if (name.length < 3) return false;
  const s = name.charCodeAt(0) | 0x20;
  const b = name.charCodeAt(1) | 0x20;
  return s === 0x73 && b === 0x62 && name.charCodeAt(2) === 0x2d;
}

/** Splits a wire header map into the user's headers (reserved ones removed). */
export function userHeadersOf(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let user: Record<string, string> | undefined;
  for (const name in headers) {
    if (!isReservedHeader(name)) {
      user ??= {};
      user[name] = headers[name] as string;
    }
  }
  return user ?? NO_HEADERS;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The suffix of the dead-letter destination: messages from `orders` go to the queue `orders.dead-letter`. */
export const DEAD_LETTER_SUFFIX = '.dead-letter';

/** The default dead-letter queue of a destination. */
export function deadLetterQueueOf(destination: string): string {
  return `${destination}${DEAD_LETTER_SUFFIX}`;
}
