import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/bus/dispatcher.js';
import { createBus, type Delivery, type DeliveryHandler, memoryTransport, SETTLED } from '../src/index.js';
import { RESOLVED } from '../src/util/defer.js';
import { IntrusiveList, type Linked } from '../src/util/intrusive-list.js';

describe('IntrusiveList', () => {
  interface Item extends Linked<Item> {
    n: number;
  }
  const item = (n: number): Item => ({ n, prev: undefined, next: undefined });

  it('keeps insertion order, deletes from anywhere once, and counts', () => {
    const list = new IntrusiveList<Item>();
    const items = [1, 2, 3, 4].map(item);
    for (const i of items) list.add(i);
    expect(list.delete(items[1]!)).toBe(true);
    expect(list.delete(items[1]!)).toBe(false);
    expect(list.delete(items[0]!)).toBe(true);
    expect(list.delete(items[3]!)).toBe(true);
    expect(list.toArray().map((i) => i.n)).toEqual([3]);
    expect(list.size).toBe(1);
    list.add(items[0]!);
    expect(list.toArray().map((i) => i.n)).toEqual([3, 1]);
    expect(list.delete(item(9))).toBe(false);
  });
});

describe('Dispatcher with synchronous processing', () => {
  const delivery = (key: string | undefined, n: number): Delivery =>
    ({ key, headers: { n: String(n) }, body: new Uint8Array(), redeliveries: 0 }) as unknown as Delivery;

  it('frees the slot at once, keeps per-key order and is idle right after', async () => {
    const order: number[] = [];
    let running = 0;
    let peak = 0;
    const dispatcher = new Dispatcher(2, (d) => {
      running++;
      peak = Math.max(peak, running);
      order.push(Number(d.headers.n));
      running--;
      return RESOLVED;
    });
    for (let n = 0; n < 20; n++) dispatcher.onDelivery(delivery(n % 3 === 0 ? undefined : `k${n % 2}`, n));
    expect(order).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(peak).toBe(1);
    expect(dispatcher.inFlight).toBe(0);
    await dispatcher.idle();
  });
});

describe('JSON decoding stays strict about UTF-8', () => {
  it('accepts valid UTF-8 that carries U+FFFD itself and rejects every kind of invalid sequence', async () => {
    const { CodecSet, defaultCodecs } = await import('../src/codec/codec.js');
    const codecs = new CodecSet(defaultCodecs);
    expect(codecs.decode(Buffer.from('"a\uFFFDb"'), undefined)).toBe('a\uFFFDb');
    const invalid = [
      [0x22, 0xc0, 0xaf, 0x22], // overlong '/'
      [0x22, 0x80, 0x22], // lone continuation byte
      [0x22, 0xed, 0xa0, 0x80, 0x22], // encoded surrogate
      [0x22, 0xe2, 0x82, 0x22], // truncated sequence
      [0x22, 0xff, 0x22], // never valid
    ];
    for (const bytes of invalid) {
      expect(() => codecs.decode(Uint8Array.from(bytes), undefined), bytes.join(',')).toThrow(
        expect.objectContaining({ code: 'DECODE_FAILED' }),
      );
    }
  });
});

describe('an ack that returns SETTLED', () => {
  /** A memory transport whose subscription is driven by the test: `deliver` calls the bus synchronously. */
  function drivenTransport(ackResult: () => Promise<void>) {
    const transport = memoryTransport({ broker: `driven-${Math.random()}` });
    let onDelivery: DeliveryHandler = () => undefined;
    transport.subscribe = async (_destination, _options, handler) => {
      onDelivery = handler;
      return { stop: async () => undefined, close: async () => undefined };
    };
    const deliver = (n: number) =>
      onDelivery({
        body: new TextEncoder().encode(String(n)),
        headers: {},
        redeliveries: 0,
        ack: ackResult,
        nack: ackResult,
      });
    return { transport, deliver };
  }

  it.each([
    ['SETTLED', () => SETTLED, 5],
    ['another resolved promise', () => Promise.resolve(), 1],
  ])(
    'returning %s, handlers of a synchronous delivery loop run at once: %i of 5 before a promise turn',
    async (_name, ack, atOnce) => {
      const { transport, deliver } = drivenTransport(ack);
      const bus = createBus({ transport });
      const handled: unknown[] = [];
      await bus.receive('q', (message) => void handled.push(message.body), { concurrency: 1 });
      for (let n = 0; n < 5; n++) deliver(n);
      expect(handled).toHaveLength(atOnce);
      await bus.close();
    },
  );
});

describe('a transport whose ack hands out the next delivery at once', () => {
  it.each([1, 64])(
    'runs 20,000 re-entrant deliveries at concurrency %i, in order, without nesting stacks',
    async (concurrency) => {
      const total = 20_000;
      const transport = memoryTransport({ broker: `reentrant-${Math.random()}` });
      let onDelivery: DeliveryHandler = () => undefined;
      transport.subscribe = async (_destination, _options, handler) => {
        onDelivery = handler;
        return { stop: async () => undefined, close: async () => undefined };
      };
      let next = 0;
      const deliverNext = (): void => {
        if (next === total) return;
        const n = next++;
        onDelivery({
          body: new TextEncoder().encode(String(n)),
          headers: {},
          redeliveries: 0,
          // Like an intake that frees a prefetch slot on ack and hands out its next buffered entry in the same call.
          ack: () => {
            deliverNext();
            return SETTLED;
          },
          nack: async () => undefined,
        });
      };
      const bus = createBus({ transport });
      const handled: number[] = [];
      await bus.receive<number>('q', (message) => void handled.push(message.body), { concurrency });
      deliverNext();
      expect(handled).toHaveLength(total);
      expect(handled.every((n, i) => n === i)).toBe(true);
      await bus.close();
    },
  );
});
