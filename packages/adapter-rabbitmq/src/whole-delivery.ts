import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEADER_BYTES } from './amqp-frame.js';
import { decodeFrame } from './frame-decoder.js';

/** The parts of an amqplib 2.x channel a whole delivery is handed to. */
interface ChannelInternals {
  handleMessage?: { name?: string };
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  closeWithError?: (id: number | undefined, reason: string, code: number, error: unknown) => void;
}

/** What amqplib's decoder makes of a `basic.deliver` method frame. */
export interface DeliverFrame {
  readonly channel: number;
  readonly fields: object;
}

/** amqplib's id of the basic content header (its class id). */
const BASIC_PROPERTIES = 60;
/** AMQP reply codes amqplib closes a channel with when handling a message fails. */
const UNEXPECTED_FRAME = 505;
const INTERNAL_ERROR = 541;
/** The state amqplib's channel is in between messages (its message state machine's first function). */
const BETWEEN_MESSAGES = 'acceptDeliveryOrReturn';

/**
 * Hands a message whose frames are all in `data` — the `basic.deliver` just decoded, then from `from` its
 * content header and at most one body frame — to its channel as amqplib would after reading the three frames one
 * by one: `skipTo` moves the reader past them, then the same `{ fields, properties, content }` object is emitted as the channel's `delivery` event (its
 * consumer callback runs); a throwing callback is handled as amqplib handles it (`handler-error` listeners, else
 * the channel closes with 541). Returns the offset after the message, or -1 without doing anything when amqplib
 * should take the frames one at a time: the channel is unknown, closing or amid a message; a frame is not
 * complete yet; the header is one the decoder leaves to amqplib; the body spans several frames.
 *
 * Why: amqplib passes each frame through the connection's and the channel's accept functions and a message
 * state machine that makes closures per message; for small messages that was most of amqplib's remaining
 * work per delivery.
 */
export function deliverWhole(
  channels: readonly ({ channel?: unknown } | null | undefined)[],
  deliver: DeliverFrame,
  data: Buffer,
  from: number,
  maxFrameSize: number,
  skipTo: (end: number) => void,
): number {
  const channel = channels[deliver.channel]?.channel as ChannelInternals | undefined;
  if (
    channel === undefined ||
    Object.hasOwn(channel, 'accept') || // closing or closed: amqplib's own accept drops or fails frames
    channel.handleMessage?.name !== BETWEEN_MESSAGES ||
    typeof channel.closeWithError !== 'function'
  ) {
    return -1;
  }
  const headerEnd = frameEnd(data, from, FRAME_HEADER, deliver.channel, maxFrameSize);
  if (headerEnd < 0) return -1;
  const header = decodeFrame(data, from, headerEnd - from - FRAME_HEADER_BYTES - 1) as
    | { id: number; size: number; fields: object }
    | undefined;
  if (header === undefined || header.id !== BASIC_PROPERTIES) return -1;
  let content: Buffer;
  let end = headerEnd;
  if (header.size === 0) content = Buffer.alloc(0);
  else {
    end = frameEnd(data, headerEnd, FRAME_BODY, deliver.channel, maxFrameSize);
    if (end < 0 || end - headerEnd - FRAME_HEADER_BYTES - 1 !== header.size) return -1;
    content = data.subarray(headerEnd + FRAME_HEADER_BYTES, end - 1);
  }
  const message = { fields: deliver.fields, properties: header.fields, content };
  skipTo(end); // before the consumer runs: whatever it does, these frames are read
  try {
    channel.emit('delivery', message);
  } catch (error) {
    if (channel.listenerCount('handler-error') > 0) {
      setImmediate(() => channel.emit('handler-error', error, 'delivery'));
    } else {
      const id = header.size === 0 ? BASIC_PROPERTIES : undefined;
      if (typeof error === 'string') channel.closeWithError(id, error, UNEXPECTED_FRAME, new Error(error));
      else if (error instanceof Error)
        channel.closeWithError(id, 'Error while processing message', INTERNAL_ERROR, error);
      else
        channel.closeWithError(
          id,
          'Internal error while processing message',
          INTERNAL_ERROR,
          new Error(String(error)),
        );
    }
  }
  return end;
}

/**
 * The offset after a complete frame of `type` on `channel` at `at`, or -1: incomplete, another kind, over
 * `maxFrameSize` (0: no limit) or malformed (amqplib then reads or reports it).
 */
function frameEnd(data: Buffer, at: number, type: number, channel: number, maxFrameSize: number): number {
  if (data.length - at < FRAME_HEADER_BYTES || data[at] !== type) return -1;
  if (((data[at + 1]! << 8) | data[at + 2]!) !== channel) return -1;
  const size = data.readUInt32BE(at + 3);
  if (maxFrameSize > 0 && size > maxFrameSize) return -1;
  const end = at + FRAME_HEADER_BYTES + size;
  return data.length > end && data[end] === FRAME_END ? end + 1 : -1;
}
