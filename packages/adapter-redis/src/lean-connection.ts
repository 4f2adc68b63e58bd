import { EventEmitter } from 'node:events';
import { type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { encodeArgs } from './resp-command.js';
import { Push, ReplyError, RespParser } from './resp-parser.js';

/** Where a lean connection connects, and how. */
export interface LeanConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** TLS options (as the command connection's ioredis client got them), or undefined for plain TCP. */
  readonly tls: ConnectionOptions | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  /** Given to the server with `CLIENT SETNAME` on every connect. */
  readonly name: string;
  /**
   * Speak RESP3 (`HELLO 3` in the handshake): the connection may then subscribe to channels and still carry
   * other commands (see {@link LeanConnection.onMessage}). Default false (RESP2).
   */
  readonly resp3?: boolean;
  /** Bound of one connection attempt, handshake included. */
  readonly connectTimeoutMs: number;
  /** Delay before reconnection attempt number `attempt` (1, 2, …). */
  readonly retryDelay: (attempt: number) => number;
}

/** The message of every command failed by a lost or closed connection (what ioredis says; UNAVAILABLE in errors.ts). */
export const CONNECTION_CLOSED = 'Connection is closed.';

interface Waiter {
  resolve(reply: unknown): void;
  reject(error: unknown): void;
}

/**
 * A minimal Redis connection for the adapter's hot connections on standalone servers (a group
 * subscription's blocking XREADGROUP and what rides along with it, the transport's XACKs, and the reply
 * inbox's subscription with the requests sent on it): RESP2 (RESP3 for the inbox, see `resp3`)
 * over one socket, commands answered in order, no command objects, no offline queue. It offers what those
 * connections used of ioredis: `status` (`connecting`, `ready`, `reconnecting`, `end`) with the events
 * `ready` and `end`; a command issued while not `ready` rejects at once; when the socket drops, every
 * command in flight rejects with {@link CONNECTION_CLOSED} and the connection reconnects by itself (AUTH,
 * SELECT, CLIENT SETNAME and HELLO again; a subscriber subscribes again on `ready`) until {@link disconnect}. Between {@link cork} and {@link uncork} the
 * commands are collected and leave in one socket write. Replies are as {@link RespParser} gives them
 * (bulk strings as Buffers, as ioredis' `callBuffer`); error replies reject with a {@link ReplyError}.
 */
export class LeanConnection extends EventEmitter {
  status: 'connecting' | 'ready' | 'reconnecting' | 'end' = 'connecting';
  private socket: Socket | undefined;
  private readonly parser = new RespParser((reply) => this.onReply(reply));
  private waiters: Waiter[] = [];
  private corked: Buffer[] | undefined;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /**
   * Where the messages published to the channels a RESP3 connection subscribed to go (push frames
   * `message <channel> <payload>`). The confirmations of SUBSCRIBE and UNSUBSCRIBE (push frames too) answer
   * their commands, in order; other push frames are ignored.
   */
  onMessage: ((channel: Buffer, payload: Buffer) => void) | undefined;

  constructor(private readonly options: LeanConnectionOptions) {
    super();
  }

  /**
   * Connects for the first time; resolves once the connection is `ready`. On failure (refused, timed out,
   * credentials refused) it rejects with the cause and the connection ends: no reconnection.
   */
  connect(): Promise<void> {
    return this.attempt().catch((error: unknown) => {
      this.disconnect();
      throw error;
    });
  }

  /** Sends a command encoded by the caller (one RESP array); resolves with its reply. */
  send(bytes: Buffer): Promise<unknown> {
    if (this.status !== 'ready') return Promise.reject(new Error(CONNECTION_CLOSED));
    return this.write(bytes);
  }

  /** Sends `name args…` (numbers as their decimal text, strings as UTF-8). */
  call(name: string, ...args: readonly (string | number | Buffer)[]): Promise<unknown> {
    const all: (string | Buffer)[] = [name];
    for (const arg of args) all.push(typeof arg === 'number' ? String(arg) : arg);
    return this.send(encodeArgs(all));
  }

  /** The same as {@link call} (replies are Buffers either way); named as ioredis names it. */
  callBuffer(name: string, ...args: readonly (string | number | Buffer)[]): Promise<unknown> {
    return this.call(name, ...args);
  }

  /** Collects the commands sent from now on until {@link uncork}. */
  cork(): void {
    this.corked ??= [];
  }

  /** Writes the commands collected since {@link cork} in one socket write. */
  uncork(): void {
    const parts = this.corked;
    this.corked = undefined;
    if (parts === undefined || parts.length === 0) return;
    this.socket?.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  /** Closes the connection once the commands in flight have their replies (QUIT), then as {@link disconnect}. */
  async quit(): Promise<void> {
    if (this.status === 'ready') await this.call('QUIT').catch(() => undefined);
    this.disconnect();
  }

  /** Closes the connection for good: commands in flight reject, no reconnection; emits `end`. */
  disconnect(): void {
    if (this.status === 'end') return;
    this.status = 'end';
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    this.failAll();
    this.emit('end');
  }

  /** Writes `bytes` (held while corked, unless `direct`) and resolves with the reply. */
  private write(bytes: Buffer, direct = false): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (this.corked && !direct) this.corked.push(bytes);
      else this.socket!.write(bytes);
    });
  }

  private onReply(data: unknown): void {
    let reply = data;
    if (reply instanceof Push) {
      const [kind, channel, payload] = reply.items;
      if (!Buffer.isBuffer(kind)) return;
      if (kind.equals(MESSAGE)) {
        if (Buffer.isBuffer(channel) && Buffer.isBuffer(payload)) this.onMessage?.(channel, payload);
        return;
      }
      if (!kind.equals(SUBSCRIBE) && !kind.equals(UNSUBSCRIBE)) return;
      reply = reply.items;
    }
    const waiter = this.waiters.shift();
    if (reply instanceof ReplyError) waiter?.reject(reply);
    else waiter?.resolve(reply);
  }

  private failAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    this.corked &&= [];
    this.parser.reset();
    if (waiters.length === 0) return;
    const error = new Error(CONNECTION_CLOSED);
    for (const waiter of waiters) waiter.reject(error);
  }

  /** One connection attempt, handshake included; resolves once ready. */
  private attempt(): Promise<void> {
    const { host, port, tls, connectTimeoutMs } = this.options;
    return new Promise<void>((resolve, reject) => {
      const feed = (chunk: Buffer) => {
        try {
          this.parser.feed(chunk);
        } catch (error) {
          socket.destroy(error as Error); // a protocol error: this connection cannot be trusted any more
        }
      };
      // Plain TCP reads into one reused buffer and hands over a copy of what came (replies may be views of
      // it), without the readable stream's per-read bookkeeping; TLS reads through the stream.
      const onread = {
        buffer: readBuffer,
        callback: (n: number, buf: Uint8Array) => {
          feed(copyOf(buf, n));
          return true; // keep reading
        },
      };
      const socket = tls ? tlsConnect({ ...tls, host, port }) : tcpConnect({ host, port, onread });
      socket.setNoDelay(true);
      this.socket = socket;
      let failure: unknown;
      const timer = setTimeout(() => {
        socket.destroy(new Error(`connect ETIMEDOUT after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      if (tls) socket.on('data', feed);
      socket.on('error', (error) => {
        failure ??= error;
      });
      socket.once('close', () => {
        clearTimeout(timer);
        reject(failure ?? new Error(CONNECTION_CLOSED));
        this.onClose(socket);
      });
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        this.handshake().then(
          () => {
            clearTimeout(timer);
            if (this.socket !== socket) return;
            this.status = 'ready';
            this.attempts = 0;
            resolve();
            this.emit('ready');
          },
          (error: unknown) => {
            failure ??= error;
            socket.destroy();
          },
        );
      });
    });
  }

  /**
   * AUTH, SELECT, CLIENT SETNAME and (for RESP3) HELLO 3, written at once (never held by a cork); rejects with
   * the first error reply of AUTH, SELECT or HELLO. A refused SETNAME (an ACL without CLIENT) is ignored, as ioredis ignores it.
   */
  private handshake(): Promise<unknown> {
    const { username, password, db, name } = this.options;
    const steps: Promise<unknown>[] = [];
    if (password !== undefined) {
      const auth = username === undefined ? ['AUTH', password] : ['AUTH', username, password];
      steps.push(this.write(encodeArgs(auth), true));
    }
    if (db !== 0) steps.push(this.write(encodeArgs(['SELECT', String(db)]), true));
    steps.push(this.write(encodeArgs(['CLIENT', 'SETNAME', name]), true).catch(() => undefined));
    if (this.options.resp3) steps.push(this.write(encodeArgs(['HELLO', '3']), true));
    return Promise.all(steps);
  }

  /** The socket closed: fails what was in flight and, unless disconnected or never ready, reconnects. */
  private onClose(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.failAll();
    if (this.status === 'end' || this.status === 'connecting') return;
    this.status = 'reconnecting';
    this.retryTimer = setTimeout(
      () => {
        if (this.status === 'reconnecting') this.attempt().catch(() => undefined);
      },
      this.options.retryDelay(++this.attempts),
    );
  }
}

/** The kinds of push frames a subscribing connection gets: a published message, and the confirmations. */
const MESSAGE = Buffer.from('message', 'latin1');
const SUBSCRIBE = Buffer.from('subscribe', 'latin1');
const UNSUBSCRIBE = Buffer.from('unsubscribe', 'latin1');

/** The buffer plain TCP reads go into (shared: a read is copied out before the next one can happen). */
const readBuffer = Buffer.allocUnsafe(65_536);

/** A Buffer of its own holding the first `n` bytes of `buf`. */
function copyOf(buf: Uint8Array, n: number): Buffer {
  const chunk = Buffer.allocUnsafe(n);
  chunk.set(buf.subarray(0, n));
  return chunk;
}
