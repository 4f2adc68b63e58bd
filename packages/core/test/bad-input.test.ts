import { describe, expect, it } from 'vitest';
import { MessagingError } from '../src/index.js';
import { testBus } from './helpers.js';

async function expectCode(promise: Promise<unknown>, code: string, text?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MessagingError);
  expect((error as MessagingError).code).toBe(code);
  if (text) expect((error as MessagingError).message).toMatch(text);
}

describe('bad input is rejected before anything is sent', () => {
  it('rejects empty and invalid destination names', async () => {
    const { bus, published } = testBus();
    await expectCode(bus.send('', 1), 'INVALID_ARGUMENT', /non-empty/);
    await expectCode(bus.send('has space', 1), 'INVALID_ARGUMENT', /may only contain/);
    await expectCode(bus.publish('x'.repeat(201), 1), 'INVALID_ARGUMENT', /longer than 200/);
    await expectCode(bus.send(42 as unknown as string, 1), 'INVALID_ARGUMENT');
    await expectCode(bus.send(null as unknown as string, 1), 'INVALID_ARGUMENT', /got null/);
    await expectCode(bus.publish(undefined as unknown as string, 1), 'INVALID_ARGUMENT', /got undefined/);
    await expectCode(bus.request(null as unknown as string, 1), 'INVALID_ARGUMENT', /got null/);
    await expectCode(
      bus.receive(null as unknown as string, () => undefined) as unknown as Promise<unknown>,
      'INVALID_ARGUMENT',
    );
    expect(published).toHaveLength(0);
    await bus.close();
  });

  it('rejects bodies the codec cannot encode: BigInt and circular structures', async () => {
    const { bus, published } = testBus();
    await expectCode(bus.send('q', { n: 10n }), 'INVALID_ARGUMENT', /BigInt/);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expectCode(bus.send('q', circular), 'INVALID_ARGUMENT', /circular/i);
    expect(published).toHaveLength(0);
    await bus.close();
  });

  it('rejects non-string header values, reserved-prefix and over-long header keys', async () => {
    const { bus, published } = testBus();
    await expectCode(
      bus.send('q', 1, { headers: { n: 5 as unknown as string } }),
      'INVALID_ARGUMENT',
      /must be a string/,
    );
    await expectCode(bus.send('q', 1, { headers: { 'sb-id': 'x' } }), 'INVALID_ARGUMENT', /reserved prefix/);
    await expectCode(
      bus.send('q', 1, { headers: { 'SB-Attempt': 'x' } }),
      'INVALID_ARGUMENT',
      /reserved prefix/,
    );
    await expectCode(
      bus.send('q', 1, { headers: { ['k'.repeat(257)]: 'x' } }),
      'INVALID_ARGUMENT',
      /1 to 256/,
    );
    expect(published).toHaveLength(0);
    await bus.close();
  });

  it('rejects options out of range', async () => {
    const { bus, published } = testBus();
    await expectCode(bus.send('q', 1, { delayMs: -1 }), 'INVALID_ARGUMENT', /delayMs/);
    await expectCode(bus.send('q', 1, { priority: 3 }), 'UNSUPPORTED', /priority/);
    await expectCode(bus.request('q', 1, { timeoutMs: -5 }), 'INVALID_ARGUMENT', /timeoutMs/);
    await expectCode(
      bus.receive('q', () => {}, { maxAttempts: 0 }),
      'INVALID_ARGUMENT',
      /maxAttempts/,
    );
    await expectCode(
      bus.receive('q', () => {}, { concurrency: 1.5 }),
      'INVALID_ARGUMENT',
      /whole number/,
    );
    await expectCode(bus.receive('q', 'not a function' as never), 'INVALID_ARGUMENT', /must be a function/);
    await expectCode(
      bus.subscribe('t', () => {}, { startFrom: 'earliest' }),
      'UNSUPPORTED',
      /replay/,
    );
    expect(() => testBus({ drainTimeoutMs: -1 })).toThrow(/drainTimeoutMs/);
    expect(published).toHaveLength(0);
    await bus.close();
  });

  it('rejects a body over the payload limit with PAYLOAD_TOO_LARGE and sends the next one', async () => {
    const { bus, transport, published } = testBus();
    const limit = transport.capabilities.maxPayloadBytes;
    await expectCode(
      bus.send('q', new Uint8Array(limit + 1)),
      'PAYLOAD_TOO_LARGE',
      /store large data elsewhere/,
    );
    await bus.send('q', new Uint8Array(limit));
    expect(published).toHaveLength(1);
    await bus.close();
  });

  it('rejects everything with CLOSED after close, and close twice is fine', async () => {
    const { bus } = testBus();
    await bus.close();
    await bus.close();
    await expectCode(bus.send('q', 1), 'CLOSED');
    await expectCode(
      bus.receive('q', () => {}),
      'CLOSED',
    );
    await expectCode(bus.request('q', 1), 'CLOSED');
  });
});
