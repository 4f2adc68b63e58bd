import type {
  Handler,
  ReceiveOptions,
  Receiver,
  RequestOptions,
  SendOptions,
  SendResult,
  SubscribeOptions,
} from '../message.js';
import type { Target } from '../schema.js';
import type { Transport } from '../transport/contract.js';
import type { ConsumedMessage, ConsumeOptions } from './consume.js';
import type { Middleware } from './middleware.js';

/**
 * The user's API. Every method validates its input and rejects with a MessagingError (INVALID_ARGUMENT,
 * UNSUPPORTED, PAYLOAD_TOO_LARGE, …) before anything is sent; after `close()` everything rejects with CLOSED.
 */
export interface Bus {
  /**
   * Puts a message on a queue and resolves once the broker has it. Each queued message is handled by one
   * receiver (competing consumers). Concurrent sends are batched into one broker write.
   */
  send<T>(queue: Target<T>, body: T, options?: SendOptions): Promise<SendResult>;
  /** Handles the messages of a queue: resolve = ack; throw = retry with backoff, then dead letter. */
  receive<T>(queue: Target<T>, handler: Handler<T>, options?: ReceiveOptions): Promise<Receiver>;
  /** Publishes an event on a topic: every subscriber group gets it. Resolves once the broker has it. */
  publish<T>(topic: Target<T>, body: T, options?: SendOptions): Promise<SendResult>;
  /** Handles a topic's events in a group (members share them) or, without a group, while subscribed. */
  subscribe<T>(topic: Target<T>, handler: Handler<T>, options?: SubscribeOptions): Promise<Receiver>;
  /**
   * Sends a request to a queue and resolves with the responder's return value. Rejects with TIMEOUT
   * (`timeoutMs`, default 30 s), CANCELLED (signal), NO_RESPONDERS (where the adapter can tell) or
   * REMOTE_ERROR (the responder threw).
   */
  request<R = unknown, T = unknown>(queue: Target<T>, body: T, options?: RequestOptions): Promise<R>;
  /** Answers requests on a queue: the handler's return value is the reply; its error reaches the requester as REMOTE_ERROR. */
  reply<T, R>(queue: Target<T>, handler: Handler<T, R>, options?: ReceiveOptions): Promise<Receiver>;
  /**
   * Pull-style consumption with backpressure: at most `prefetch` messages are held. A message is acked when
   * the loop asks for the next one, unless it was settled with `ack()`/`retry()`/`deadLetter()`. Leaving the
   * loop returns unsettled messages to the broker.
   */
  consume<T>(queue: Target<T>, options?: ConsumeOptions): AsyncIterableIterator<ConsumedMessage<T>>;
  /** Adds middleware (outermost first) for sends and handlers started afterwards. */
  use(middleware: Middleware): this;
  /**
   * Finishes pending sends, drains receivers (in-flight handlers finish and are acked, bounded by the drain
   * timeout, after which their signal aborts), rejects waiting requests with CLOSED and closes the transport.
   * Idempotent.
   */
  close(): Promise<void>;
  /** The transport underneath, for its capabilities and its native client. */
  readonly transport: Transport;
}
