/**
 * The transport contract: what an adapter implements. I/O only — every policy (encoding, retry,
 * dead-lettering, batching, concurrency, request/reply correlation, draining) lives in the bus.
 *
 * Roles are split so that each can be read on its own; a {@link Transport} plays all of them.
 * Unless a method says otherwise, it may be called concurrently with itself and with the others.
 * After {@link Lifecycle.close} has been called every method rejects with a `CLOSED` MessagingError,
 * except `close()` itself, which is idempotent.
 *
 * Adapters never retry transient errors themselves (beyond waiting for a lost connection to come back,
 * bounded by the caller's signal): they map native errors to {@link MessagingError} codes in one table.
 */
import type { Capabilities } from './capabilities.js';

/** Where a message goes: a queue (competing consumers) or a topic (every group gets every event). */
export interface Destination {
  readonly kind: 'queue' | 'topic';
  /** Validated by the bus: 1–200 characters of letters, digits and `. _ - : /` (and `* #` for wildcard subscriptions). */
  readonly name: string;
}

/** A message as it goes on the wire, produced by the bus. Transports write it; they do not interpret headers. */
export interface WireMessage {
  /** Unique message id; also present in `headers` (see wire-format). Usable as a native message id. */
  readonly id: string;
  /** The encoded body. */
  readonly body: Uint8Array;
  /** The complete header map to write: user headers plus reserved `sb-` headers. Keys and values are strings. */
  readonly headers: Readonly<Record<string, string>>;
  /** Ordering / partitioning key. Messages with the same key are delivered in publish order where the broker keeps order. */
  readonly key?: string | undefined;
  /** Deliver no sooner than this many ms from now. Only set when `capabilities.delay` is true. */
  readonly delayMs?: number | undefined;
  /** Drop the message if not delivered within this many ms. Only set when `capabilities.ttl` is true. */
  readonly ttlMs?: number | undefined;
  /** Drop the message if one with the same id reached the destination within the dedupe window. Only set when `capabilities.dedupe` is true. */
  readonly dedupeId?: string | undefined;
  /** 0 (lowest) to 9. Only set when `capabilities.priority` is true. */
  readonly priority?: number | undefined;
}

/** Options of {@link Publisher.publish}. */
export interface PublishOptions {
  /**
   * Aborted when the bus stops waiting (send timeout or caller's signal). A transport waiting for a lost
   * connection must give up and reject with a retryable `UNAVAILABLE` when it fires.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Set for requests: a transport that can tell cheaply that nothing consumes the destination rejects with
   * `NO_RESPONDERS` instead of storing the message. Others ignore it.
   */
  readonly expectConsumer?: boolean | undefined;
}

/** The publishing role. */
export interface Publisher {
  /**
   * Writes `messages` to `destination`, in order, and resolves only after the broker has taken all of them
   * (publisher confirm, acks=all, JetStream ack, XADD reply). Rejects with a MessagingError if any was not
   * taken; the bus then treats the whole batch as not sent. A queue that does not exist yet is created
   * (or the transport rejects with `NOT_FOUND` if it does not create destinations on demand). A topic
   * message published while no group exists is dropped, unless the transport keeps topic history
   * (`capabilities.replay`). May be called concurrently: the bus keeps up to 4 publishes per destination in
   * flight, and publishes to one destination must be applied in call order (so per-key order holds across
   * batches), as well as in order within one call.
   */
  publish(
    destination: Destination,
    messages: readonly WireMessage[],
    options?: PublishOptions,
  ): Promise<void>;
}

/** A message handed to a subscriber. Exactly one of `ack` or `nack` settles it; further calls are no-ops. */
export interface Delivery {
  readonly body: Uint8Array;
  /** All headers as they came from the broker, reserved ones included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly key?: string | undefined;
  /**
   * How many times the broker delivered this same broker message before this delivery: 0 the first time.
   * The bus computes the attempt number as `sb-attempt` header + redeliveries.
   */
  readonly redeliveries: number;
  /**
   * Set by a transport when the native message cannot be a Switchboard message at all (a stream entry
   * without a body field, say): the reason. The bus dead-letters it with `DECODE_FAILED` and this text
   * without decoding it.
   */
  readonly invalid?: string | undefined;
  /**
   * Settles the message as done; the broker will not deliver it again. Resolves once the broker has it (or it is
   * batched durably). An ack that completes synchronously and cannot fail returns core's `SETTLED`: the bus then
   * frees the handler's slot at once instead of waiting a promise turn per message.
   */
  ack(): Promise<void>;
  /**
   * Returns the message for another delivery no sooner than `delayMs` from now. A transport that redelivers
   * the same broker message must report the higher `redeliveries` next time and may ignore `headers`; a
   * transport that re-publishes a copy must write `headers` (which carry the next attempt number) and
   * report `redeliveries` 0 for the copy. `delayMs` > 0 is only passed when `capabilities.nackDelay` is true.
   */
  nack(options: NackOptions): Promise<void>;
}

