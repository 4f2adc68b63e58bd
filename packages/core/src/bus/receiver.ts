import type { CodecSet } from '../codec/codec.js';
import type { MessagingError } from '../errors.js';
import type { Handler, Message, Receiver } from '../message.js';
import type { MessageDefinition } from '../schema.js';
import type { Destination, Subscription, Transport } from '../transport/contract.js';
import { deadLetterQueueOf } from '../wire/reserved-headers.js';
import { Dispatcher } from './dispatcher.js';
import type { Middleware } from './middleware.js';
import type { ResolvedReceiveOptions } from './options.js';
import { ackFailureReporter, type ProcessorConfig, processDelivery } from './processor.js';
import { settlesWithin } from './sleep.js';

/** What a receiver is started with. */
export interface ReceiverSpec {
  readonly transport: Transport;
  readonly codecs: CodecSet;
  readonly middleware: readonly Middleware[];
  readonly destination: Destination;
  readonly definition: MessageDefinition<unknown> | undefined;
  readonly options: ResolvedReceiveOptions;
  readonly handler: Handler<unknown, unknown>;
  readonly respond?: ProcessorConfig['respond'];
  readonly drainTimeoutMs: number;
  readonly report: (error: MessagingError) => void;
  /** Called once the receiver has closed, so the bus can forget it. */
  readonly onClosed: (receiver: ActiveReceiver) => void;
}

/** A running receive/subscribe/reply: a transport subscription feeding a dispatcher. */
export class ActiveReceiver implements Receiver {
  /** Aborted when the drain timeout passes: handlers see it as `context.signal`. */
  private readonly controller = new AbortController();
  /** Aborted as soon as draining starts: retries the bus is holding are nacked at once instead of waiting. */
  private readonly stopping = new AbortController();
  private readonly dispatcher: Dispatcher;
  private subscription: Subscription | undefined;
  private closing: Promise<void> | undefined;

  private constructor(private readonly spec: ReceiverSpec) {
    const { options, destination } = spec;
    const policy = {
      source: destination,
      group: options.group,
      maxAttempts: options.maxAttempts,
      backoff: options.backoff,
      deadLetter: options.deadLetter ?? deadLetterQueueOf(destination.name),
    };
    const config: ProcessorConfig = {
      transport: spec.transport,
      codecs: spec.codecs,
      definition: spec.definition,
      middleware: spec.middleware,
      handler: spec.handler,
      respond: spec.respond,
      report: spec.report,
      signal: this.stopping.signal,
      context: { signal: this.controller.signal },
      policy,
      ackFailed: ackFailureReporter({ policy, report: spec.report }),
    };
    this.dispatcher = new Dispatcher(options.concurrency, (delivery) => processDelivery(delivery, config));
  }

  /** Subscribes and resolves once messages flow. */
  static async start(spec: ReceiverSpec): Promise<ActiveReceiver> {
    const receiver = new ActiveReceiver(spec);
    const { options } = spec;
    receiver.subscription = await spec.transport.subscribe(
      spec.destination,
      {
        group: options.group,
        prefetch: options.prefetch,
        ackDeadlineMs: options.ackDeadlineMs,
        startFrom: options.startFrom,
      },
      receiver.dispatcher.onDelivery,
    );
    return receiver;
  }

  close(): Promise<void> {
    this.closing ??= this.drain(this.spec.drainTimeoutMs).finally(() => this.spec.onClosed(this));
    return this.closing;
  }

  /**
   * Stops intake, waits up to `timeoutMs` for running handlers (whose acks go out), then aborts their
   * signal and gives them a short grace before the subscription closes; unsettled messages return to the broker.
   */
  private async drain(timeoutMs: number): Promise<void> {
    this.dispatcher.stop();
    this.stopping.abort();
    await this.subscription?.stop().catch(() => undefined);
    const idle = this.dispatcher.idle();
    const finished = await settlesWithin(idle, timeoutMs);
    this.controller.abort();
    if (!finished) await settlesWithin(idle, Math.min(1000, timeoutMs));
    await this.subscription?.close().catch(() => undefined);
  }
}

/** Narrows a generic handler for storage next to others. */
export function eraseHandler<T, R>(handler: Handler<T, R>): Handler<unknown, unknown> {
  return handler as unknown as (message: Message<unknown>, context: { signal: AbortSignal }) => unknown;
}
