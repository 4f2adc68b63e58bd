import { describe, expect, it } from 'vitest';
import { writeUtf8 } from '../src/index.js';

describe('writeUtf8', () => {
  it.each([
    ['short ASCII', 'sb-id'],
    ['empty', ''],
    ['non-ASCII in a short string', 'héllo ☺ 中文'],
    ['a string over the fast-path length', `${'x'.repeat(100)}é`],
    ['ASCII over the fast-path length', 'y'.repeat(300)],
  ])('writes %s byte for byte as Buffer.from would, at the offset, and returns the count', (_, text) => {
    const buffer = Buffer.alloc(4 + text.length * 3, 0xee);
    const written = writeUtf8(buffer, 4, text);
    const expected = Buffer.from(text, 'utf8');
    expect(written).toBe(expected.length);
    expect(buffer.subarray(4, 4 + written)).toEqual(expected);
    expect([...buffer.subarray(0, 4)]).toEqual([0xee, 0xee, 0xee, 0xee]);
  });
});
