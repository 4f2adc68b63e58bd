import { randomUUID } from 'node:crypto';
import type {
  Capabilities,
  DeliveryHandler,
  Destination,
  Inbox,
  InboxMessage,
  PublishOptions,
  TransportSubscribeOptions as SubscribeOptions,
  Subscription,
  Transport,
  WireMessage,
} from '@switchboard/core';
import { MessagingError } from '@switchboard/core';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { connectClients, createKafkaClient, kafkaCapabilities } from './clients.js';
import { type DecodedRecord, type ProducedRecord, toRecord } from './codec.js';
import { COMPONENT, closedError } from './errors.js';
import { groupIdOf, startOffsetsOf } from './groups.js';
import { type KafkaTransportOptions, type ResolvedKafkaOptions, resolveOptions } from './options.js';
import { ProducerPool } from './producer-pool.js';
import { KafkaSubscription } from './subscription.js';
import { checkTopicName, TopicCache } from './topics.js';

/** How long close() waits for operations in progress (a send kafkajs still retries, say) before it disconnects. */
const CLOSE_WAITS_FOR_OPERATIONS_MS = 10_000;

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The escape hatch: the kafkajs client, its first producer (the one in use now) and admin client as the transport uses them. */
export interface KafkaNative {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly admin: Admin;
}

/**
 * The Kafka transport. A destination is a topic of the same name (created on demand); a queue is consumed
 * by one consumer group, each topic group by its own, an ephemeral subscriber by a throwaway group that
 * starts at the end. A nack re-publishes a copy to the same topic, addressed to the nacking group.
 */
