import { Cluster } from 'ioredis';
import type { Reader } from './connection.js';

/**
 * A command a connection sends again and again unchanged (a reading connection's blocking read), encoded
 * once; replies come back as Buffers (like `callBuffer`). On a cluster it goes through ioredis' own
 * encoding: the cluster needs the keys to route the command.
 */
export class FixedCommand {
  private readonly bytes: Buffer;

  /** `args[0]` is the command's name; numbers are sent as their decimal text, strings as UTF-8. */
  constructor(private readonly args: readonly (string | number)[]) {
    const parts = [`*${args.length}\r\n`];
    for (const arg of args) {
      const text = String(arg);
      parts.push(`$${Buffer.byteLength(text, 'utf8')}\r\n${text}\r\n`);
    }
    this.bytes = Buffer.from(parts.join(''), 'utf8');
  }

  /** Sends the command on `connection`. */
  send<T>(connection: Reader): Promise<T> {
    if (!(connection instanceof Cluster)) return connection.send(this.bytes) as Promise<T>;
    const [name, ...rest] = this.args;
    return connection.callBuffer(String(name), ...rest) as Promise<T>;
  }
}

/**
 * The RESP array of bulk strings of `args` (strings as UTF-8), as ioredis would write it: what a
 * LeanConnection sends. The text between two Buffer arguments is written to the Buffer in one call.
 */
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
