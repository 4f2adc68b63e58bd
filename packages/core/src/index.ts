/**
 * @switchboard/core — one TypeScript API for asynchronous messaging over RabbitMQ, Redis Streams, Kafka,
 * NATS JetStream and the in-memory broker.
 */

export { type Backoff, backoffDelay, DEFAULT_BACKOFF } from './bus/backoff.js';
export { createBus } from './bus/bus.js';
export type { Bus } from './bus/bus-api.js';
export type { ConsumedMessage, ConsumeOptions } from './bus/consume.js';
export { attemptOf } from './bus/incoming.js';
export type { Middleware, SendContext } from './bus/middleware.js';
export type { BusOptions } from './bus/options.js';
export { bytesCodec, type Codec, jsonCodec, textCodec } from './codec/codec.js';
export {
  describeError,
  ERROR_CODES,
  type ErrorCode,
  MessagingError,
  type MessagingErrorOptions,
  redactUrl,
  UnrecoverableError,
} from './errors.js';
export {
  type MemoryNative,
  type MemoryTransportOptions,
  memoryTransport,
} from './memory/memory-transport.js';
export type {
  BackoffOptions,
  DeadLetterInfo,
  Handler,
  HandlerContext,
  Message,
  ReceiveOptions,
  Receiver,
  RequestOptions,
  SendOptions,
  SendResult,
  SubscribeOptions,
} from './message.js';
export {
  ADAPTER_PACKAGES,
  type ConnectOptions,
  connect,
  registerAdapterPackage,
  registerTransport,
  schemeOf,
  type TransportFromUrl,
} from './registry.js';
export { defineMessage, type MessageDefinition, type Target } from './schema.js';
export type { Capabilities } from './transport/capabilities.js';
export type {
  Delivery,
  DeliveryHandler,
  Destination,
  Inbox,
  InboxMessage,
  Lifecycle,
  NackOptions,
  Publisher,
  PublishOptions,
  Replier,
  SubscribeOptions as TransportSubscribeOptions,
  Subscriber,
  Subscription,
  Transport,
  WireMessage,
} from './transport/contract.js';
export { watchAbort } from './util/abort-watch.js';
export { RESOLVED as SETTLED } from './util/defer.js';
export {
  DEAD_LETTER_SUFFIX,
  deadLetterQueueOf,
  H as ReservedHeaders,
  isReservedHeader,
  RESERVED_PREFIX,
  userHeadersOf,
} from './wire/reserved-headers.js';
export { writeUtf8 } from './wire/utf8.js';
