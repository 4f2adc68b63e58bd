import { describe, expect, it } from 'vitest';
import { createBus, type MessagingError, memoryTransport, type PublishOptions } from '../src/index.js';

function timers(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
}

describe('send deadlines', () => {
  it('a publish the broker never confirms rejects with a retryable TIMEOUT and its signal aborts', async () => {
    const transport = memoryTransport({ broker: 'never-confirms' });
    const signals: AbortSignal[] = [];
    transport.publish = (_destination, _messages, options?: PublishOptions) => {
      if (options?.signal) signals.push(options.signal);
      return new Promise(() => {});
    };
    const bus = createBus({ transport, sendTimeoutMs: 40 });
    const outcomes = await Promise.allSettled([bus.send('q', 1), bus.send('other', 2)]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as MessagingError;
      expect(error.code).toBe('TIMEOUT');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('did not confirm');
    }
    expect(signals.length).toBe(2);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    await bus.close();
  });

  it('confirmed sends leave no deadline timer behind, and later sends still work', async () => {
    const bus = createBus({ transport: memoryTransport({ broker: 'confirms' }), sendTimeoutMs: 60_000 });
    await bus.send('warm-up', 0);
    const before = timers();
    await Promise.all(Array.from({ length: 50 }, (_, i) => bus.send(`q${i % 5}`, i)));
    expect(timers()).toBe(before);
    await expect(bus.send('q0', 'again')).resolves.toHaveProperty('id');
    expect(timers()).toBe(before);
    await bus.close();
  });

  it('a publish that fails rejects its sends with the transport error, others in the bucket are unaffected', async () => {
    const transport = memoryTransport({ broker: 'fails-one' });
    const publish = transport.publish.bind(transport);
    transport.publish = (destination, messages, options) =>
      destination.name === 'bad'
        ? Promise.reject(new Error('refused'))
        : publish(destination, messages, options);
    const bus = createBus({ transport });
    const [bad, good] = await Promise.allSettled([bus.send('bad', 1), bus.send('good', 2)]);
    expect(bad.status).toBe('rejected');
    expect(((bad as PromiseRejectedResult).reason as Error).message).toBe('refused');
    expect(good.status).toBe('fulfilled');
    await bus.close();
  });
});
