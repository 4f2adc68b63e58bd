import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DeadlineHolder, Deadlines } from '../src/bus/deadlines.js';
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

describe('deadline buckets', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function holder(): DeadlineHolder & { expiredCalls: number } {
    return {
      expiredCalls: 0,
      expired() {
        this.expiredCalls++;
      },
    };
  }

  it('holders that come and go within the width share one bucket whose timer is unreferenced while empty', () => {
    vi.useFakeTimers();
    const deadlines = new Deadlines(1000);
    const first = holder();
    const bucket = deadlines.hold(first);
    expect(bucket.timer?.hasRef()).toBe(true);
    deadlines.release(bucket, first);
    expect(deadlines.idle).toBe(true);
    expect(bucket.timer?.hasRef()).toBe(false);
    vi.advanceTimersByTime(50);
    const second = holder();
    expect(deadlines.hold(second)).toBe(bucket);
    expect(bucket.timer?.hasRef()).toBe(true);
    deadlines.release(bucket, second);
    vi.advanceTimersByTime(2000);
    expect(first.expiredCalls + second.expiredCalls).toBe(0);
    expect(bucket.controller.signal.aborted).toBe(false);
  });

  it('a holder still held at its deadline expires once, no earlier than the timeout, and its signal aborts', () => {
    vi.useFakeTimers();
    const deadlines = new Deadlines(1000);
    const late = holder();
    const bucket = deadlines.hold(late);
    vi.advanceTimersByTime(999);
    expect(late.expiredCalls).toBe(0);
    vi.advanceTimersByTime(101);
    expect(late.expiredCalls).toBe(1);
    expect(bucket.controller.signal.aborted).toBe(true);
    deadlines.release(bucket, late);
    vi.advanceTimersByTime(5000);
    expect(late.expiredCalls).toBe(1);
  });

  it('a holder arriving after the width gets a new bucket; the old empty one lets go of its timer', () => {
    vi.useFakeTimers();
    const deadlines = new Deadlines(1000, { share: 0.02, maxMs: 100 });
    const first = holder();
    const old = deadlines.hold(first);
    vi.advanceTimersByTime(20);
    const second = holder();
    const next = deadlines.hold(second);
    expect(next).not.toBe(old);
    deadlines.release(old, first);
    expect(old.timer).toBeUndefined();
    vi.advanceTimersByTime(1000);
    expect(second.expiredCalls).toBe(0);
    vi.advanceTimersByTime(40);
    expect(second.expiredCalls).toBe(1);
  });
});

describe('request deadlines', () => {
  it('sequential requests leave no referenced timer behind', async () => {
    const bus = createBus({ transport: memoryTransport({ broker: 'request-timers' }) });
    await bus.reply<number, number>('double', (message) => message.body * 2);
    await bus.request('double', 0);
    const before = timers();
    for (let i = 1; i <= 20; i++) await expect(bus.request('double', i)).resolves.toBe(i * 2);
    expect(timers()).toBe(before);
    await bus.close();
  });

  it('a request without a reply rejects with TIMEOUT; one aborted meanwhile with CANCELLED', async () => {
    const bus = createBus({ transport: memoryTransport({ broker: 'request-timeouts' }) });
    await bus.receive('silent', () => undefined);
    const controller = new AbortController();
    const timedOut = bus.request('silent', 1, { timeoutMs: 30 });
    const aborted = bus.request('silent', 2, { timeoutMs: 30, signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(timedOut).rejects.toMatchObject({ code: 'TIMEOUT' });
    await bus.close();
  });
});

describe('requests sharing a correlation id', () => {
  it('two requests with the same id, neither answered, both reject with TIMEOUT', async () => {
    const bus = createBus({ transport: memoryTransport({ broker: 'same-id' }) });
    await bus.receive('silent', () => undefined);
    const first = bus.request('silent', 1, { id: 'same', timeoutMs: 20 });
    const second = bus.request('silent', 2, { id: 'same', timeoutMs: 40 });
    await expect(first).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(second).rejects.toMatchObject({ code: 'TIMEOUT' });
    await bus.close();
  });
});
