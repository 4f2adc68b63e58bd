import type { WireMessage } from '@switchboard/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisTransport } from '../src/index.js';
import { redisUrl } from './broker.js';
import { fresh } from './helpers.js';

const url = await redisUrl();

/** A message with `headers` user headers (each an `h:` field) besides its reserved ones. */
function message(i: number, headers: number): WireMessage {
  const all: Record<string, string> = { 'sb-id': `m${i}`, 'sb-ts': '1' };
  for (let h = 0; h < headers; h++) all[`x-${h}`] = `value ${i}/${h}`;
  return { id: `m${i}`, body: Buffer.from(`body ${i}`), headers: all };
}

// The publish script (src/scripts.ts) unpacks a message of up to 64 field strings with one struct.unpack
// call and larger ones field by field; both must write exactly the packed fields.
describe.skipIf(!url)('the batch publish script', () => {
  const raw = new Redis(url ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  afterAll(() => raw.quit());

  it('writes every field of small and large messages, in order', async () => {
    const queue = fresh('publish-script');
    const stream = `sb:q:{${queue}}`;
    const transport = redisTransport({ url });
    try {
      await transport.connect();
      // 0, 2 and 31 user headers: 4, 8 and 66 field strings (66 takes the field-by-field path).
      const messages = [message(0, 0), message(1, 2), message(2, 31), message(3, 2)];
      await transport.publish({ kind: 'queue', name: queue }, messages);
      const entries = await raw.xrange(stream, '-', '+');
      expect(entries.map(([, fields]) => fields)).toEqual(
        messages.map((m) => [
          'body',
          Buffer.from(m.body).toString(),
          'sb',
          JSON.stringify({ 'sb-id': m.headers['sb-id'], 'sb-ts': '1' }),
          ...Object.entries(m.headers)
            .filter(([name]) => !name.startsWith('sb-'))
            .flatMap(([name, value]) => [`h:${name}`, value]),
        ]),
      );
    } finally {
      await transport.close();
      await raw.del(stream);
    }
  });
});
