import { createHash } from 'node:crypto';
import {
  type Capabilities,
  type Delivery,
  type DeliveryHandler,
  type Destination,
  ReservedHeaders as H,
  type Inbox,
  type InboxMessage,
  type NackOptions,
  type PublishOptions,
  type Subscription,
  type Transport,
  type TransportSubscribeOptions,
  type WireMessage,
} from '@switchboard/core';
import type { Channel, ChannelModel } from 'amqplib';
import { toPublishOptions } from './codec.js';
import { publishUnconfirmed } from './confirm-publish.js';
import { ConnectionManager } from './connection.js';
import { COMPONENT, closedError, mapError } from './errors.js';
import { DirectReplyInbox, INBOX_ADDRESS_PREFIX } from './inbox.js';
import { queueArgumentsOf, type RabbitMQOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { asBuffer, publishBatch, publishRequest, type Route } from './publish.js';
import { RabbitSubscription } from './subscription.js';

/** The escape hatch: the amqplib connection behind the transport, for what Switchboard does not cover. */
export interface RabbitMQNative {
  /** The current amqplib connection, or undefined while disconnected. It is replaced after every reconnect. */
  readonly connection: ChannelModel | undefined;
  /**
   * The connection subscriptions, replies and requests use: with `separateConsumerConnection` (the default) a
   * second one, undefined until first needed or while it is disconnected; otherwise `connection`.
   */
  readonly consumerConnection: ChannelModel | undefined;
  /** Opens a new channel on the current connection (waiting for it); the caller owns and closes it. */
  createChannel(): Promise<Channel>;
  /** The options in effect, defaults applied. */
  readonly options: ResolvedOptions;
}

/**
 * Creates a RabbitMQ transport over amqplib: queues are durable (quorum by default) queues, topics are
 * routing keys on one topic exchange with a queue per subscriber group, requests use direct reply-to, and
 * every publish waits for publisher confirms (replies excepted: see `reply`). Subscriptions, replies and
 * requests have a connection of their own unless `separateConsumerConnection` is false. See the README for the
 * delivery semantics.
 */
export function rabbitmqTransport(options: RabbitMQOptions): Transport<RabbitMQNative> {
  return new RabbitMQTransport(resolveOptions(options));
}

class RabbitMQTransport implements Transport<RabbitMQNative> {
  readonly name = COMPONENT;
  readonly capabilities: Capabilities;
  readonly native: RabbitMQNative;
  /** Sends (publisher confirms) and the declarations before them. */
  private readonly manager: ConnectionManager;
  /**
   * Subscriptions with their acks, replies, and the inbox with the requests published on its channel: the
   * interactive traffic, kept off the connection that bulk sends may get throttled on. `manager` itself unless
   * `separateConsumerConnection`.
   */
  private readonly consumers: ConnectionManager;
  private readonly subscriptions = new Set<RabbitSubscription>();
  private readonly inboxes = new Map<string, DirectReplyInbox>();
  private readonly targets = new Map<string, Target>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ResolvedOptions) {
    const manager = new ConnectionManager(options);
    const consumers = options.separateConsumerConnection
      ? new ConnectionManager({ ...options, connectionName: `${options.connectionName} consumers` })
      : manager;
    this.manager = manager;
    this.consumers = consumers;
    this.capabilities = {
      persistent: true,
      replay: false,
      delay: false,
      nackDelay: false,
      ttl: true,
      dedupe: false,
      ackDeadline: false,
      priority: options.queueType === 'classic',
      wildcards: true,
      maxPayloadBytes: options.maxPayloadBytes,
    };
    this.native = {
      get connection() {
        return manager.live?.model;
      },
      get consumerConnection() {
        return consumers.live?.model;
      },
      async createChannel() {
        return (await manager.session(undefined, 'opening a native channel')).model.createChannel();
      },
      options,
    };
  }

  connect(): Promise<void> {
    if (this.closing) return Promise.reject(closedError('connecting'));
    return this.manager.connect();
  }

  async publish(
    destination: Destination,
    messages: readonly WireMessage[],
    options?: PublishOptions,
  ): Promise<void> {
    const target = this.targetOf(destination);
    if (this.closing) throw closedError(target.action);
    if (messages.length === 0) return;
    // No await while connected and the queue is known: each one is a promise turn per publish.
    const session = this.manager.live ?? (await this.manager.session(options?.signal, target.action));
    if (destination.kind === 'topic') {
      const route = {
        exchange: this.options.exchange,
        routingKey: destination.name,
        action: target.action,
        url: session.url,
      };
      return publishBatch(session.publisher, messages, route, options?.signal);
    }
    const queue = target.queue;
    if (!session.isDeclared(queue)) await session.ensureQueue(queue);
    const inbox = this.inboxes.get(messages[0]!.headers[H.replyTo] ?? '');
    if (inbox?.slot !== undefined && messages.length === 1) {
      return publishRequest(inbox.slot, messages[0]!, queue, { action: target.action, url: session.url });
    }
    const route: Route = { exchange: '', routingKey: queue, action: target.action, url: session.url };
    return publishBatch(session.publisher, messages, route, options?.signal);
  }

  /** The error wording and queue name of a destination, computed once per destination (bounded cache). */
  private targetOf(destination: Destination): Target {
    const key = destination.kind === 'queue' ? destination.name : `\u0000${destination.name}`;
    let target = this.targets.get(key);
    if (!target) {
      if (this.targets.size >= MAX_CACHED_TARGETS) this.targets.clear();
      target = {
        action: `publishing to the ${destination.kind} "${destination.name}"`,
        queue: destination.kind === 'queue' ? this.queueName(destination.name) : '',
      };
      this.targets.set(key, target);
    }
    return target;
  }

  async subscribe(
    destination: Destination,
    options: TransportSubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Promise<Subscription> {
    const describe = `the ${destination.kind} "${destination.name}"`;
    if (this.closing) throw closedError(`subscribing to ${describe}`);
    const topic = destination.kind === 'topic';
    const queue = !topic
      ? this.queueName(destination.name)
      : options.group === undefined
        ? undefined
        : this.groupQueueName(destination.name, options.group);
    const subscription = new RabbitSubscription(this.consumers, {
      queue,
      binding: topic ? destination.name : undefined,
      options,
      onDelivery,
      requeueNatively: queue !== undefined && this.options.queueType === 'quorum',
      republish: (target, delivery, nack) => this.republish(target, delivery, nack),
      queueArguments: queueArgumentsOf(this.options),
      describe: options.group === undefined ? describe : `${describe} (group "${options.group}")`,
      waitForReconnectMs: this.options.connectTimeoutMs * 3,
      onClosed: (closed) => this.subscriptions.delete(closed),
    });
    await subscription.start();
    this.subscriptions.add(subscription);
    return subscription;
  }

  async openInbox(onMessage: (message: InboxMessage) => void): Promise<Inbox> {
    if (this.closing) throw closedError('opening a reply inbox');
    const inbox = new DirectReplyInbox(this.consumers, onMessage, (closed) =>
      this.inboxes.delete(closed.address),
    );
    this.inboxes.set(inbox.address, inbox);
    await inbox.start();
    return inbox;
  }

  /**
   * Publishes the reply to the direct reply-to address on the session's plain (unconfirmed) channel and
   * resolves once it is written. Why no confirm: a direct reply-to reply is never stored, so a confirm
   * proves only that the broker read it — and the bus acks the request after `reply` resolves, on the same
   * connection (the consumer connection, where the request came from), so the ack reaches the broker behind
   * the reply. If the connection drops first, the request is delivered again and answered again; if it drops
   * in between, the requester times out, as for every reply in flight across a reconnect. Not waiting saves a
   * confirm frame and a wake-up per round trip, and
   * lets the ack leave with the reply. Rejects (retryable UNAVAILABLE) when the channel or connection is closed.
   */
  async reply(address: string, message: WireMessage): Promise<void> {
    const action = 'sending a reply';
    if (this.closing) throw closedError(action);
    // An address without an AMQP reply_to behind it cannot be answered: the requester is gone or not ours.
    if (address.startsWith(INBOX_ADDRESS_PREFIX) || address === '') return;
    const session = this.consumers.live ?? (await this.consumers.session(undefined, action));
    try {
      const channel = session.replier.opened ?? (await session.replier.get());
      publishUnconfirmed(channel, '', address, asBuffer(message.body), toPublishOptions(message));
    } catch (error) {
      throw mapError(error, { action, url: session.url });
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((s) => s.close().catch(() => undefined)));
      await Promise.all([...this.inboxes.values()].map((i) => i.close().catch(() => undefined)));
      await Promise.all([this.manager.close(), this.consumers.close()]);
    })();
    return this.closing;
  }

  /** Publishes a copy of a failed delivery to `queue` (classic and exclusive queues) with the nack's headers. */
  private async republish(queue: string, delivery: Delivery, nack: NackOptions): Promise<void> {
    const action = `re-publishing a failed message to "${queue}"`;
    const session = await this.manager.session(undefined, action);
    const copy: WireMessage = {
      id: nack.headers[H.id] ?? '',
      body: delivery.body,
      headers: nack.headers,
      key: delivery.key,
    };
    try {
      await publishBatch(session.publisher, [copy], {
        exchange: '',
        routingKey: queue,
        action,
        url: session.url,
      });
    } catch (error) {
      throw mapError(error, { action, url: session.url });
    }
  }

  private queueName(name: string): string {
    return fitName(`${this.options.queuePrefix}${name}`);
  }

  /** `<topic>~<group>`: `~` cannot occur in destination names, so different pairs never share a queue. */
  private groupQueueName(topic: string, group: string): string {
    return fitName(`${this.options.queuePrefix}${topic}~${group}`);
  }
}

/** What {@link RabbitMQTransport.publish} derives from a destination. */
interface Target {
  /** For error messages, e.g. `publishing to the queue "orders"`. */
  readonly action: string;
  /** The AMQP queue name (queues only). */
  readonly queue: string;
}

/** Destinations whose {@link Target} is cached; the cache starts over beyond it. */
const MAX_CACHED_TARGETS = 10_000;

/** Queue names are at most 255 bytes: longer ones keep a readable start and end in a hash of the whole. */
function fitName(name: string): string {
  if (Buffer.byteLength(name) <= 255) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 32);
  return `${name.slice(0, 120)}~${hash}`;
}
