import type { Channel, ConfirmChannel } from 'amqplib';
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
  const writable = writeFrames(channel, exchange, routingKey, body, properties);
  if (writable === undefined) {
    return channel.publish(exchange, routingKey, body, toAmqplibOptions(properties), onConfirm);
  }
  (channel as unknown as Required<ChannelInternals>).pushConfirmCallback(onConfirm);
  return writable;
}

/**
 * Publishes one message on a channel without confirms (replies to direct reply-to addresses), like
 * `channel.publish(exchange, routingKey, body, options)`, with the same encoding and fallbacks as
 * {@link publishConfirmed}. Returns false when the write buffer is full (the frames are queued anyway).
 */
export function publishUnconfirmed(
  channel: Channel,
  exchange: string,
  routingKey: string,
  body: Buffer,
  properties: PublishProperties,
): boolean {
  const writable = writeFrames(channel, exchange, routingKey, body, properties);
  if (writable !== undefined) return writable;
  return channel.publish(exchange, routingKey, body, toAmqplibOptions(properties));
}

/**
 * Writes the encoded frames into the channel's write queue and returns `write`'s result, or undefined
 * (nothing written) when amqplib's internals are not as expected or the channel or connection is closing.
 */
function writeFrames(
  channel: Channel,
  exchange: string,
  routingKey: string,
  body: Buffer,
  properties: PublishProperties,
): boolean | undefined {
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
    return undefined;
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
  return queue.write(frames);
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
