import { Command, Redis } from 'ioredis';
import type { Client } from './connection.js';

/**
 * An ioredis command whose request bytes were encoded once, for a command a connection sends again and
 * again unchanged (a reading connection's blocking read). ioredis' own `Command` flattens, checks and
 * stringifies its arguments and builds the request text on every call; this one carries the finished
 * bytes and otherwise behaves like any command (its reply, errors, reconnection). It has no arguments of
 * its own, so it is only for standalone connections: a cluster needs the keys to route a command.
 */
class EncodedCommand extends Command {
  private readonly bytes: Buffer;

  constructor(name: string, bytes: Buffer) {
    super(name, [], { replyEncoding: null });
    this.bytes = bytes;
  }

  override toWritable(): Buffer {
    return this.bytes;
  }
}

/** A command encoded once and sent as often as needed; replies come back as Buffers (like `callBuffer`). */
export class FixedCommand {
  private readonly name: string;
  private readonly bytes: Buffer;

  /** `args[0]` is the command's name; numbers are sent as their decimal text, strings as UTF-8. */
  constructor(private readonly args: readonly (string | number)[]) {
    this.name = String(args[0]).toLowerCase();
    const parts = [`*${args.length}\r\n`];
    for (const arg of args) {
      const text = String(arg);
      parts.push(`$${Buffer.byteLength(text, 'utf8')}\r\n${text}\r\n`);
    }
    this.bytes = Buffer.from(parts.join(''), 'utf8');
  }

  /** Sends the command on `connection` (through ioredis' own encoding on a cluster connection). */
  send<T>(connection: Client): Promise<T> {
    if (connection instanceof Redis)
      return connection.sendCommand(new EncodedCommand(this.name, this.bytes)) as Promise<T>;
    const [name, ...rest] = this.args;
    return connection.callBuffer(String(name), ...rest) as Promise<T>;
  }
}

/**
 * Sends a command whose arguments are strings and Buffers, encoded here in one Buffer (what ioredis writes
 * for them, without its Command's argument flattening and mixed-buffer assembly), on a standalone
 * connection; replies come back as Buffers. For a riding reply (an EVALSHA carrying a packed reply).
 */
export function sendEncoded<T>(connection: Redis, args: readonly (string | Buffer)[]): Promise<T> {
  const bytes = encodeArgs(args);
  return connection.sendCommand(new EncodedCommand(String(args[0]).toLowerCase(), bytes)) as Promise<T>;
}

/** The RESP array of bulk strings of `args` (strings as UTF-8), as ioredis would write it. */
export function encodeArgs(args: readonly (string | Buffer)[]): Buffer {
  let size = 16;
  for (const arg of args) size += 16 + (typeof arg === 'string' ? arg.length * 3 : arg.length);
  const out = Buffer.allocUnsafe(size);
  // The text between two Buffer arguments goes out in one write.
  let text = `*${args.length}\r\n`;
  let at = 0;
  for (const arg of args) {
    if (typeof arg === 'string') {
      text += `$${Buffer.byteLength(arg, 'utf8')}\r\n${arg}\r\n`;
      continue;
    }
    at += out.write(`${text}$${arg.length}\r\n`, at, 'utf8');
    at += arg.copy(out, at);
    text = '\r\n';
  }
  at += out.write(text, at, 'utf8');
  return out.subarray(0, at);
}
