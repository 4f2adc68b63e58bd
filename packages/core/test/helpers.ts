import {
  createBus,
  type Destination,
  memoryTransport,
  type Transport,
  type WireMessage,
} from '../src/index.js';

let brokers = 0;

/** A memory transport on a broker of its own, with every publish recorded. */
export function recordingTransport(): {
  transport: Transport;
  published: { destination: Destination; messages: readonly WireMessage[] }[];
} {
  const transport = memoryTransport({ broker: `core-test-${++brokers}` });
  const published: { destination: Destination; messages: readonly WireMessage[] }[] = [];
  const publish = transport.publish.bind(transport);
  transport.publish = (destination, messages, options) => {
    published.push({ destination, messages });
    return publish(destination, messages, options);
  };
  return { transport, published };
}

/** A bus on a fresh memory broker plus the record of what it published. */
export function testBus(options: Omit<Parameters<typeof createBus>[0], 'transport'> = {}) {
  const { transport, published } = recordingTransport();
  return { bus: createBus({ ...options, transport }), transport, published };
}

/** Resolves with the first `count` values pushed, rejecting after `timeoutMs` with what arrived. */
export function collector<T>(count: number, timeoutMs = 5000) {
  const items: T[] = [];
  let resolve!: (items: T[]) => void;
  let reject!: (error: Error) => void;
  const done = new Promise<T[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(
    () => reject(new Error(`expected ${count} items, got ${items.length}`)),
    timeoutMs,
  );
  return {
    items,
    done,
    push(item: T) {
      items.push(item);
      if (items.length === count) {
        clearTimeout(timer);
        resolve(items);
      }
    },
  };
}
