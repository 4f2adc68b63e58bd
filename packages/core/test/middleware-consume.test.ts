import { describe, expect, it } from 'vitest';
import { collector, testBus } from './helpers.js';

describe('middleware', () => {
  it('runs send hooks before encoding and handle hooks around handlers, outermost first', async () => {
    const { bus } = testBus();
    const order: string[] = [];
    bus
      .use({
        send: (context, next) => {
          context.headers.traceparent = '00-trace-01';
          return next();
        },
        handle: async (_message, _context, next) => {
          order.push('outer-before');
          const result = await next();
          order.push('outer-after');
          return result;
        },
      })
      .use({
        handle: (_m, _c, next) => {
          order.push('inner');
          return next();
        },
      });
    const got = collector<Record<string, string>>(1);
    await bus.receive('mw.q', (message) => {
      order.push('handler');
      got.push({ ...message.headers });
    });
    await bus.send('mw.q', 'x');
    expect(await got.done).toEqual([{ traceparent: '00-trace-01' }]);
    await bus.close();
    expect(order).toEqual(['outer-before', 'inner', 'handler', 'outer-after']);
  });
});

describe('consume()', () => {
  it('yields messages in order, acks on next, and leaves unsettled ones for the next consumer', async () => {
    const { bus } = testBus();
    for (let i = 0; i < 5; i++) await bus.send('consume.q', i);
    const seen: number[] = [];
    for await (const message of bus.consume<number>('consume.q', { prefetch: 2 })) {
      seen.push(message.body);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 1, 2]);
    const rest: number[] = [];
    for await (const message of bus.consume<number>('consume.q')) {
      rest.push(message.body);
      await message.ack();
      if (rest.length === 3) break;
    }
    expect(rest).toEqual([2, 3, 4]);
    await bus.close();
  });

  it('retry() applies the failure policy and attempt grows', async () => {
    const { bus } = testBus();
    await bus.send('consume.retry', 'x');
    const attempts: number[] = [];
    for await (const message of bus.consume('consume.retry', { backoff: { initialMs: 1 } })) {
      attempts.push(message.attempt);
      if (message.attempt < 3) await message.retry(new Error('again'));
      else break;
    }
    expect(attempts).toEqual([1, 2, 3]);
    await bus.close();
  });
});

describe('close()', () => {
  it('waits for in-flight handlers, and aborts their signal after the drain timeout', async () => {
    const { bus } = testBus({ drainTimeoutMs: 50 });
    const started = collector<AbortSignal>(2);
    let finished = 0;
    await bus.receive(
      'close.q',
      async (message, { signal }) => {
        started.push(signal);
        if (message.body === 'slow')
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        else await new Promise((resolve) => setImmediate(resolve));
        finished++;
      },
      { concurrency: 2 },
    );
    await bus.send('close.q', 'quick');
    await bus.send('close.q', 'slow');
    const [quickSignal] = await started.done;
    await bus.close();
    expect(finished).toBe(2);
    expect(quickSignal?.aborted).toBe(true);
  });
});
