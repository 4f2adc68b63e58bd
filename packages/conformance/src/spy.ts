import type {
  Delivery,
  DeliveryHandler,
  Destination,
  PublishOptions,
  Subscription,
  Transport,
  TransportSubscribeOptions,
  WireMessage,
} from '@switchboard/core';

/** What a {@link spyTransport} observed. */
export interface TransportSpy {
  /** The wrapped transport, to pass to `createBus({ transport })`. */
  readonly transport: Transport;
  /** `publish` calls made (any destination). */
  readonly publishCalls: number;
  /** Messages handed to `publish` (sum of batch sizes). */
  readonly publishedMessages: number;
  /** Ids whose `publish` call resolved: the broker confirmed them. */
  readonly confirmed: ReadonlySet<string>;
  /** Ids in the order their deliveries were acked through the wrapped transport. */
  readonly acked: readonly string[];
  /** Number of nacks through the wrapped transport. */
  readonly nacks: number;
}

/**
 * Wraps a transport so that a scenario can count what the bus asks of it: publish calls and batch sizes
 * (C33), confirmations (C46) and acks (C38). Everything else passes through unchanged.
 */
export function spyTransport(inner: Transport): TransportSpy {
  const confirmed = new Set<string>();
  const acked: string[] = [];
  const state = { publishCalls: 0, publishedMessages: 0, nacks: 0 };
  const wrapDelivery = (delivery: Delivery): Delivery => ({
    body: delivery.body,
    headers: delivery.headers,
    key: delivery.key,
    redeliveries: delivery.redeliveries,
    ack: async () => {
      await delivery.ack();
      acked.push(delivery.headers['sb-id'] ?? '');
    },
    nack: async (options) => {
      state.nacks++;
      await delivery.nack(options);
    },
  });
  const transport: Transport = {
    get name() {
      return inner.name;
    },
    get capabilities() {
      return inner.capabilities;
    },
    get native() {
      return inner.native;
    },
    async publish(destination: Destination, messages: readonly WireMessage[], options?: PublishOptions) {
      state.publishCalls++;
      state.publishedMessages += messages.length;
      await inner.publish(destination, messages, options);
      for (const message of messages) confirmed.add(message.id);
    },
    subscribe(
      destination: Destination,
      options: TransportSubscribeOptions,
      onDelivery: DeliveryHandler,
    ): Promise<Subscription> {
      return inner.subscribe(destination, options, (delivery) => onDelivery(wrapDelivery(delivery)));
    },
    openInbox: (onMessage) => inner.openInbox(onMessage),
    reply: (address, message) => inner.reply(address, message),
    connect: () => inner.connect(),
    close: () => inner.close(),
  };
  return {
    transport,
    get publishCalls() {
      return state.publishCalls;
    },
    get publishedMessages() {
      return state.publishedMessages;
    },
    confirmed,
    acked,
    get nacks() {
      return state.nacks;
    },
  };
}
