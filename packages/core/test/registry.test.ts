import { describe, expect, it } from 'vitest';
import {
  ADAPTER_PACKAGES,
  connect,
  createBus,
  MessagingError,
  memoryTransport,
  redactUrl,
  registerAdapterPackage,
  registerTransport,
} from '../src/index.js';

async function errorOf(promise: Promise<unknown>): Promise<MessagingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MessagingError);
  return error as MessagingError;
}

describe('connect(url)', () => {
  it('connects memory:// buses of one name to the same broker', async () => {
    const a = await connect('memory://registry-test');
    const b = await connect('memory://registry-test');
    const received = new Promise((resolve) => void b.receive('registry.q', (m) => resolve(m.body)));
    await a.send('registry.q', 'across buses');
    expect(await received).toBe('across buses');
    await Promise.all([a.close(), b.close()]);
  });

  it('names the package to install when an adapter is missing, and never prints the password', async () => {
    registerAdapterPackage('sbmissing', '@switchboard/adapter-that-does-not-exist');
    const error = await errorOf(connect('sbmissing://user:s3cret@127.0.0.1:1'));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain('npm install @switchboard/adapter-that-does-not-exist');
    expect(error.message).not.toContain('s3cret');
  });

  it('maps each broker scheme to its adapter package', () => {
    expect(ADAPTER_PACKAGES).toEqual({
      amqp: '@switchboard/adapter-rabbitmq',
      amqps: '@switchboard/adapter-rabbitmq',
      redis: '@switchboard/adapter-redis',
      rediss: '@switchboard/adapter-redis',
      kafka: '@switchboard/adapter-kafka',
      nats: '@switchboard/adapter-nats',
    });
  });

  it('rejects unknown schemes and malformed URLs with clear errors', async () => {
    const unknown = await errorOf(connect('mqtt://127.0.0.1:1883'));
    expect(unknown.code).toBe('UNSUPPORTED');
    expect(unknown.message).toMatch(/no adapter for "mqtt:" URLs — use one of memory, amqp/);
    const malformed = await errorOf(connect('not a url at all'));
    expect(malformed.code).toBe('INVALID_ARGUMENT');
    expect((await errorOf(connect(''))).code).toBe('INVALID_ARGUMENT');
  });

  it('uses a registered transport for a custom scheme', async () => {
    registerTransport('test-mem', () => memoryTransport({ broker: 'custom-scheme' }));
    const bus = await connect('test-mem://anything');
    expect(bus.transport.name).toBe('memory');
    await bus.close();
  });
});

describe('redactUrl', () => {
  it('hides passwords and bare tokens, in lists too', () => {
    expect(redactUrl('amqp://guest:guest@127.0.0.1:5672/vh')).toBe('amqp://guest:***@127.0.0.1:5672/vh');
    expect(redactUrl('nats://tok3n@a:4222,nats://u:p@b:4222')).toBe('nats://***@a:4222,nats://u:***@b:4222');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('request()', () => {
  it('counts connecting and opening the inbox against its timeout (a stuck inbox ends in TIMEOUT)', async () => {
    const transport = memoryTransport({ broker: 'stuck-inbox' });
    transport.openInbox = () => new Promise(() => {});
    const bus = createBus({ transport });
    const error = await errorOf(bus.request('anyone', 'ping', { timeoutMs: 50 }));
    expect(error.code).toBe('TIMEOUT');
    await bus.close();
  });
});
