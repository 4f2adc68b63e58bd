import { CodecSet, defaultCodecs } from '../codec/codec.js';
import { describeError, MessagingError } from '../errors.js';
import type {
  Handler,
  ReceiveOptions,
  Receiver,
  RequestOptions,
  SendOptions,
  SendResult,
  SubscribeOptions,
} from '../message.js';
import { type MessageDefinition, type Target, targetName, validateWith } from '../schema.js';
import type { Destination, Transport, WireMessage } from '../transport/contract.js';
import { newMessageId } from '../util/ids.js';
import { deadLetterQueueOf, H } from '../wire/reserved-headers.js';
import type { Bus } from './bus-api.js';
import { type ConsumedMessage, type ConsumeOptions, createConsumer } from './consume.js';
import { composeSend, type Middleware, type SendContext } from './middleware.js';
import { type BusOptions, resolveReceiveOptions } from './options.js';
import { buildWireMessage, type ReservedExtras } from './outgoing.js';
import type { ProcessorConfig } from './processor.js';
import { ActiveReceiver, eraseHandler } from './receiver.js';
import { RequestTracker } from './requests.js';
import { SendBatcher } from './send-batcher.js';
import { checkInteger, checkName } from './validation.js';

type Kind = 'queue' | 'topic';

/** `T` with every key present (values may still be undefined). */
type EveryKey<T> = { [K in keyof Required<T>]: T[K] };

/** The reserved header of a successful reply (one shared object; literal key for a fast-properties header map). */
const OK_REPLY: ReservedExtras = Object.freeze({ 'sb-reply-status': 'ok' });
/** An iterator whose first `next()` rejects with `error` (bad input or a closed bus). */
function failedIterator<T>(error: unknown): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => Promise.reject(error),
    return: async () => ({ done: true, value: undefined }),
  };
  return iterator;
}

/** Creates a bus over a transport. The transport connects on first use; see {@link Bus}. */
export function createBus(options: BusOptions): Bus {
  return new SwitchboardBus(options);
}

