import type { ConfirmChannel } from 'amqplib';
import { encodePublish, type PublishProperties } from './frame-encoder.js';

/** The amqplib 2.x channel and connection internals a confirmed publish is made of. */
interface ChannelInternals {
  ch?: number;
  connection?: ConnectionInternals;
  pushConfirmCallback?: (callback: (error: unknown) => void) => void;
}
interface ConnectionInternals {
  frameMax?: number;
  sentSinceLastCheck?: boolean;
  channels?: ({ buffer?: { write(chunk: Buffer): boolean } } | null)[];
}

/**
 * Publishes one message on a confirm channel, like `channel.publish(exchange, routingKey, body, options,
 * onConfirm)`, and returns what it returns (false: the write buffer is full, wait for `drain`). Throws what
 * amqplib throws for a closed channel (IllegalOperationError) or a field AMQP cannot carry (TypeError).
 *
 * Why not `channel.publish`: amqplib encodes every publish through generic code that validates and
 * measures each property twice, copies the header table out of a scratch buffer, zero-fills three buffers
 * (method, header, body frame) and copies them into a fourth — with Switchboard's properties and one header
 * that was about twice the instructions of a bare publish (and `publish` wraps `headers` in
 * `Object.create`, whose slow `for…in` path cost 10–15 µs more). Here {@link encodePublish} writes the same
 * bytes into one buffer, which goes into the channel's own write queue exactly where amqplib's
 * `sendMessage` would put it; confirms, flow control, frame order and heartbeats stay amqplib's. A channel
 * or connection that is closing has its send methods replaced by amqplib (own properties): then, or if a
 * future amqplib lacks these internals, the call goes through `channel.publish`, which throws or works as usual.
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: Buffer,
  properties: PublishProperties,
  onConfirm: (error: unknown) => void,
): boolean {
  const internal = channel as unknown as ChannelInternals;
  const connection = internal.connection;
  const queue = internal.ch === undefined ? undefined : connection?.channels?.[internal.ch]?.buffer;
  if (
    queue === undefined ||
    typeof connection?.frameMax !== 'number' ||
    typeof internal.pushConfirmCallback !== 'function' ||
    Object.hasOwn(channel, 'sendMessage') ||
    Object.hasOwn(connection, 'sendMessage')
  ) {
    return channel.publish(exchange, routingKey, body, toAmqplibOptions(properties), onConfirm);
  }
  const frames = encodePublish(
    internal.ch as number,
    connection.frameMax,
    exchange,
    routingKey,
    body,
    properties,
  );
  connection.sentSinceLastCheck = true;
  const writable = queue.write(frames);
  internal.pushConfirmCallback(onConfirm);
  return writable;
}

/** The same message as amqplib publish options (the fallback path). */
function toAmqplibOptions(p: PublishProperties) {
  return {
    persistent: p.deliveryMode === 2,
    contentType: p.contentType,
    headers: p.headers,
    priority: p.priority,
    correlationId: p.correlationId,
    replyTo: p.replyTo,
    expiration: p.expiration,
    messageId: p.messageId,
    timestamp: p.timestamp,
  };
}