/** Options of {@link Delivery.nack}. */
export interface NackOptions {
  readonly delayMs: number;
  /** The headers a re-published copy must carry (the original ones with `sb-attempt` increased). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Options of {@link Subscriber.subscribe}. */
export interface SubscribeOptions {
  /**
   * For a topic: the consumer group. Every group gets every event; members of a group share them. Absent:
   * an ephemeral subscription that receives only what is published while it exists. Ignored for a queue.
   */
  readonly group?: string | undefined;
  /** The most unsettled deliveries this subscription may hold at once (≥ 1). The transport never exceeds it. */
  readonly prefetch: number;
  /** Unsettled deliveries are given to another consumer after this long, where `capabilities.ackDeadline` is true. */
  readonly ackDeadlineMs: number;
  /** Where a group created by this call starts: only new messages (default) or the retained history (`capabilities.replay`). */
  readonly startFrom?: 'new' | 'earliest' | undefined;
}

/** Called once per delivery. Must not throw; the bus catches everything inside. */
export type DeliveryHandler = (delivery: Delivery) => void;

/** The subscribing role. */
export interface Subscriber {
  /**
   * Starts consuming `destination` and resolves once the subscription is live: for a topic group, events
   * published after this resolves reach the group. Rejects with a MessagingError if the broker refuses.
   * Deliveries arrive on `onDelivery`, never more than `options.prefetch` unsettled at once.
   */
  subscribe(
    destination: Destination,
    options: SubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Promise<Subscription>;
}

/** A live subscription. */
export interface Subscription {
  /** Stops new deliveries. Resolves once `onDelivery` will not be called again; handed-out deliveries may still be settled. Idempotent. */
  stop(): Promise<void>;
  /** Stops and releases the subscription; deliveries not yet settled go back to the broker for redelivery. Idempotent. */
  close(): Promise<void>;
}

/** A reply address owned by one bus, for request/reply. */
export interface Inbox {
  /** Opaque address that responders pass to {@link Replier.reply}. */
  readonly address: string;
  /** Stops receiving replies and removes what the inbox created on the broker. Idempotent. */
  close(): Promise<void>;
}

/** A reply arriving in an inbox. Replies need no acknowledgement. */
export interface InboxMessage {
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

/** The request/reply role: a private inbox per bus and a way to answer to one. */
export interface Replier {
  /** Creates an inbox whose replies arrive on `onMessage` (which must not throw). */
  openInbox(onMessage: (message: InboxMessage) => void): Promise<Inbox>;
  /** Sends `message` to the inbox at `address`. A reply to an inbox that is gone is dropped without error. */
  reply(address: string, message: WireMessage): Promise<void>;
}

/** Connection lifecycle. */
export interface Lifecycle {
  /**
   * Connects (idempotent; concurrent calls share one attempt). Rejects with `UNAVAILABLE` within the
   * adapter's connect timeout when the broker cannot be reached, naming the URL without credentials.
   */
  connect(): Promise<void>;
  /** Closes subscriptions, inboxes and connections. Idempotent; concurrent calls share one close. */
  close(): Promise<void>;
}

/** What an adapter implements. `Native` is the type of the escape hatch. */
export interface Transport<Native = unknown> extends Publisher, Subscriber, Replier, Lifecycle {
  /** The component name used in errors, e.g. `adapter-redis`. */
  readonly name: string;
  /**
   * What this transport offers; the bus gates features on it and never calls what is not declared. May grow
   * once `connect()` has resolved, when the adapter learns what the server supports (NATS reads its version):
   * before that it declares only what every supported server offers. It never changes after connect.
   */
  readonly capabilities: Capabilities;
  /** The native client (amqplib connection, ioredis client, kafkajs client, NATS connection), for what Switchboard does not cover. */
  readonly native: Native;
}
