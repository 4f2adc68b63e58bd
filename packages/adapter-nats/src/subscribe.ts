import type {
  DeliveryHandler,
  Destination,
  TransportSubscribeOptions as SubscribeOptions,
  Subscription,
} from '@switchboard/core';
import { subscribeCore } from './core-subscription.js';
import { mapError } from './errors.js';
import { subscribeJetStream } from './js-subscription.js';
import { ensureTopicStream, type Live } from './live.js';
import * as names from './naming.js';
import type { ResolvedOptions } from './options.js';

/**
 * Subscribes to a destination in the transport's mode. Core: a queue is the queue group `sb`, a topic group
 * a queue group named after it. JetStream: a queue is the durable `worker` consumer of its stream (plus its
 * core request subject), a topic group a durable consumer of the topic stream filtered to the topic, a
 * subscriber without a group an ephemeral consumer.
 */
export function subscribeDestination(
  live: Live,
  options: ResolvedOptions,
  destination: Destination,
  subscribe: SubscribeOptions,
  onDelivery: DeliveryHandler,
  what: string,
): Promise<Subscription> {
  const prefix = options.prefix;
  const queue = destination.kind === 'queue';
  const subject = queue
    ? names.queueSubject(prefix, destination.name)
    : names.topicSubject(prefix, destination.name, true);
  if (!live.streams || !live.js) {
    const group = queue ? 'sb' : subscribe.group;
    return subscribeCore(live.connection.nc, subject, group, subscribe.prefetch, onDelivery, what).catch(
      (e: unknown) => {
        throw mapError(e, what);
      },
    );
  }
  const streams = live.streams;
  const stream = queue ? names.queueStreamName(prefix, destination.name) : names.topicStreamName(prefix);
  return subscribeJetStream(
    {
      nc: live.connection.nc,
      js: live.js,
      streams,
      ensureStream: () =>
        queue ? streams.ensureQueueStream(stream, subject) : ensureTopicStream(streams, prefix),
      consumer: {
        stream,
        durable: queue
          ? names.QUEUE_CONSUMER
          : subscribe.group === undefined
            ? undefined
            : names.groupConsumerName(destination.name, subscribe.group),
        filterSubject: queue ? undefined : subject,
        startFrom: queue ? 'earliest' : (subscribe.startFrom ?? 'new'),
        ackDeadlineMs: subscribe.ackDeadlineMs,
        prefetch: subscribe.prefetch,
      },
      requestSubject: queue ? names.requestSubject(prefix, destination.name) : undefined,
      confirmAcks: options.confirmAcks,
      what,
    },
    onDelivery,
  );
}
