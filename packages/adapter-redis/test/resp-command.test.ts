import { Command } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { FixedCommand } from '../src/resp-command.js';

/** The bytes ioredis itself writes for `args` (args[0] the command name). */
function ioredisBytes(args: (string | number)[]): Buffer {
  const [name, ...rest] = args;
  const command = new Command(String(name), rest, { replyEncoding: null });
  command.promise.catch(() => undefined);
  const written = command.toWritable({});
  return typeof written === 'string' ? Buffer.from(written, 'utf8') : written;
}

/** The bytes a FixedCommand writes. */
function fixedBytes(args: (string | number)[]): Buffer {
  return (new FixedCommand(args) as unknown as { bytes: Buffer }).bytes;
}

// Blocking reads are encoded once by the adapter (src/resp-command.ts); byte for byte what ioredis writes.
describe('FixedCommand', () => {
  const cases: (string | number)[][] = [
    [
      'XREADGROUP',
      'GROUP',
      'switchboard',
      'host:12:ab12cd34',
      'COUNT',
      100,
      'BLOCK',
      1000,
      'STREAMS',
      'sb:q:{q}',
      '>',
    ],
    ['XREADGROUP', 'GROUP', 'grüppe ☃', 'c', 'COUNT', 1, 'BLOCK', 0, 'STREAMS', 'sb:t:{tö𝄞}', '>'],
    ['BLMPOP', '0.5', 1, 'sb:inbox:{6c1f0c5e}:replies', 'RIGHT', 'COUNT', 100],
  ];

  it.each(cases.map((args) => [args[0], args] as const))('%s is encoded as ioredis encodes it', (_, args) => {
    expect(fixedBytes([...args]).equals(ioredisBytes([...args]))).toBe(true);
  });
});
