import type { ChannelModel } from 'amqplib';
import { type DecodedFrame, decodeFrame } from './frame-decoder.js';

/** The parts of amqplib 2.x's connection this module touches. */
interface ConnectionInternals {
  rest?: unknown;
  maxFrameSize?: unknown;
  recvSinceLastCheck?: boolean;
  stream?: { read?: () => Buffer | null };
  recvFrame?: () => unknown;
}

/** Type byte, channel (2) and payload size (4) before a frame's payload; the frame-end byte after it. */
const FRAME_HEADER_BYTES = 7;
const FRAME_END = 0xce;
const PATCHED = Symbol('switchboard.leanFrames');

/** How many frames the adapter's decoder read, and how many it left to amqplib (for tests). */
export const frameDecoding = { own: 0, amqplib: 0 };

/**
 * Makes the connection decode the frames of deliveries (`basic.deliver`, content header, body) and publisher
 * confirms with {@link decodeFrame} instead of amqplib's generic decoder, and returns whether it could.
 *
 * Why: amqplib reads each frame through `recvFrame`, which concatenates every socket read onto the unread rest
 * (a copy even when nothing was left over), makes an object and two buffer views per frame, then decodes the
 * method or properties with generic code (a closure per header table, every string through `Buffer#toString`).
 * On the consumer side that was the largest part of the client's work per message. The replacement reads the
 * same bytes into the same frame objects; channels, the message assembly, flow control and errors stay
 * amqplib's. Any frame the decoder declines, an oversized or malformed frame, and heartbeats go through
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
    typeof connection.stream?.read !== 'function'
  ) {
    return false;
  }
  connection.recvFrame = function leanRecvFrame(this: ConnectionInternals): unknown {
    for (;;) {
      const rest = this.rest as Buffer;
      if (rest.length >= FRAME_HEADER_BYTES) {
        const size = rest.readUInt32BE(3);
        const end = FRAME_HEADER_BYTES + size;
        const limit = this.maxFrameSize as number;
        if (limit > 0 && size > limit) return original.call(this);
        if (rest.length > end) {
          const frame: DecodedFrame | undefined =
            rest[end] === FRAME_END ? decodeFrame(rest, 0, size) : undefined;
          if (frame === undefined) {
            frameDecoding.amqplib++;
            return original.call(this);
          }
          frameDecoding.own++;
          this.rest = rest.subarray(end + 1);
          return frame;
        }
      }
      const incoming = (this.stream as { read: () => Buffer | null }).read();
      if (incoming === null) return false;
      this.recvSinceLastCheck = true;
      this.rest = rest.length === 0 ? incoming : Buffer.concat([rest, incoming]);
    }
  };
  connection[PATCHED] = true;
  return true;
}
