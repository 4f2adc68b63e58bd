/**
 * The JetStream consumers of subscriptions: explicit acks, unlimited deliveries, the subscription's prefetch
 * as `max_ack_pending` and its ack deadline as `ack_wait`.
 */
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { mapError } from './errors.js';

/** Nanoseconds per millisecond: JetStream durations are in ns. */
export const MS = 1_000_000;

/** What a subscription asks of its consumer. */
export interface ConsumerSpec {
  readonly stream: string;
  /** Durable name; absent for an ephemeral consumer. */
  readonly durable: string | undefined;
  readonly filterSubject: string | undefined;
  readonly startFrom: 'new' | 'earliest';
  readonly ackDeadlineMs: number;
  readonly prefetch: number;
}

/**
 * Creates the consumer, or updates its ack deadline and prefetch when it exists; returns its name. An
 * ephemeral consumer (no durable name) goes away after a minute without a subscriber.
 */
export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<string> {
  const what = `create consumer ${spec.durable ?? '(ephemeral)'} on ${spec.stream}`;
  const config: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.Explicit,
    ack_wait: spec.ackDeadlineMs * MS,
    max_ack_pending: spec.prefetch,
    max_deliver: -1,
    deliver_policy: spec.startFrom === 'earliest' ? DeliverPolicy.All : DeliverPolicy.New,
  };
  if (spec.filterSubject) config.filter_subject = spec.filterSubject;
  if (spec.durable === undefined) {
    config.inactive_threshold = 60_000 * MS;
    const info = await jsm.consumers.add(spec.stream, config as ConsumerConfig).catch((error: unknown) => {
      throw mapError(error, what);
    });
    return info.name;
  }
  config.durable_name = spec.durable;
  let info: ConsumerInfo | undefined;
  try {
    info = await jsm.consumers.info(spec.stream, spec.durable);
  } catch (error) {
    if (mapError(error, what).code !== 'NOT_FOUND') throw mapError(error, what);
  }
  if (!info) {
    try {
      await jsm.consumers.add(spec.stream, config as ConsumerConfig);
      return spec.durable;
    } catch (error) {
      info = await jsm.consumers.info(spec.stream, spec.durable).catch(() => {
        throw mapError(error, what);
      });
    }
  }
  if (info.config.ack_wait !== config.ack_wait || info.config.max_ack_pending !== config.max_ack_pending) {
    await jsm.consumers
      .update(spec.stream, spec.durable, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
      })
      .catch((error: unknown) => {
        throw mapError(error, `update consumer ${spec.durable} on ${spec.stream}`);
      });
  }
  return spec.durable;
}
