import { MessagingError } from '../errors.js';
import type { Message, SubscribeOptions } from '../message.js';
import type { Delivery, Destination, Subscription, Transport } from '../transport/contract.js';
import { deadLetter, settleFailure } from './failure-policy.js';
import type { ResolvedReceiveOptions } from './options.js';
import { type ProcessorConfig, toMessage } from './processor.js';

/** Options of `consume`. */
export interface ConsumeOptions extends SubscribeOptions {
  /** Consume a queue (default) or a topic (with `group`). */
  readonly kind?: 'queue' | 'topic' | undefined;
}

/** A message from `consume`, with explicit settlement. Unsettled, it is acked when the loop asks for the next one. */
export interface ConsumedMessage<T> extends Message<T> {
  /** Settles as done. */
  ack(): Promise<void>;
  /** Fails this attempt: retried with backoff, or dead-lettered once attempts are used up. */
  retry(reason?: unknown): Promise<void>;
  /** Sends it to the dead-letter queue now. */
  deadLetter(reason?: unknown): Promise<void>;
}

/** What a consumer is built from. */
export interface ConsumerSpec {
  readonly transport: Transport;
  readonly destination: Destination;
  readonly options: ResolvedReceiveOptions;
  readonly config: Omit<ProcessorConfig, 'handler' | 'middleware' | 'context'>;
  /** Called when the iterator ends, so the bus can forget it. */
  readonly onEnd: () => void;
}

/** Builds the async iterator behind `bus.consume()`. */
export function createConsumer<T>(
  spec: ConsumerSpec,
): AsyncIterableIterator<ConsumedMessage<T>> & { return(): Promise<IteratorResult<ConsumedMessage<T>>> } {
  const buffer: Delivery[] = [];
  let wake: ((delivery: Delivery | undefined) => void) | undefined;
  let subscription: Promise<Subscription> | undefined;
  let current: { settled: boolean; ack(): Promise<void> } | undefined;
  let ended = false;

  const onDelivery = (delivery: Delivery) => {
    if (wake) {
      const resolve = wake;
      wake = undefined;
      resolve(delivery);
    } else buffer.push(delivery);
  };

  const nextDelivery = () =>
    buffer.length > 0
      ? Promise.resolve(buffer.shift())
      : new Promise<Delivery | undefined>((resolve) => (wake = resolve));

  const wrap = (delivery: Delivery, message: Message<unknown>): ConsumedMessage<T> => {
    const state = { settled: false, ack: () => settle(() => delivery.ack()) };
    const settle = async (action: () => Promise<void>) => {
      if (state.settled) return;
      state.settled = true;
      await action();
    };
    current = state;
    return {
      ...(message as Message<T>),
      ack: state.ack,
      retry: (reason) =>
        settle(() =>
          settleFailure(delivery, reason ?? new Error('retry requested'), spec.config.policy, spec.config),
        ),
      deadLetter: (reason) =>
        settle(() =>
          deadLetter(
            delivery,
            reason ?? new Error('dead-lettered by the consumer'),
            message.attempt,
            spec.config.policy,
            spec.config,
          ),
        ),
    };
  };

  const iterator: AsyncIterableIterator<ConsumedMessage<T>> & {
    return(): Promise<IteratorResult<ConsumedMessage<T>>>;
  } = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next() {
      if (current && !current.settled) await current.ack();
      current = undefined;
      if (ended) return { done: true, value: undefined };
      subscription ??= spec.transport.subscribe(
        spec.destination,
        {
          group: spec.options.group,
          prefetch: spec.options.prefetch,
          ackDeadlineMs: spec.options.ackDeadlineMs,
          startFrom: spec.options.startFrom,
        },
        onDelivery,
      );
      await subscription;
      for (;;) {
        const delivery = await nextDelivery();
        if (delivery === undefined || ended) return { done: true, value: undefined };
        try {
          return { done: false, value: wrap(delivery, await toMessage(delivery, spec.config)) };
        } catch (error) {
          await deadLetter(delivery, error, 1, spec.config.policy, spec.config).catch((dlError) =>
            spec.config.report(
              new MessagingError('UNAVAILABLE', 'could not dead-letter an undecodable message', {
                component: 'bus',
                cause: dlError,
              }),
            ),
          );
        }
      }
    },
    async return() {
      if (!ended) {
        ended = true;
        wake?.(undefined);
        spec.onEnd();
        const live = await subscription?.catch(() => undefined);
        await live?.close();
      }
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
