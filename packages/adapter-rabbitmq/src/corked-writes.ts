import type { ChannelModel } from 'amqplib';

/** The parts of amqplib 2.x's connection internals this module touches. */
interface MuxInternals {
  _readIncoming?: () => void;
  out?: { cork?: () => void; uncork?: () => void; write?: (...args: unknown[]) => boolean };
}

const PATCHED = Symbol('switchboard.corkedWrites');

/**
 * Makes each pass of amqplib's frame multiplexer write its first frame set at once and everything after it
 * in one more socket write (`writev`), instead of one write per frame; returns whether it could.
 *
 * Why: amqplib queues frames per channel and its multiplexer (`Mux#_readIncoming`, run once per macrotask)
 * moves them to the socket one `write` each. With `noDelay` (needed for request/reply latency) every write
 * is its own system call and TCP segment, which the broker then reads one by one: a batch of 500 publishes
 * was 500 writes. Here the socket is corked after the pass's first write and uncorked at the pass's end, in
 * the same synchronous call, so a burst leaves in two writes and nothing waits longer than before.
 *
 * Why not cork the first write too: in a round trip the first frame set is the one a peer waits for (a reply,
 * a request), and the broker starts on it while the rest (the request's ack) is written. A reply and its
 * ack sent as one segment made round trips through a quorum queue 10–20 % slower (measured with Switchboard
 * and with raw amqplib; see docs/design.md, ninth session). Frame order, back-pressure (`write` returning false stops the loop until
 * `drain`) and errors stay amqplib's. If a future amqplib has no such multiplexer, nothing is patched.
 */
export function corkMultiplexedWrites(model: ChannelModel): boolean {
  const connection = model.connection as unknown as { muxer?: MuxInternals & { [PATCHED]?: true } };
  const muxer = connection.muxer;
  const out = muxer?.out;
  const readIncoming = muxer?._readIncoming;
  if (!muxer || typeof readIncoming !== 'function' || typeof out?.cork !== 'function') return false;
  if (typeof out.uncork !== 'function' || typeof out.write !== 'function' || muxer[PATCHED]) {
    return Boolean(muxer[PATCHED]);
  }
  const cork = out.cork.bind(out);
  const uncork = out.uncork.bind(out);
  const write = out.write;
  /** Writes in the current pass: 0 none yet, 1 the first (sent at once), 2 corked. Outside a pass: -1. */
  let written = -1;
  out.write = function writeInPass(this: unknown, ...args: unknown[]) {
    if (written === 1) {
      cork();
      written = 2;
    } else if (written === 0) written = 1;
    return write.apply(this, args);
  };
  muxer._readIncoming = function corkedReadIncoming(this: MuxInternals) {
    written = 0;
    try {
      readIncoming.call(this);
    } finally {
      if (written === 2) uncork();
      written = -1;
    }
  };
  muxer[PATCHED] = true;
  return true;
}
