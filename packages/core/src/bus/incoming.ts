import type { CodecSet } from '../codec/codec.js';
import type { DeadLetterInfo, Message } from '../message.js';
import type { Delivery } from '../transport/contract.js';
import { H, userHeadersOf } from '../wire/reserved-headers.js';

/** The attempt number of a delivery: the `sb-attempt` header (1 when absent) plus the broker's redeliveries. */
export function attemptOf(delivery: Pick<Delivery, 'headers' | 'redeliveries'>): number {
  const header = delivery.headers[H.attempt];
  if (header === undefined) return 1 + delivery.redeliveries;
  const carried = Number.parseInt(header, 10);
  return (Number.isFinite(carried) && carried > 0 ? carried : 1) + delivery.redeliveries;
}

/** Reads the metadata of a delivery without decoding its body (never throws). */
export function metadataOf(
  delivery: Pick<Delivery, 'headers' | 'redeliveries' | 'key'>,
  destination: string,
) {
  return toMessage(delivery, destination, undefined);
}

/**
 * Decodes a delivery into a Message; throws DECODE_FAILED when the body cannot be decoded. A dead letter
 * (it carries `sb-error-code`) whose body cannot be decoded — it was dead-lettered for that very reason —
 * is delivered with its raw bytes as the body instead, so dead-letter queues can always be read.
 */
export function decodeDelivery(delivery: Delivery, destination: string, codecs: CodecSet): Message<unknown> {
  let body: unknown;
  try {
    body = codecs.decode(delivery.body, delivery.headers[H.contentType]);
  } catch (error) {
    if (delivery.headers[H.errorCode] === undefined) throw error;
    body = delivery.body;
  }
  return toMessage(delivery, destination, body);
}

function toMessage<T>(
  delivery: Pick<Delivery, 'headers' | 'redeliveries' | 'key'>,
  destination: string,
  body: T,
): Message<T> {
  const headers = delivery.headers;
  const timestamp = Number(headers[H.timestamp]);
  return {
    id: headers[H.id] ?? '',
    body,
    headers: userHeadersOf(headers),
    destination,
    key: delivery.key ?? headers[H.key],
    timestamp: Number.isFinite(timestamp) ? timestamp : 0,
    correlationId: headers[H.correlationId],
    replyTo: headers[H.replyTo],
    contentType: headers[H.contentType] ?? 'application/json',
    attempt: attemptOf(delivery),
    failure: headers[H.errorCode] === undefined ? undefined : deadLetterInfoOf(headers),
  };
}

function deadLetterInfoOf(headers: Readonly<Record<string, string>>): DeadLetterInfo {
  return {
    error: headers[H.error] ?? '',
    errorCode: headers[H.errorCode] ?? '',
    attempts: Number(headers[H.attempts] ?? 0),
    originalDestination: headers[H.originalDestination] ?? '',
    originalGroup: headers[H.originalGroup],
    deadLetteredAt: Number(headers[H.deadLetteredAt] ?? 0),
  };
}
