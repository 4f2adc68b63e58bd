/**
 * Reading the messages of the adapter's own core subscriptions straight from the socket's bytes, ahead of the
 * client's parser. The client's parser walks every byte through a state machine and makes a message
 * object, an argument object and several views per message; for a core-NATS receiver that was more
 * client CPU per message than the whole bus. Here a message frame (`MSG`/`HMSG`) is found by its control
 * line alone (the size it gives skips the payload), and its bytes are handed to the subscription's handler.
 *
 * Every frame that is not a message of a routed subscription (PING, PONG, INFO, +OK, -ERR, messages of the
 * client's own or JetStream's subscriptions) goes to the client's parser unchanged, and always as whole
 * frames, so the parser is at the start of a frame whenever it is called and keeps its own error handling.
 * Frames split across reads are assembled here first. Anything this reader does not recognise hands the
 * rest of the connection's bytes to the client's parser for good.
 *
 * Relies on two client internals, pinned by the exact @nats-io version in package.json: the connection's
 * `protocol.parser` (replaced on every reconnect; the replacement is taken over too) whose `parse(bytes)`
 * the read loop calls with each socket read, and a subscription's `sid`. Where they are missing, nothing is
 * routed and the client reads everything as before.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { reportError } from './errors.js';

/**
 * Called with a message's bytes (header block then body; `headerLength` 0 without headers). The bytes are a
 * view of the read buffer, valid as long as the caller keeps them.
 */
export type FrameHandler = (bytes: Uint8Array, headerLength: number) => void;

interface ClientParser {
  state: number;
  parse(bytes: Uint8Array): void;
}

interface Route {
  readonly handler: FrameHandler;
  readonly sub: { received?: number };
}

interface ProtocolInternals {
  parser?: ClientParser;
  inMsgs?: number;
  inBytes?: number;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
/** The client parser's state at the start of a frame. */
const OP_START = 0;
/** Most arguments a message's control line has (HMSG subject sid reply hdr size). */
const MAX_ARGS = 5;

/** The bytes a read split off in the middle of a frame, kept until the rest arrives. */
class Partial {
  constructor(
    /** The frame so far; for a frame of known size (`expected` > 0) its whole room. */
    public bytes: Uint8Array,
    public filled: number,
    /** The frame's whole size; 0 while its control line is not complete. */
    readonly expected: number,
  ) {}
}

/** The reader in front of each connection it was installed on. */
const installed = new WeakMap<NatsConnection, DirectReader>();

export class DirectReader {
  private readonly routes = new Map<number, Route>();
  private parser: ClientParser | undefined;
  private partial: Partial | undefined;
  /** Set when bytes were not recognised: from then on the client's parser reads everything. */
  private bypass = false;
  /** Argument boundaries of the control line being read (start, end pairs), reused. */
  private readonly args = new Int32Array(MAX_ARGS * 2);
  /** What the last control line read said (see readControlLine). */
  private sid = 0;
  private size = 0;
  private headerLength = 0;

  private constructor(private readonly protocol: ProtocolInternals) {}

  /** The reader installed on `nc`, if any. */
  static of(nc: NatsConnection): DirectReader | undefined {
    return installed.get(nc);
  }

  /** Puts a reader in front of `nc`'s parser; undefined when the client lacks the internals it needs. */
  static install(nc: NatsConnection): DirectReader | undefined {
    const existing = installed.get(nc);
    if (existing) return existing;
    const protocol = (nc as unknown as { protocol?: ProtocolInternals }).protocol;
    const parser = protocol?.parser;
    if (!protocol || typeof parser?.parse !== 'function' || typeof parser.state !== 'number')
      return undefined;
    const reader = new DirectReader(protocol);
    reader.adopt(parser);
    Object.defineProperty(protocol, 'parser', {
      configurable: true,
      enumerable: true,
      get: () => reader.parser,
      set: (next: ClientParser) => reader.adopt(next),
    });
    installed.set(nc, reader);
    return reader;
  }

  /**
   * Hands the messages of `sub` to `handler` from now on, until the subscription is closed; false when the
   * client lacks the subscription's `sid` (nothing routed). The subscription's own callback must do what
   * `handler` does: messages that reach the client's parser (before routing, after a bypass) go there.
   */
  route(sub: Subscription, handler: FrameHandler): boolean {
    const sid = (sub as unknown as { sid?: unknown }).sid;
    if (typeof sid !== 'number') return false;
    this.routes.set(sid, { handler, sub: sub as unknown as Route['sub'] });
    void sub.closed.then(
      () => this.routes.delete(sid),
      () => this.routes.delete(sid),
    );
    return true;
  }

  /** Takes over a parser the client made (at connect and on every reconnect, in the state of a fresh one). */
  private adopt(parser: ClientParser): void {
    const clientParse = parser.parse;
    const original = (bytes: Uint8Array) => clientParse.call(parser, bytes);
    this.partial = undefined;
    this.bypass = false;
    parser.parse = (bytes: Uint8Array) => this.read(bytes, original, parser);
    this.parser = parser;
  }

  private read(chunk: Uint8Array, original: (bytes: Uint8Array) => void, parser: ClientParser): void {
    // Only at a frame boundary of the client's parser can frames be told apart; an unknown state (a parser
    // taken over in the middle of a frame) leaves the bytes to it until it is at a boundary again.
    if (this.bypass || (this.partial === undefined && parser.state !== OP_START)) {
      original(chunk);
      return;
    }
    let bytes = chunk;
    const partial = this.partial;
    if (partial !== undefined) {
      this.partial = undefined;
      if (partial.expected === 0) bytes = concat(partial.bytes, partial.filled, chunk);
      else {
        const taken = Math.min(partial.expected - partial.filled, chunk.length);
        partial.bytes.set(chunk.subarray(0, taken), partial.filled);
        partial.filled += taken;
        if (partial.filled < partial.expected) {
          this.partial = partial;
          return;
        }
        this.scan(partial.bytes, original);
        if (this.bypass) {
          original(chunk.subarray(taken));
          return;
        }
        bytes = chunk.subarray(taken);
      }
    }
    this.scan(bytes, original);
  }

