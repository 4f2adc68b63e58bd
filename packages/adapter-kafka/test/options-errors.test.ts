import { MessagingError } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { fromRecord, RETRY_GROUP_HEADER, toRecord } from '../src/codec.js';
import { toMessagingError } from '../src/errors.js';
import { kafkaTransport, transportFromUrl } from '../src/index.js';
import { optionsFromUrl, resolveOptions } from '../src/options.js';
import { checkTopicName } from '../src/topics.js';

describe('options', () => {
  it('reads brokers, credentials and settings from a URL', () => {
    const options = optionsFromUrl(
      'kafka://al%40ice:s3cr%3At@h1:9092,h2?partitions=6&sasl=scram-sha-512&clientId=x',
    );
    expect(options.brokers).toEqual(['h1:9092', 'h2:9092']);
    expect(options.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'al@ice', password: 's3cr:t' });
    expect(options.partitions).toBe(6);
    expect(options.clientId).toBe('x');
    expect(optionsFromUrl('kafkas://h:1').ssl).toBe(true);
  });

  it('applies defaults', () => {
    const resolved = resolveOptions({ brokers: ['127.0.0.1:9092'] });
    expect(resolved).toMatchObject({
      partitions: 3,
      idempotent: true,
      sessionTimeoutMs: 10_000,
      compression: 'none',
    });
  });

  it.each([
    [{ brokers: [] }],
    [{ brokers: ['no-port'] }],
    [{ brokers: ['h:1'], partitions: 0 }],
    [{ brokers: ['h:1'], sessionTimeoutMs: 1.5 }],
    [{ brokers: ['h:1'], compression: 'zstd' as 'gzip' }],
  ])('rejects %j with INVALID_ARGUMENT', (options) => {
    expect(() => kafkaTransport(options)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('rejects a malformed URL without printing its password', () => {
    try {
      transportFromUrl('kafka://user:hunter2@h:1/path/x');
      expect.unreachable();
    } catch (error) {
      expect(MessagingError.is(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(String((error as Error).message)).not.toContain('hunter2');
    }
  });

  it('rejects topic names Kafka refuses', () => {
    for (const name of ['a:b', 'a/b', '.', '..', 'x'.repeat(250)]) {
      expect(() => checkTopicName(name)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(checkTopicName('orders.v1_eu-west')).toBe('orders.v1_eu-west');
  });
});

describe('codec', () => {
  it('round-trips body, headers and key, and strips the retry routing header', () => {
    const body = new Uint8Array([0, 255, 1]);
    const record = toRecord({ id: 'i', body, headers: { a: '☺', 'sb-id': 'i' }, key: 'k' }, 1_000, 'g1');
    expect(record.headers[RETRY_GROUP_HEADER]).toBe('g1');
    const back = fromRecord({
      key: record.key ?? null,
      value: record.value,
      headers: Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)])),
    });
    expect(back.body).toEqual(body);
    expect(back.headers).toEqual({ a: '☺', 'sb-id': 'i' });
    expect(record.timestamp).toBe('1000'); // no sb-ts: the record is stamped with the time of writing
    expect(back.key).toBe('k');
    expect(back.retryGroup).toBe('g1');
  });

  it('carries a recent sb-ts as the record timestamp, and an old or malformed one as a header', () => {
    const now = 1_700_000_000_000;
    const message = (ts: string) => ({
      id: 'i',
      body: new Uint8Array(0),
      headers: { 'sb-id': 'i', 'sb-ts': ts },
    });
    const recent = toRecord(message(String(now - 5_000)), now);
    expect(recent.headers).toEqual({ 'sb-id': 'i' });
    expect(recent.timestamp).toBe(String(now - 5_000));
    expect(fromRecord({ key: null, value: null, timestamp: recent.timestamp }).headers).toEqual({
      'sb-ts': String(now - 5_000),
    });
    for (const ts of [String(now - 3_600_000), '17e11', '']) {
      const kept = toRecord(message(ts), now);
      expect(kept.headers['sb-ts']).toBe(ts);
      expect(kept.timestamp).toBe(String(now));
      // The header wins over the record timestamp when both are present.
      const back = fromRecord({
        key: null,
        value: null,
        timestamp: kept.timestamp,
        headers: { 'sb-ts': ts },
      });
      expect(back.headers['sb-ts']).toBe(ts);
    }
  });

  it('reads a raw record without value or headers as an empty body with no headers', () => {
    expect(fromRecord({ key: null, value: null })).toEqual({
      body: new Uint8Array(0),
      headers: {},
      key: undefined,
      retryGroup: undefined,
    });
  });
});

describe('error table', () => {
  it.each([
    [
      { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false },
      'PAYLOAD_TOO_LARGE',
      false,
    ],
    [
      { name: 'KafkaJSProtocolError', type: 'SASL_AUTHENTICATION_FAILED', retriable: false },
      'UNAUTHENTICATED',
      false,
    ],
    [{ name: 'KafkaJSSASLAuthenticationError', retriable: false }, 'UNAUTHENTICATED', false],
    [
      { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false },
      'PERMISSION_DENIED',
      false,
    ],
    [{ name: 'KafkaJSConnectionError', retriable: true }, 'UNAVAILABLE', true],
    [{ name: 'KafkaJSRequestTimeoutError', retriable: true }, 'TIMEOUT', true],
    [
      {
        name: 'KafkaJSNumberOfRetriesExceeded',
        originalError: { name: 'KafkaJSConnectionError', retriable: true },
      },
      'UNAVAILABLE',
      true,
    ],
    [
      { name: 'KafkaJSNonRetriableError', message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1' },
      'UNAVAILABLE',
      true,
    ],
    [{ name: 'Weird', retriable: false }, 'INTERNAL', false],
  ])('maps %j to %s', (native, code, retryable) => {
    const error = toMessagingError(Object.assign(new Error('native'), native), 'cannot do x');
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toMatch(/^\[adapter-kafka\] cannot do x: /);
    expect(error.cause).toBeDefined();
  });
});
