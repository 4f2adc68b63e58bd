import { ReservedHeaders as H, type WireMessage } from '@switchboard/core';
import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { DIRECT_REPLY_TO, fromConsumeMessage, toPublishOptions } from '../src/codec.js';

/** What a consumer would receive for publish options (the broker copies properties as they are). */
function delivered(options: ReturnType<typeof toPublishOptions>, body = Buffer.from('{}')): ConsumeMessage {
  return {
    content: body,
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q', consumerTag: 'c' },
    properties: { ...options, headers: options.headers ?? {} },
  } as unknown as ConsumeMessage;
}

describe('codec', () => {
  const base: WireMessage = {
    id: 'id-1',
    body: Buffer.from('x'),
    headers: {
      [H.id]: 'id-1',
      [H.timestamp]: '1700000000123',
      [H.correlationId]: 'c-1',
      [H.contentType]: 'text/plain',
      'x-user': 'u',
    },
    key: 'k',
  };

  it('writes id, correlation id, content type and timestamp as properties, not header-table entries', () => {
    const options = toPublishOptions(base);
    expect(options).toMatchObject({
      messageId: 'id-1',
      correlationId: 'c-1',
      contentType: 'text/plain',
      timestamp: 1700000000,
    });
    expect(options.headers).toEqual({ 'x-user': 'u', [H.key]: 'k' });
  });

  it('reads them back into the same headers, the timestamp in whole seconds', () => {
    const decoded = fromConsumeMessage(delivered(toPublishOptions(base)));
    expect(decoded.headers).toEqual({ ...base.headers, [H.timestamp]: '1700000000000', [H.key]: 'k' });
    expect(decoded.key).toBe('k');
  });

  it('writes no header table for a request, a successful reply or a send without user headers', () => {
    const reserved = { [H.id]: 'r-1', [H.timestamp]: '1700000000123', [H.contentType]: 'text/plain' };
    const request = { ...reserved, [H.correlationId]: 'r-1', [H.replyTo]: DIRECT_REPLY_TO };
    const reply = { ...reserved, [H.correlationId]: 'r-1', [H.replyStatus]: 'ok' };
    for (const headers of [reserved, request, reply]) {
      const options = toPublishOptions({ id: 'r-1', body: Buffer.from('x'), headers }, DIRECT_REPLY_TO);
      expect(options.headers).toBeUndefined();
      expect(options.timestamp).toBe(1700000000);
    }
    const failed = { ...reply, [H.replyStatus]: 'error', [H.errorCode]: 'HANDLER_ERROR' };
    expect(toPublishOptions({ id: 'r-1', body: Buffer.from('x'), headers: failed }).headers).toEqual({
      [H.replyStatus]: 'error',
      [H.errorCode]: 'HANDLER_ERROR',
    });
  });

  it('keeps an sb-ts header a raw producer wrote over the timestamp property', () => {
    const message = delivered({ ...toPublishOptions(base), headers: { [H.timestamp]: '1700000000456' } });
    expect(fromConsumeMessage(message).headers[H.timestamp]).toBe('1700000000456');
  });

  it('keeps values too long for an AMQP short string in the header table', () => {
    const long = 'é'.repeat(200);
    const message = { ...base, headers: { ...base.headers, [H.id]: long, [H.correlationId]: long } };
    const options = toPublishOptions(message);
    expect(options.messageId).toBeUndefined();
    expect(options.correlationId).toBeUndefined();
    expect(options.headers).toMatchObject({ [H.id]: long, [H.correlationId]: long });
    expect(fromConsumeMessage(delivered(options)).headers[H.id]).toBe(long);
  });

  it('leaves sb-reply-to out for direct reply-to, whose reply_to replaces it', () => {
    const request = { ...base, headers: { ...base.headers, [H.replyTo]: 'inbox-address' } };
    const options = toPublishOptions(request, DIRECT_REPLY_TO);
    expect(options.replyTo).toBe(DIRECT_REPLY_TO);
    expect(options.headers).not.toHaveProperty(H.replyTo);
  });
});