  /** Reads the frames of `bytes`: routed messages to their handlers, runs of other frames to `original`. */
  private scan(bytes: Uint8Array, original: (bytes: Uint8Array) => void): void {
    let at = 0;
    let passFrom = -1;
    while (at < bytes.length) {
      const lineEnd = lineEndAt(bytes, at);
      if (lineEnd < 0) {
        this.partial = new Partial(bytes.slice(at), bytes.length - at, 0);
        break;
      }
      const op = bytes[at]! | 0x20;
      if (op !== 0x6d /* m */ && op !== 0x68 /* h */) {
        if (passFrom < 0) passFrom = at;
        at = lineEnd + 1;
        continue;
      }
      if (!this.readControlLine(bytes, at, lineEnd, op === 0x68)) {
        this.bypass = true;
        original(bytes.subarray(passFrom < 0 ? at : passFrom));
        return;
      }
      const dataStart = lineEnd + 1;
      const size = this.size;
      const frameEnd = dataStart + size + 2;
      if (frameEnd > bytes.length) {
        if (passFrom >= 0) original(bytes.subarray(passFrom, at));
        passFrom = -1;
        const room = new Uint8Array(frameEnd - at);
        room.set(bytes.subarray(at));
        this.partial = new Partial(room, bytes.length - at, frameEnd - at);
        at = bytes.length;
        break;
      }
      if (bytes[frameEnd - 2] !== CR || bytes[frameEnd - 1] !== LF) {
        this.bypass = true; // not where the size says the frame ends: let the client's parser report it
        original(bytes.subarray(passFrom < 0 ? at : passFrom));
        return;
      }
      const route = this.routes.get(this.sid);
      if (route === undefined) {
        if (passFrom < 0) passFrom = at;
      } else {
        if (passFrom >= 0) original(bytes.subarray(passFrom, at));
        passFrom = -1;
        this.deliver(route, bytes.subarray(dataStart, dataStart + size), this.headerLength);
      }
      at = frameEnd;
    }
    if (passFrom >= 0) original(bytes.subarray(passFrom, at));
  }

  private deliver(route: Route, data: Uint8Array, headerLength: number): void {
    const protocol = this.protocol;
    protocol.inMsgs = (protocol.inMsgs ?? 0) + 1;
    protocol.inBytes = (protocol.inBytes ?? 0) + data.length;
    route.sub.received = (route.sub.received ?? 0) + 1;
    try {
      route.handler(data, headerLength);
    } catch (error) {
      // Thrown here it would end the client's read loop, and with it the connection: reported instead.
      reportError(error, 'hand a received message to its subscription');
    }
  }

  /**
   * Reads a message's control line (`MSG subject sid [reply] size` or `HMSG subject sid [reply] hdr size`, the
   * op in any case) into {@link sid}, {@link headerLength} and {@link size}; false when it is not one.
   */
  private readControlLine(bytes: Uint8Array, at: number, lineEnd: number, withHeaders: boolean): boolean {
    const opLength = withHeaders ? 4 : 3;
    if (!isOp(bytes, at, withHeaders ? HMSG : MSG)) return false;
    let end = lineEnd;
    if (end > at && bytes[end - 1] === CR) end--;
    const args = this.args;
    let count = 0;
    let start = -1;
    for (let i = at + opLength; i <= end; i++) {
      const byte = i < end ? bytes[i]! : SPACE;
      if (byte === SPACE || byte === TAB) {
        if (start >= 0) {
          if (count === MAX_ARGS) return false;
          args[count * 2] = start;
          args[count * 2 + 1] = i;
          count++;
          start = -1;
        }
      } else if (start < 0) {
        if (i === at + opLength) return false; // the op is not followed by a space
        start = i;
      }
    }
    const min = withHeaders ? 4 : 3;
    if (count < min || count > min + 1) return false;
    this.sid = numberAt(bytes, args[2]!, args[3]!);
    this.size = numberAt(bytes, args[(count - 1) * 2]!, args[(count - 1) * 2 + 1]!);
    this.headerLength = withHeaders ? numberAt(bytes, args[(count - 2) * 2]!, args[(count - 2) * 2 + 1]!) : 0;
    return this.sid >= 0 && this.size >= 0 && this.headerLength >= 0 && this.headerLength <= this.size;
  }
}

const MSG = [0x6d, 0x73, 0x67];
const HMSG = [0x68, 0x6d, 0x73, 0x67];

/** True when the bytes at `at` are `op` (lower case letters) in any case. */
function isOp(bytes: Uint8Array, at: number, op: readonly number[]): boolean {
  for (let i = 0; i < op.length; i++) if ((bytes[at + i]! | 0x20) !== op[i]) return false;
  return true;
}

/**
 * The index of the first line feed in `bytes` from `from`, or -1. A loop: control lines are short, and
 * `Buffer#indexOf` costs more per call than scanning them.
 */
function lineEndAt(bytes: Uint8Array, from: number): number {
  for (let i = from; i < bytes.length; i++) if (bytes[i] === LF) return i;
  return -1;
}

/** The decimal number in bytes [start, end), or -1 when they are not all digits. */
function numberAt(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

function concat(head: Uint8Array, headLength: number, tail: Uint8Array): Uint8Array {
  const joined = new Uint8Array(headLength + tail.length);
  joined.set(head.subarray(0, headLength));
  joined.set(tail, headLength);
  return joined;
}
