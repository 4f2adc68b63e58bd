import type { WireMessage } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { encodeFields } from '../src/codec.js';
import { encodeArgs } from '../src/resp-command.js';
import { encodePublish, encodeXadd, xaddHead } from '../src/resp-writer.js';

// The direct encoders of a request's XADD and a reply's PUBLISH write, byte for byte, what the generic
// path (encodeFields + encodeArgs, itself checked against ioredis in resp-command.test.ts) writes.

const NOW = 1_795_785_005_296;
const binary = new Uint8Array(300).map((_, i) => (i * 37) & 0xff);
const ascii = new TextEncoder().encode('{"order":42,"items":["a","b"]}');
const long = 'x'.repeat(70);

const messages: [string, WireMessage][] = [
  [
    'a request (binary body, ttl, reserved headers)',
    {
      id: 'mitVSlz5w8a83',
      body: binary,
      ttlMs: 5000,
      headers: {
        'sb-id': 'mitVSlz5w8a83',
        'sb-ts': String(NOW),
        'sb-content-type': 'application/octet-stream',
        'sb-correlation-id': 'mitVSlz5w8a83',
        'sb-reply-to': 'sb:reply:65ff950d-bd9d-4a62-9142-fa31110f05f6',
      },
    },
  ],
  ['an ASCII body, no headers', { id: 'a', body: ascii, headers: {} }],
  ['an empty body', { id: 'e', body: new Uint8Array(0), headers: { 'sb-id': 'e' } }],
  [
    'a key, user headers, non-ASCII and long values',
    {
      id: 'ü',
      body: ascii,
      key: 'kunde-ß',
      headers: {
        'sb-id': 'ü☃',
        'sb-type': long,
        tenant: 'acme',
        'grüße ☃': 'wert 𝄞',
        [long]: long,
        empty: '',
      },
    },
  ],
  [
    'a body of ten thousand bytes (a five-digit length)',
    { id: 'big', body: new Uint8Array(10_000).fill(7), headers: { 'sb-id': 'big' } },
  ],
];

describe('encodeXadd', () => {
  const heads = [
    ['sb:q:{orders}', 'MAXLEN', '~', '1000000', '*'],
    ['sb:t:{grüße}', '*'],
  ];
  for (const args of heads) {
    it.each(messages)(
      `%s, after ${args.length} head arguments, is encoded as encodeArgs encodes it`,
      (_, message) => {
        const expected = encodeArgs(['XADD', ...encodeFields(message, [...args], NOW)]);
        expect(encodeXadd(xaddHead(args), message, NOW).equals(expected)).toBe(true);
      },
    );
  }
});

describe('encodePublish', () => {
  it.each([
    ['sb:reply:65ff950d-bd9d-4a62-9142-fa31110f05f6', binary],
    ['app:reply:ümlaut ☃', new Uint8Array(0)],
    [long, new Uint8Array(12_345).fill(0x0d)],
  ] as const)('PUBLISH %s is encoded as encodeArgs encodes it', (channel, payload) => {
    const expected = encodeArgs(['PUBLISH', channel, Buffer.from(payload)]);
    expect(encodePublish(channel, payload).equals(expected)).toBe(true);
  });
});
