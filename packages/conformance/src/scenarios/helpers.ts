/** Small building blocks shared by the scenario files. */
import type {
  Bus,
  Delivery,
  Destination,
  Message,
  Receiver,
  SendOptions,
  SubscribeOptions,
  Subscription,
} from '@switchboard/core';
import type { ScenarioContext } from '../types.js';
import { Collector } from '../wait.js';

/** A message body the scenarios send: a sequence number and a marker of the scenario. */
export interface Numbered {
  readonly n: number;
  readonly tag: string;
}

/** Ids of collected messages. */
export const idOf = (message: { readonly id: string }): string => message.id;

/** Ids of collected deliveries (from the `sb-id` header). */
export const deliveryId = (delivery: Pick<Delivery, 'headers'>): string => delivery.headers['sb-id'] ?? '';

/**
 * Starts `bus.receive` (queue) or `bus.subscribe` (topic) with a handler that records each message after
 * `handler` (if any) returned. Throwing from `handler` fails the attempt as usual and records nothing.
 */
export async function collect<T = unknown>(
  bus: Bus,
  kind: 'queue' | 'topic',
  name: string,
  options: SubscribeOptions = {},
  handler?: (message: Message<T>, signal: AbortSignal) => unknown,
): Promise<{ collector: Collector<Message<T>>; receiver: Receiver }> {
  const collector = new Collector<Message<T>>(name);
  const handle = async (message: Message<T>, context: { signal: AbortSignal }) => {
    if (handler) await handler(message, context.signal);
    collector.push(message);
  };
  const receiver =
    kind === 'queue'
      ? await bus.receive<T>(name, handle, options)
      : await bus.subscribe<T>(name, handle, options);
  return { collector, receiver };
}

/** Sends `count` numbered messages concurrently; resolves with their ids in send order. */
export async function sendNumbered(
  bus: Bus,
  kind: 'queue' | 'topic',
  name: string,
  count: number,
  options: (n: number) => SendOptions = () => ({}),
  from = 0,
): Promise<string[]> {
  const sends: Promise<{ id: string }>[] = [];
  for (let n = from; n < from + count; n++) {
    const body: Numbered = { n, tag: name };
    sends.push(kind === 'queue' ? bus.send(name, body, options(n)) : bus.publish(name, body, options(n)));
  }
  return (await Promise.all(sends)).map((result) => result.id);
}

/**
 * Subscribes through the raw transport contract and collects every delivery, acking it unless `ack` is
 * false. Used as the "raw client" and to read dead letters with their reserved headers.
 */
export async function rawCollect(
  ctx: ScenarioContext,
  destination: Destination,
  options: { group?: string; ack?: boolean; prefetch?: number; ackDeadlineMs?: number } = {},
): Promise<{ collector: Collector<Delivery>; subscription: Subscription }> {
  const transport = await ctx.createTransport();
  const collector = new Collector<Delivery>(`raw ${destination.kind} ${destination.name}`);
  const subscription = await transport.subscribe(
    destination,
    {
      group: options.group,
      prefetch: options.prefetch ?? 100,
      ackDeadlineMs: options.ackDeadlineMs ?? 30_000,
    },
    (delivery) => {
      collector.push(delivery);
      if (options.ack !== false) void delivery.ack();
    },
  );
  return { collector, subscription };
}

/** The options to wait for messages that must arrive. */
export const arrive = (ctx: ScenarioContext, extra: { stallMs?: number } = {}) => ({
  timeoutMs: ctx.timeouts.delivery,
  ...extra,
});

/** Counts how often each id occurs. */
export function countById(ids: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
