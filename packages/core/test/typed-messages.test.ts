import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_BACKOFF, defineMessage, MessagingError, ReservedHeaders } from '../src/index.js';
import { collector, recordingTransport, testBus } from './helpers.js';

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

describe('undecodable messages', () => {
  it('dead-letters a delivery the transport marks invalid, and the dead letter is readable with raw bytes', async () => {
    const { bus, transport } = testBus();
    const handled = collector<unknown>(1);
    await bus.receive('raw.q', (message) => handled.push(message.body));
    const deadLetters = collector<{ body: unknown; code: string | undefined }>(1);
    await bus.receive('raw.q.dead-letter', (message) =>
      deadLetters.push({ body: message.body, code: message.failure?.errorCode }),
    );
    await transport.publish({ kind: 'queue', name: 'raw.q' }, [
      { id: 'bad', body: Buffer.from('{not json'), headers: {} },
    ]);
    await bus.send('raw.q', 'fine');
    expect(await handled.done).toEqual(['fine']);
    const [dead] = await deadLetters.done;
    expect(dead?.code).toBe('DECODE_FAILED');
    expect(Buffer.from(dead?.body as Uint8Array).toString()).toBe('{not json');
    await bus.close();
  });
});

describe('Delivery.invalid', () => {
  it('is dead-lettered with DECODE_FAILED and the reason, without calling the handler', async () => {
    const { processDelivery } = await import('../src/bus/processor.js');
    const { CodecSet, defaultCodecs } = await import('../src/codec/codec.js');
    const { transport, published } = recordingTransport();
    let acked = 0;
    let handled = 0;
    await processDelivery(
      {
        body: new Uint8Array(),
        headers: {},
        redeliveries: 0,
        invalid: 'the stream entry has no body field',
        ack: async () => void acked++,
        nack: async () => {},
      },
      {
        transport,
        codecs: new CodecSet(defaultCodecs),
        definition: undefined,
        middleware: [],
        handler: () => void handled++,
        context: { signal: new AbortController().signal },
        signal: new AbortController().signal,
        report: () => {},
        policy: {
          source: { kind: 'queue', name: 'inv' },
          group: undefined,
          maxAttempts: 3,
          backoff: DEFAULT_BACKOFF,
          deadLetter: 'inv.dead-letter',
        },
      },
    );
    expect(handled).toBe(0);
    expect(acked).toBe(1);
    expect(published[0]?.destination.name).toBe('inv.dead-letter');
    expect(published[0]?.messages[0]?.headers[ReservedHeaders.errorCode]).toBe('DECODE_FAILED');
    expect(published[0]?.messages[0]?.headers[ReservedHeaders.error]).toContain('no body field');
    await transport.close();
  });
});
