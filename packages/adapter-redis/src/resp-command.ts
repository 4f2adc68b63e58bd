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