class SwitchboardBus implements Bus {
  readonly transport: Transport;
  private readonly codecs: CodecSet;
  private readonly middleware: Middleware[];
  private readonly batcher: SendBatcher;
  private readonly requests: RequestTracker;
  private readonly closeables = new Set<{ close(): Promise<unknown> }>();
  private readonly queueDestinations = new Map<string, Destination>();
  private readonly topicDestinations = new Map<string, Destination>();
  private readonly drainTimeoutMs: number;
  private readonly report: (error: MessagingError) => void;
  private connected = false;
  private hasSendMiddleware = false;
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BusOptions) {
    if (!options?.transport) {
      throw new MessagingError(
        'INVALID_ARGUMENT',
        'createBus needs a transport: createBus({ transport: memoryTransport() })',
        { component: 'bus' },
      );
    }
    this.transport = options.transport;
    this.codecs = new CodecSet([...(options.codecs ?? []), ...defaultCodecs]);
    this.middleware = [...(options.middleware ?? [])];
    this.hasSendMiddleware = this.middleware.some((m) => m.send !== undefined);
    this.drainTimeoutMs = checkInteger('drainTimeoutMs', options.drainTimeoutMs, 0) ?? 10_000;
    const sendTimeoutMs = checkInteger('sendTimeoutMs', options.sendTimeoutMs, 1) ?? 30_000;
    const maxBatch = checkInteger('maxBatchSize', options.maxBatchSize, 1, 100_000) ?? 500;
    resolveReceiveOptions(undefined, options.defaults);
    this.batcher = new SendBatcher((d, m, o) => this.transport.publish(d, m, o), {
      maxBatch,
      maxInFlight: 4,
      sendTimeoutMs,
    });
    this.requests = new RequestTracker(this.transport, this.codecs);
    this.report = options.onError ?? ((error) => console.error(`[switchboard] ${error.message}`));
  }

  send<T>(queue: Target<T>, body: T, options?: SendOptions): Promise<SendResult> {
    return this.dispatch('queue', queue, body, options);
  }

  publish<T>(topic: Target<T>, body: T, options?: SendOptions): Promise<SendResult> {
    return this.dispatch('topic', topic, body, options);
  }

  receive<T>(queue: Target<T>, handler: Handler<T>, options?: ReceiveOptions): Promise<Receiver> {
    return this.startReceiver('queue', queue, eraseHandler(handler), options);
  }

  subscribe<T>(topic: Target<T>, handler: Handler<T>, options?: SubscribeOptions): Promise<Receiver> {
    return this.startReceiver('topic', topic, eraseHandler(handler), options);
  }

  request<R = unknown, T = unknown>(queue: Target<T>, body: T, options?: RequestOptions): Promise<R> {
    // Not `async`: a request costs no extra promise and generator on top of its reply's.
    let timeoutMs: number;
    let id: string;
    let destination: string;
    try {
      this.assertOpen();
      destination = targetName(queue);
      timeoutMs = checkInteger('timeoutMs', options?.timeoutMs, 1) ?? 30_000;
      id = options?.id ?? newMessageId();
      if (options?.signal?.aborted)
        throw new MessagingError('CANCELLED', 'the request was aborted before it was sent', {
          component: 'bus',
        });
    } catch (error) {
      return Promise.reject(error);
    }
    // The timeout runs from the call: connecting and opening the inbox count against it.
    const reply = this.requests.expect(id, destination, timeoutMs, options?.signal);
    const address = this.connected ? this.requests.openAddress : undefined;
    if (address !== undefined) {
      this.sendRequest(queue, body, id, timeoutMs, options, address).catch((error: unknown) =>
        this.requests.fail(id, error),
      );
    } else {
      this.ready()
        .then(() => this.requests.address())
        .then((opened) => this.sendRequest(queue, body, id, timeoutMs, options, opened))
        .catch((error: unknown) => this.requests.fail(id, error));
    }
    return reply as Promise<R>;
  }

  /** Sends a request's message; capabilities are read after connect (they may grow once the server is known). */
  private sendRequest<T>(
    queue: Target<T>,
    body: T,
    id: string,
    timeoutMs: number,
    options: RequestOptions | undefined,
    address: string,
  ): Promise<SendResult> {
    const ttlMs = options?.ttlMs ?? (this.transport.capabilities.ttl ? timeoutMs : undefined);
    // Every field listed (a new send option fails to compile here until it is passed on), one
    // object shape for every request.
    const sendOptions: EveryKey<Omit<SendOptions, 'delayMs'>> = {
      id,
      correlationId: id,
      ttlMs,
      headers: options?.headers,
      key: options?.key,
      dedupeId: options?.dedupeId,
      priority: options?.priority,
      signal: options?.signal,
    };
    return this.dispatch('queue', queue, body, sendOptions, { 'sb-reply-to': address }, true);
  }

  reply<T, R>(queue: Target<T>, handler: Handler<T, R>, options?: ReceiveOptions): Promise<Receiver> {
    return this.startReceiver('queue', queue, eraseHandler(handler), options, (message, outcome) => {
      const correlationId = message.correlationId;
      let wire: WireMessage;
      if ('error' in outcome) {
        wire = this.errorReply(outcome.error, correlationId);
      } else {
        try {
          // No send options: the reply takes buildWireMessage's fast path, its reserved headers as extras.
          wire = buildWireMessage(
            outcome.result,
            undefined,
            this.codecs,
            this.transport.capabilities,
            this.transport.name,
            correlationId === undefined
              ? OK_REPLY
              : { 'sb-correlation-id': correlationId, 'sb-reply-status': 'ok' },
          );
        } catch (error) {
          wire = this.errorReply(error, correlationId);
        }
      }
      return this.transport.reply(message.replyTo!, wire);
    });
  }

  consume<T>(queue: Target<T>, options?: ConsumeOptions): AsyncIterableIterator<ConsumedMessage<T>> {
    try {
      this.assertOpen();
      return this.startConsumer(queue, options);
    } catch (error) {
      return failedIterator(error);
    }
  }

  private startConsumer<T>(
    queue: Target<T>,
    options?: ConsumeOptions,
  ): AsyncIterableIterator<ConsumedMessage<T>> {
    const kind = options?.kind ?? 'queue';
    const { definition, destination, resolved } = this.prepareReceive(kind, queue, options);
    const closeable = { close: () => consumer.return() };
    const consumer = createConsumer<T>({
      transport: this.transport,
      destination,
      options: resolved,
      onEnd: () => this.closeables.delete(closeable),
      config: {
        transport: this.transport,
        codecs: this.codecs,
        definition,
        report: this.report,
        signal: new AbortController().signal,
        policy: {
          source: destination,
          group: resolved.group,
          maxAttempts: resolved.maxAttempts,
          backoff: resolved.backoff,
          deadLetter: resolved.deadLetter ?? deadLetterQueueOf(destination.name),
        },
      },
    });
    this.closeables.add(closeable);
    return consumer;
  }

  use(middleware: Middleware): this {
    this.middleware.push(middleware);
    this.hasSendMiddleware ||= middleware.send !== undefined;
    return this;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.batcher.whenIdle();
      await Promise.all(
        [...this.closeables].map((c) => c.close().catch((e: unknown) => this.reportClose(e))),
      );
      await this.requests.close().catch((e: unknown) => this.reportClose(e));
      await this.transport.close().catch((e: unknown) => this.reportClose(e));
    })();
    return this.closing;
  }

  private reportClose(error: unknown): void {
    this.report(
      new MessagingError('INTERNAL', `error while closing: ${describeError(error)}`, {
        component: 'bus',
        cause: error,
      }),
    );
  }

  private errorReply(error: unknown, correlationId: string | undefined): WireMessage {
    return buildWireMessage(
      undefined,
      { correlationId },
      this.codecs,
      this.transport.capabilities,
      this.transport.name,
      {
        [H.replyStatus]: 'error',
        [H.error]: describeError(error).slice(0, 1000),
        [H.errorCode]: MessagingError.is(error) ? error.code : 'HANDLER_ERROR',
      },
    );
  }

  private assertOpen(): void {
    if (this.closing)
      throw new MessagingError('CLOSED', 'the bus is closed — create a new one', { component: 'bus' });
  }

  private ready(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.connecting ??= this.transport.connect().then(
      () => {
        this.connected = true;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  private dispatch(
    kind: Kind,
    target: Target<unknown>,
    body: unknown,
    options: SendOptions | undefined,
    extras?: ReservedExtras,
    expectConsumer = false,
  ): Promise<SendResult> {
    try {
      this.assertOpen();
      const destination = this.destinationOf(kind, targetName(target));
      const fast = typeof target === 'string' && this.connected && !this.hasSendMiddleware;
      if (fast) return this.write(destination, body, options, extras, expectConsumer);
      return this.dispatchSlow(destination, target, body, options, extras, expectConsumer);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The validated destination for a send, reused across sends (one map lookup instead of a check and an
   * allocation per message). The cache is emptied when it passes 10,000 names.
   */
  private destinationOf(kind: Kind, name: string): Destination {
    const cache = kind === 'queue' ? this.queueDestinations : this.topicDestinations;
    let destination = cache.get(name);
    if (destination === undefined) {
      destination = { kind, name: checkName(kind, name) };
      if (cache.size >= 10_000) cache.clear();
      cache.set(name, destination);
    }
    return destination;
  }

  /** Typed messages, middleware or a first send before the connection is up. */
  private async dispatchSlow(
    destination: { kind: Kind; name: string },
    target: Target<unknown>,
    body: unknown,
    options: SendOptions | undefined,
    extras: ReservedExtras | undefined,
    expectConsumer: boolean,
  ): Promise<SendResult> {
    if (typeof target !== 'string') {
      body = await validateWith(target, body, 'INVALID_ARGUMENT');
      extras = { ...extras, [H.type]: target.name };
    }
    if (this.middleware.every((m) => !m.send)) {
      await this.ready();
      return this.write(destination, body, options, extras, expectConsumer);
    }
    const context: SendContext = {
      destination: destination.name,
      kind: destination.kind,
      body,
      headers: { ...options?.headers },
    };
    return composeSend(this.middleware, context, async () => {
      await this.ready();
      return this.write(
        destination,
        context.body,
        { ...options, headers: context.headers },
        extras,
        expectConsumer,
      );
    });
  }

  /** Builds the wire message (throwing before anything is sent) and hands it to the batcher. */
  private write(
    destination: { kind: Kind; name: string },
    body: unknown,
    options: SendOptions | undefined,
    extras: ReservedExtras | undefined,
    expectConsumer: boolean,
  ): Promise<SendResult> {
    const wire = buildWireMessage(
      body,
      options,
      this.codecs,
      this.transport.capabilities,
      this.transport.name,
      extras,
    );
    return this.batcher.add(destination, wire, options?.signal, expectConsumer);
  }

  private prepareReceive(kind: Kind, target: Target<unknown>, options: SubscribeOptions | undefined) {
    const name = checkName(
      kind,
      targetName(target),
      kind === 'topic' && this.transport.capabilities.wildcards,
    );
    const resolved = resolveReceiveOptions(
      kind === 'queue' ? { ...options, group: undefined } : options,
      this.options.defaults,
    );
    if (resolved.startFrom === 'earliest' && !this.transport.capabilities.replay) {
      throw new MessagingError(
        'UNSUPPORTED',
        `startFrom "earliest" needs replay, which ${this.transport.name} does not offer`,
        {
          component: 'bus',
        },
      );
    }
    const definition = typeof target === 'string' ? undefined : (target as MessageDefinition<unknown>);
    return { definition, destination: { kind, name }, resolved };
  }

  private async startReceiver(
    kind: Kind,
    target: Target<unknown>,
    handler: Handler<unknown, unknown>,
    options: SubscribeOptions | undefined,
    respond?: ProcessorConfig['respond'],
  ): Promise<Receiver> {
    this.assertOpen();
    if (typeof handler !== 'function') {
      throw new MessagingError(
        'INVALID_ARGUMENT',
        `the handler for ${targetName(target)} must be a function`,
        { component: 'bus' },
      );
    }
    const { definition, destination, resolved } = this.prepareReceive(kind, target, options);
    await this.ready();
    const receiver = await ActiveReceiver.start({
      transport: this.transport,
      codecs: this.codecs,
      middleware: this.middleware,
      destination,
      definition,
      options: resolved,
      handler,
      respond,
      drainTimeoutMs: this.drainTimeoutMs,
      report: this.report,
      onClosed: (r) => this.closeables.delete(r),
    });
    if (this.closing) {
      await receiver.close();
      throw new MessagingError('CLOSED', 'the bus was closed while the receiver started', {
        component: 'bus',
      });
    }
    this.closeables.add(receiver);
    return receiver;
  }
}
