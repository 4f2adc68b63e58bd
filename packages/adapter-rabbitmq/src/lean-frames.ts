import type { ChannelModel } from 'amqplib';
import { FRAME_END, FRAME_HEADER_BYTES } from './amqp-frame.js';
import { type DecodedFrame, decodeFrame } from './frame-decoder.js';
import { type DeliverFrame, deliverWhole } from './whole-delivery.js';

/** The parts of amqplib 2.x's connection this module touches. */
interface ConnectionInternals {
  rest?: unknown;
  maxFrameSize?: unknown;
  recvSinceLastCheck?: boolean;
  stream?: { read?: () => Buffer | null };
  recvFrame?: () => unknown;
  accept?: unknown;
  channels?: unknown;
}

/** amqplib's method id of `basic.deliver`. */
const BASIC_DELIVER = (60 << 16) | 60;

const PATCHED = Symbol('switchboard.leanFrames');

/**
 * How many frames the adapter's decoder read, how many it left to amqplib, and how many messages it handed to
 * their channel whole (for tests).
 */
export const frameDecoding = { own: 0, amqplib: 0, whole: 0 };

/**
 * Makes the connection decode the frames of deliveries (`basic.deliver`, content header, body) and publisher
 * confirms with {@link decodeFrame} instead of amqplib's generic decoder, and returns whether it could.
 *
 * Why: amqplib reads each frame through `recvFrame`, which concatenates every socket read onto the unread rest
 * (a copy even when nothing was left over), makes an object and two buffer views per frame, then decodes the
 * method or properties with generic code (a closure per header table, every string through `Buffer#toString`).
 * On the consumer side that was the largest part of the client's work per message. The replacement reads the
 * same bytes into the same frame objects, and a delivery whose frames are all in hand (one body frame) goes to
 * its channel as one message ({@link deliverWhole}) instead of frame by frame through amqplib's accept
 * functions; the channel's consumer dispatch, flow control and errors stay amqplib's. Any frame the decoder
 * declines, an oversized or malformed frame, and heartbeats go through
 * amqplib's own `recvFrame` with the connection's state untouched, so it decodes or reports them as before. If a
 * future amqplib has no such method or fields, nothing is patched.
 */
export function decodeFramesLeanly(model: ChannelModel): boolean {
  const connection = model.connection as unknown as ConnectionInternals & { [PATCHED]?: true };
  if (connection[PATCHED]) return true;
  const original = connection.recvFrame;
  if (
    typeof original !== 'function' ||
    !Buffer.isBuffer(connection.rest) ||
    typeof connection.maxFrameSize !== 'number' ||
    typeof connection.stream?.read !== 'function' ||
    !Array.isArray(connection.channels)
  ) {
    return false;
  }
  /** Moves the reader past a message handed to its channel whole. */
  const skipTo = (end: number) => {
    at = end;
  };
  /** The connection's accept function while open; another one (closing) gets every frame itself. */
  const openAccept = connection.accept;
  // The unread bytes are `data` from `at`: a frame decoded here only moves `at` (amqplib cut a new view of the
  // rest per frame). `rest` is brought up to date before amqplib's own recvFrame runs; when amqplib changed it,
  // reading goes on from amqplib's value.
  let data = connection.rest as Buffer;
  let at = 0;
  let synced = data;
  /** amqplib's recvFrame on the unread bytes (it may call back into leanRecvFrame for more data). */
  const handBack = (self: ConnectionInternals): unknown => {
    data = synced = at === 0 ? data : data.subarray(at);
    at = 0;
    self.rest = data;
    return original.call(self);
  };
  connection.recvFrame = function leanRecvFrame(this: ConnectionInternals): unknown {
    if (this.rest !== synced) {
      data = synced = this.rest as Buffer;
      at = 0;
    }
    for (;;) {
      const available = data.length - at;
      if (available >= FRAME_HEADER_BYTES) {
        const size = data.readUInt32BE(at + 3);
        const end = at + FRAME_HEADER_BYTES + size;
        const limit = this.maxFrameSize as number;
        if (limit > 0 && size > limit) return handBack(this);
        if (data.length > end) {
          const frame: DecodedFrame | undefined =
            data[end] === FRAME_END ? decodeFrame(data, at, size) : undefined;
          if (frame === undefined) {
            frameDecoding.amqplib++;
            return handBack(this);
          }
          frameDecoding.own++;
          at = end + 1;
          if ((frame as { id?: number }).id === BASIC_DELIVER && this.accept === openAccept) {
            const limit = this.maxFrameSize as number;
            if (deliverWhole(this.channels as [], frame as DeliverFrame, data, at, limit, skipTo) >= 0) {
              frameDecoding.whole++;
              continue;
            }
          }
          return frame;
        }
      }
      const incoming = (this.stream as { read: () => Buffer | null }).read();
      if (incoming === null) return false;
      this.recvSinceLastCheck = true;
      data = available === 0 ? incoming : Buffer.concat([data.subarray(at), incoming]);
      at = 0;
      this.rest = synced = data;
    }
  };
  connection[PATCHED] = true;
  return true;
}
