import type { CodecSet } from '../codec/codec.js';
import { MessagingError } from '../errors.js';
import type { SendOptions } from '../message.js';
import type { Capabilities } from '../transport/capabilities.js';
import type { WireMessage } from '../transport/contract.js';
import { newMessageId } from '../util/ids.js';
import { H } from '../wire/reserved-headers.js';
import { checkHeaders, checkInteger, checkString } from './validation.js';

/** The `sb-ts` value of the last millisecond a message was built in, kept: sends come thousands per ms. */
let lastMs = 0;
let lastTimestamp = '0';

/** Now as the `sb-ts` header value (ms since the epoch, decimal). */
function timestampNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTimestamp = String(now);
  }
  return lastTimestamp;
}

/** Extra reserved headers the bus itself sets (reply-to, type, reply status). */
export type ReservedExtras = Record<string, string>;

/**
 * Builds the wire message for one send: validates options against the transport's capabilities,
 * encodes the body and writes the reserved headers. Throws INVALID_ARGUMENT, UNSUPPORTED or
 * PAYLOAD_TOO_LARGE before anything is sent.
 */
export function buildWireMessage(
  body: unknown,
  options: SendOptions | undefined,
  codecs: CodecSet,
  capabilities: Capabilities,
  component: string,
  extras?: ReservedExtras,
): WireMessage {
  const codec = codecs.codecFor(body);
  const bytes = codecs.encodeWith(codec, body);
  const contentType = codec.contentType;
  if (bytes.length > capabilities.maxPayloadBytes) {
    throw new MessagingError(
      'PAYLOAD_TOO_LARGE',
      `the encoded body has ${bytes.length} bytes, more than the ${capabilities.maxPayloadBytes} bytes ${component} accepts — store large data elsewhere and send a reference`,
      { component: 'bus' },
    );
  }
  if (options === undefined) {
    // The common case: no options to validate.
    const id = newMessageId();
    // Literal keys (H.id, H.timestamp) keep this a fast-properties object.
    const headers: Record<string, string> = { 'sb-id': id, 'sb-ts': timestampNow() };
    if (contentType !== 'application/json') headers[H.contentType] = contentType;
    if (extras) Object.assign(headers, extras);
    return { id, body: bytes, headers };
  }
  const userHeaders = checkHeaders(options.headers);
  const id = checkString('id', options.id) ?? newMessageId();
  // Reserved headers first, with literal keys (a fast-properties object), then the user's.
  const headers: Record<string, string> = { 'sb-id': id, 'sb-ts': timestampNow() };
  if (contentType !== 'application/json') headers[H.contentType] = contentType;
  const correlationId = checkString('correlationId', options.correlationId);
  if (correlationId !== undefined) headers[H.correlationId] = correlationId;
  if (options.headers) Object.assign(headers, userHeaders);
  const key = checkString('key', options.key);
  if (extras) Object.assign(headers, extras);
  return {
    id,
    body: bytes,
    headers,
    key,
    delayMs: gated('delayMs', checkInteger('delayMs', options.delayMs, 0), capabilities.delay, component),
    ttlMs: gated('ttlMs', checkInteger('ttlMs', options.ttlMs, 1), capabilities.ttl, component),
    dedupeId: gated('dedupeId', checkString('dedupeId', options.dedupeId), capabilities.dedupe, component),
    priority: gated(
      'priority',
      checkInteger('priority', options.priority, 0, 9),
      capabilities.priority,
      component,
    ),
  };
}

function gated<V>(
  option: string,
  value: V | undefined,
  supported: boolean,
  component: string,
): V | undefined {
  if (value === undefined || supported) return value;
  if (option === 'delayMs' && value === 0) return undefined;
  throw new MessagingError(
    'UNSUPPORTED',
    `the option ${option} is not supported by ${component} — see its capabilities, or leave the option out`,
    { component: 'bus' },
  );
}
