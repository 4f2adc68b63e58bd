import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMessage, MessagingError, ReservedHeaders } from '../src/index.js';
import { collector, testBus } from './helpers.js';

const OrderPlaced = defineMessage(
  'orders.placed',
  z.object({ orderId: z.string(), total: z.number().positive() }),
);

describe('typed messages with a Standard Schema (zod)', () => {
  it('validates outgoing bodies and rejects invalid ones with INVALID_ARGUMENT', async () => {
    const { bus, published } = testBus();
    const error = await bus.send(OrderPlaced, { orderId: 'A', total: -1 }).catch((e: unknown) => e);
    expect(MessagingError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/total: .*/);
    expect(published).toHaveLength(0);
    await bus.close();
  });

  it('delivers valid bodies typed, and dead-letters invalid incoming ones with DECODE_FAILED', async () => {
    const { bus, transport } = testBus();
    const handled = collector<{ orderId: string; total: number }>(1);
    await bus.receive(OrderPlaced, (message) => handled.push(message.body), { maxAttempts: 5 });
    const deadLetters = collector<string | undefined>(1);
    await bus.receive('orders.placed.dead-letter', (message) => deadLetters.push(message.failure?.errorCode));
    await transport.publish({ kind: 'queue', name: 'orders.placed' }, [
      { id: 'raw-1', body: Buffer.from('{"orderId":7}'), headers: { [ReservedHeaders.id]: 'raw-1' } },
    ]);
    await bus.send(OrderPlaced, { orderId: 'B', total: 12 });
    expect(await handled.done).toEqual([{ orderId: 'B', total: 12 }]);
    expect(await deadLetters.done).toEqual(['DECODE_FAILED']);
    await bus.close();
  });
});
