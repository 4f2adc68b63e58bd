import { ReservedHeaders as H, type WireMessage } from '@switchboard/core';
import type { ConsumeMessage } from 'amqplib';
import type { PublishProperties } from './frame-encoder.js';

/**
 * Where a Switchboard message lives in an AMQP message (see docs/wire-format/rabbitmq.md):
 * the body is the AMQP body; the id, correlation id and content type are the AMQP properties `message_id`,
 * `correlation_id` and `content_type` (the `sb-` header only when the value is too long for a property);
 * the timestamp is the property `timestamp` (seconds; no `sb-ts` header); a successful reply carries no
 * `sb-reply-status`; every other header (user and reserved `sb-`) is an AMQP header table entry of type
 * long string, and the key travels as the `sb-key` header. Messages are persistent (`delivery_mode` 2).
 * Reading accepts both places: an `sb-` header wins over the property.
 */

/** Headers the broker adds on its own; they are not the sender's and never reach the handler. */
const BROKER_HEADERS = new Set([
  'x-delivery-count',
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
]);

/** The AMQP reply-to pseudo queue of direct reply-to. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** AMQP table keys are short strings: at most 255 bytes of UTF-8. */
const MAX_KEY_BYTES = 255;

/**
 * The AMQP header that carries user headers whose keys exceed AMQP's 255-byte field-name limit, as a JSON
 * object of key → value. The adapter writes it only when needed and unpacks it on receipt.
 */
export const LONG_KEYS_HEADER = 'sb-amqp-long-keys';

/**
 * Reserved headers that travel as AMQP properties instead of header-table entries (when they fit a short
 * string): every table entry costs encoding and decoding time on both sides, and these have a native home.
 * `sb-reply-to` is left out of the table only for direct reply-to requests, whose `reply_to` replaces it.
 */
const AS_PROPERTY = new Set<string>([H.id, H.correlationId, H.contentType]);

/** AMQP short strings (message_id, correlation_id, content_type): at most 255 bytes of UTF-8. */
function fitsShortString(value: string): boolean {
  return value.length <= 85 || Buffer.byteLength(value) <= 255;
}

/** The value of `sb-reply-status` that is not written: a reply without the header is a success. */
const REPLY_OK = 'ok';

/**
 * Builds the AMQP properties `message` is published with (persistent, `delivery_mode` 2). The header table
 * is left out when nothing needs it — a request, a successful reply, a send without user headers. On
 * RabbitMQ 3.10 a table on the request and on the reply made a direct reply-to round trip ~20 % slower
 * (the broker's time, with any client), so the timestamp travels only in the `timestamp` property (seconds)
 * and a successful reply's `sb-reply-status: ok` is not written.
 */
export function toPublishOptions(message: WireMessage, replyTo?: string): PublishProperties {
  const source = message.headers;
  const headers: Record<string, string> = {};
  let tabled = false;
  let long: Record<string, string> | undefined;
  const timestamp = Number(source[H.timestamp]);
  for (const name in source) {
    const value = source[name] as string;
    if (AS_PROPERTY.has(name) && fitsShortString(value)) continue;
    if (replyTo !== undefined && name === H.replyTo) continue;
    if (name === H.timestamp && Number.isFinite(timestamp)) continue;
    if (name === H.replyStatus && value === REPLY_OK) continue;
    tabled = true;
    // A string of at most 85 UTF-16 units has at most 255 UTF-8 bytes.
    if (name.length > 85 && Buffer.byteLength(name) > MAX_KEY_BYTES) {
      long ??= {};
      long[name] = value;
    } else headers[name] = value;
  }
  if (long) headers[LONG_KEYS_HEADER] = JSON.stringify(long);
  if (message.key !== undefined) {
    headers[H.key] = message.key;
    tabled = true;
  }
  const contentType = source[H.contentType];
  const id = source[H.id];
  const correlationId = source[H.correlationId];
  // One object literal with every field: the same shape for every message.
  return {
    contentType: contentType !== undefined && fitsShortString(contentType) ? contentType : 'application/json',
    headers: tabled ? headers : undefined,
    deliveryMode: 2,
    priority: message.priority,
    correlationId: correlationId !== undefined && fitsShortString(correlationId) ? correlationId : undefined,
    replyTo,
    expiration: message.ttlMs === undefined ? undefined : String(message.ttlMs),
    messageId: id !== undefined && fitsShortString(id) ? id : undefined,
    timestamp: Number.isFinite(timestamp) ? Math.floor(timestamp / 1000) : undefined,
  };
}

/** Unpacks the {@link LONG_KEYS_HEADER} into `headers`; a malformed one is kept as it is. */
function unpackLongKeys(headers: Record<string, string>): void {
  const packed = headers[LONG_KEYS_HEADER];
  if (packed === undefined) return;
  try {
    const entries = JSON.parse(packed) as unknown;
    if (entries === null || typeof entries !== 'object') return;
    for (const [name, value] of Object.entries(entries)) headers[name] = headerText(value);
    delete headers[LONG_KEYS_HEADER];
  } catch {
    // not ours: leave it
  }
}

/** Turns an AMQP header value into the string Switchboard hands out. */
function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return String(value.getTime());
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? '';
  } catch {
    return String(value);
  }
}

/** What a consumed AMQP message becomes: bytes, string headers, key and the broker's redelivery count. */
export interface DecodedDelivery {
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
  readonly key: string | undefined;
  readonly redeliveries: number;
}

/**
 * Reads a consumed AMQP message. Header values of any AMQP type become strings; `message_id`,
 * `correlation_id`, `content_type` (other than JSON) and `reply_to` fill the matching `sb-` headers when the
 * sender did not write them (raw producers; `timestamp` in seconds fills `sb-ts` in ms, so a message sent
 * by this adapter has a timestamp of whole seconds); `reply_to` always wins for `sb-reply-to`, because it is the
 * only address a direct reply-to requester can be answered at. `x-delivery-count` (quorum queues) is the
 * redelivery count.
 */
export function fromConsumeMessage(message: ConsumeMessage): DecodedDelivery {
  const raw = (message.properties.headers ?? {}) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  let redeliveries = 0;
  for (const name in raw) {
    if (BROKER_HEADERS.has(name)) {
      if (name === 'x-delivery-count') redeliveries = Number(raw[name]) || 0;
      continue;
    }
    headers[name] = headerText(raw[name]);
  }
  unpackLongKeys(headers);
  const properties = message.properties;
  if (headers[H.id] === undefined && typeof properties.messageId === 'string') {
    headers[H.id] = properties.messageId;
  }
  if (headers[H.correlationId] === undefined && typeof properties.correlationId === 'string') {
    headers[H.correlationId] = properties.correlationId;
  }
  const contentType = properties.contentType;
  if (
    headers[H.contentType] === undefined &&
    typeof contentType === 'string' &&
    contentType !== 'application/json'
  ) {
    headers[H.contentType] = contentType;
  }
  if (headers[H.timestamp] === undefined && typeof properties.timestamp === 'number') {
    headers[H.timestamp] = String(properties.timestamp * 1000);
  }
  if (typeof properties.replyTo === 'string' && properties.replyTo !== '')
    headers[H.replyTo] = properties.replyTo;
  return { body: message.content, headers, key: headers[H.key], redeliveries };
}
