import { Command } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { encodeArgs, FixedCommand } from '../src/resp-command.js';

/** The bytes ioredis itself writes for `args` (args[0] the command name). */
function ioredisBytes(args: (string | number | Buffer)[]): Buffer {
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

// A riding reply's EVALSHA is encoded per call by the adapter; byte for byte what ioredis writes.
describe('encodeArgs', () => {
  const packed = Buffer.from([0, 0, 0, 2, 0, 0, 0, 4, 0x62, 0x6f, 0x64, 0x79, 0xff, 0x0d, 0x0a]);
  const cases: (string | Buffer)[][] = [
    ['evalsha', 'a'.repeat(40), '2', 'sb:inbox:{6c1f0c5e}', 'sb:inbox:{6c1f0c5e}:replies', packed, '3600000'],
    ['evalsha', 'b'.repeat(40), '2', 'sb:inbox:{grüße ☃ 𝄞}', 'x', Buffer.alloc(0), '1'],
    ['set', 'k', 'välue', Buffer.from('tail'), ''],
  ];

  it.each(cases.map((args, i) => [i, args] as const))(
    'case %i is encoded as ioredis encodes it',
    (_, args) => {
      expect(encodeArgs(args).equals(ioredisBytes([...args]))).toBe(true);
    },
  );
});