export class KafkaTransport implements Transport<KafkaNative> {
  readonly name = COMPONENT;
  readonly capabilities: Capabilities;
  readonly native: KafkaNative;
  private readonly options: ResolvedKafkaOptions;
  private readonly topics: TopicCache;
  private readonly subscriptions = new Set<Subscription>();
  private readonly inboxes = new Set<Inbox>();
  private readonly producer: ProducerPool;
  /** Inbox topics still being created, by address. */
  private readonly creatingInboxes = new Map<string, Promise<void>>();
  /** Publishes, subscribes, replies and inbox joins in progress; see {@link KafkaTransport.operation}. */
  private readonly operations = new Set<Promise<unknown>>();
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: KafkaTransportOptions) {
    this.options = resolveOptions(options);
    const o = this.options;
    const kafka = createKafkaClient(o);
    const producer = new ProducerPool(
      kafka,
      { idempotent: o.idempotent, compression: o.compression, maxRequestBytes: o.maxPayloadBytes },
      o.producers,
    );
    this.producer = producer;
    const admin = kafka.admin();
    this.native = {
      kafka,
      admin,
      get producer() {
        return producer.current;
      },
    };
    this.topics = new TopicCache(admin, {
      partitions: o.partitions,
      replicationFactor: o.replicationFactor,
      timeoutMs: o.connectTimeoutMs,
    });
    this.capabilities = kafkaCapabilities(o);
  }

  connect(): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    this.connecting ??= this.connectOnce().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  publish(
    destination: Destination,
    messages: readonly WireMessage[],
    options?: PublishOptions,
  ): Promise<void> {
    return this.operation(() => this.publishNow(destination, messages, options));
  }

  subscribe(
    destination: Destination,
    options: SubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Promise<Subscription> {
    return this.operation(() => this.subscribeNow(destination, options, onDelivery));
  }

  reply(address: string, message: WireMessage): Promise<void> {
    return this.operation(() => this.replyNow(address, message));
  }

  private async publishNow(
    destination: Destination,
    messages: readonly WireMessage[],
    options?: PublishOptions,
  ): Promise<void> {
    await this.connect();
    const topic = checkTopicName(destination.name);
    await this.topics.ensure(topic);
    if (options?.expectConsumer && this.creatingInboxes.size > 0) {
      for (const message of messages) {
        const inbox = this.creatingInboxes.get(message.headers['sb-reply-to'] ?? '');
        if (inbox) await inbox;
      }
    }
    const now = Date.now();
    try {
      await this.send(
        topic,
        messages.map((m) => toRecord(m, now)),
        options?.signal,
        `cannot publish to ${topic}`,
      );
    } catch (error) {
      // The topic was deleted since it was created or seen: the next send creates it again.
      if (error instanceof MessagingError && error.code === 'NOT_FOUND') this.topics.forget(topic);
      throw error;
    }
  }

  private async subscribeNow(
    destination: Destination,
    options: SubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Promise<Subscription> {
    await this.connect();
    const topic = checkTopicName(destination.name);
    await this.topics.ensure(topic);
    const ephemeral = destination.kind === 'topic' && options.group === undefined;
    const groupId = groupIdOf(this.options.groupIdPrefix, destination, options.group);
    const fromBeginning = destination.kind === 'queue' || options.startFrom === 'earliest';
    const startOffsets = fromBeginning
      ? new Map<number, string>()
      : await startOffsetsOf(this.native.admin, groupId, topic, ephemeral);
    return this.track(topic, groupId, options.prefetch, fromBeginning, onDelivery, ephemeral, startOffsets);
  }

  async openInbox(onMessage: (message: InboxMessage) => void): Promise<Inbox> {
    await this.connect();
    const address = `${this.options.groupIdPrefix}.inbox.${randomUUID()}`;
    // The topic is created while the first request is on its way: publish() waits for it before it writes
    // a request naming this inbox, so the request's timeout already runs while the topic is created.
    const created = this.topics.ensure(address, 1);
    this.creatingInboxes.set(address, created);
    created.then(
      () => this.creatingInboxes.delete(address),
      () => undefined,
    );
    // The reader joins in the background: it starts at the beginning of the fresh topic, so a reply written
    // before it joined is still read, and the first request does not wait for a group join.
    const joining = created.then(() =>
      this.track(
        address,
        `${address}.reader`,
        1000,
        true,
        (delivery) => {
          void delivery.ack();
          onMessage({ body: delivery.body, headers: delivery.headers });
        },
        true,
      ),
    );
    void this.operation(() => joining).catch(() => undefined);
    const topics = this.topics;
    let closing: Promise<void> | undefined;
    const inbox: Inbox = {
      address,
      // Memoized, and the transport's close() waits for it: the topic is deleted before the admin disconnects.
      close: () => {
        closing ??= (async () => {
          await (await joining.catch(() => undefined))?.close();
          await created.catch(() => undefined);
          await topics.remove([address]);
          this.inboxes.delete(inbox);
        })();
        return closing;
      },
    };
    this.inboxes.add(inbox);
    return inbox;
  }

  private async replyNow(address: string, message: WireMessage): Promise<void> {
    await this.connect();
    checkTopicName(address);
    if (!(await this.topics.exists(address))) return;
    await this.send(address, [toRecord(message, Date.now())], undefined, `cannot reply to ${address}`).catch(
      (error) => {
        if (!MessagingError.is(error, 'NOT_FOUND')) throw error;
      },
    );
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.topics.stop();
      await settlesWithin(Promise.allSettled([...this.operations]), CLOSE_WAITS_FOR_OPERATIONS_MS);
      await Promise.all([...this.inboxes].map((inbox) => inbox.close().catch(() => undefined)));
      await Promise.all([...this.subscriptions].map((s) => s.close().catch(() => undefined)));
      await this.connecting?.catch(() => undefined);
      await this.producer.disconnect();
      await this.native.admin.disconnect().catch(() => undefined);
    })();
    return this.closing;
  }

  private async connectOnce(): Promise<void> {
    await connectClients(this.native.admin, this.producer, this.options);
    if (this.closing) throw closedError();
  }

  /**
   * Runs `work` as an operation close() waits for before it disconnects the clients: an operation that
   * started before close() never reconnects a client after it (a leaked socket). Rejects with CLOSED once
   * close() has begun.
   */
  private operation<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(closedError());
    const running = work();
    this.operations.add(running);
    const forget = () => this.operations.delete(running);
    running.then(forget, forget);
    return running;
  }

  private send(topic: string, records: ProducedRecord[], signal: AbortSignal | undefined, doing: string) {
    if (this.closing) return Promise.reject(closedError());
    return this.producer.send(topic, records, signal, doing);
  }

  private async track(
    topic: string,
    groupId: string,
    prefetch: number,
    fromBeginning: boolean,
    onDelivery: DeliveryHandler,
    ephemeral: boolean,
    startOffsets = new Map<number, string>(),
  ): Promise<Subscription> {
    const o = this.options;
    const admin = this.native.admin;
    const subscription: KafkaSubscription = new KafkaSubscription({
      kafka: this.native.kafka,
      topic,
      groupId,
      prefetch,
      fromBeginning,
      startOffsets,
      sessionTimeoutMs: o.sessionTimeoutMs,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      commitIntervalMs: o.commitIntervalMs,
      onDelivery,
      republish: (record, headers) => this.republish(topic, groupId, record, headers),
      onClosed: async () => {
        this.subscriptions.delete(subscription);
        if (ephemeral) await admin.deleteGroups([groupId]);
      },
    });
    this.subscriptions.add(subscription);
    try {
      await subscription.start(o.sessionTimeoutMs + o.rebalanceTimeoutMs + 10_000);
    } catch (error) {
      this.subscriptions.delete(subscription);
      throw error;
    }
    if (this.closing) {
      await subscription.close();
      throw closedError();
    }
    return subscription;
  }

  private republish(
    topic: string,
    groupId: string,
    record: DecodedRecord,
    headers: Readonly<Record<string, string>>,
  ): Promise<void> {
    const copy: WireMessage = { id: headers['sb-id'] ?? '', body: record.body, headers, key: record.key };
    return this.send(
      topic,
      [toRecord(copy, Date.now(), groupId)],
      undefined,
      `cannot re-publish a retry to ${topic}`,
    );
  }
}
