import type { ChannelModel } from 'amqplib';

/** The parts of amqplib 2.x's connection internals this module touches. */
interface MuxInternals {
  _readIncoming?: () => void;
  out?: { cork?: () => void; uncork?: () => void };
}

const PATCHED = Symbol('switchboard.corkedWrites');

/**
 * Makes the connection write what amqplib's frame multiplexer has queued in one socket write (`writev`)
 * instead of one write per frame, and returns whether it could.
 *
 * Why: amqplib queues frames per channel and its multiplexer (`Mux#_readIncoming`, run once per macrotask)
 * moves them to the socket one `write` each. With `noDelay` (needed for request/reply latency) every write
 * is its own system call and TCP segment, which the broker then reads one by one: a batch of 500 publishes
 * was 500 writes. Here the multiplexer's loop runs with the socket corked and uncorks at its end, in the same
 * synchronous call, so the frames leave together and nothing waits longer than before (no added latency).
 * Frame order, back-pressure (`write` returning false stops the loop until `drain`) and errors stay amqplib's.
 * If a future amqplib has no such multiplexer, nothing is patched.
 */
export function corkMultiplexedWrites(model: ChannelModel): boolean {
  const connection = model.connection as unknown as { muxer?: MuxInternals & { [PATCHED]?: true } };
  const muxer = connection.muxer;
  const out = muxer?.out;
  const readIncoming = muxer?._readIncoming;
  if (!muxer || typeof readIncoming !== 'function' || typeof out?.cork !== 'function') return false;
  if (typeof out.uncork !== 'function' || muxer[PATCHED]) return Boolean(muxer[PATCHED]);
  const cork = out.cork.bind(out);
  const uncork = out.uncork.bind(out);
  muxer._readIncoming = function corkedReadIncoming(this: MuxInternals) {
    cork();
    try {
      readIncoming.call(this);
    } finally {
      uncork();
    }
  };
  muxer[PATCHED] = true;
  return true;
}
