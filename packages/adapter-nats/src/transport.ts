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
import { capabilitiesFor } from './capabilities.js';
import { COMPONENT, natsError } from './errors.js';
import { openReplyInbox, sendReply } from './inbox.js';
import { ensureTopicStream, type Live, type NatsNative, openLive } from './live.js';
import type { ResolvedOptions } from './options.js';
import { Routes } from './routes.js';
import { subscribeDestination } from './subscribe.js';

export type { NatsNative } from './live.js';

/** The NATS transport; see the package README for the mapping of queues, topics and groups. */
export class NatsTransport implements Transport<NatsNative> {
  readonly name = COMPONENT;
  capabilities: Capabilities;
  private live: Live | undefined;
  private connecting: Promise<Live> | undefined;
  private closing: Promise<void> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly inboxes = new Set<Inbox>();
  private readonly routes: Routes;

  constructor(private readonly options: ResolvedOptions) {
    this.routes = new Routes(options.prefix);
    this.capabilities = capabilitiesFor(options.mode, options.duplicateWindowMs);
  }

  /** The native clients; throws CLOSED/UNAVAILABLE-style INVALID state before connect(). */
  get native(): NatsNative {
    if (!this.live) throw natsError('UNAVAILABLE', 'not connected yet — call connect() first', false);
    return this.live.native;
  }

  get jetStream(): boolean {
    return this.options.mode === 'jetstream';
  }

  async connect(): Promise<void> {
    await this.ready();
  }

  private ready(): Promise<Live> {
    this.assertOpen();
    if (this.live) return Promise.resolve(this.live);
    this.connecting ??= openLive(this.options, () => this.closing !== undefined).then(
      (live) => {
        this.live = live;
        this.capabilities = live.capabilities;
        return live;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  async publish(
    destination: Destination,
    messages: readonly WireMessage[],
    options?: PublishOptions,
  ): Promise<void> {
    const live = this.live !== undefined && this.closing === undefined ? this.live : await this.ready();
    const what = `publish to ${destination.kind} ${destination.name}`;
    const route = this.routes.of(destination);
    const signal = options?.signal;
    if (!live.jsPublisher || !live.streams) {
      const expectConsumer = destination.kind === 'queue' && options?.expectConsumer === true;
      return live.corePublisher.publish(route.subject, messages, what, signal, expectConsumer);
    }
    if (route.request !== undefined && options?.expectConsumer) {
      return live.corePublisher.publish(route.request, messages, what, signal, true);
    }
    if (route.request === undefined) {
      await ensureTopicStream(live.streams, this.options.prefix);
      return live.jsPublisher.publish(route.subject, messages, what, signal);
    }
    await live.streams.ensureQueueStream(route.stream, route.subject);
    try {
      return await live.jsPublisher.publish(route.subject, messages, what, signal);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'NOT_FOUND')) throw error;
      live.streams.forget(route.stream);
      await live.streams.ensureQueueStream(route.stream, route.subject);
      return live.jsPublisher.publish(route.subject, messages, what, signal);
    }
  }

  async subscribe(
    destination: Destination,
    options: SubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Promise<Subscription> {
    const live = await this.ready();
    const what = `subscribe to ${destination.kind} ${destination.name}`;
    const subscription = await subscribeDestination(
      live,
      this.options,
      destination,
      options,
      onDelivery,
      what,
    );
    if (this.closing) {
      await subscription.close();
      throw natsError('CLOSED', `${what}: the transport was closed meanwhile`, false);
    }
    const tracked: Subscription = {
      stop: () => subscription.stop(),
      close: async () => {
        this.subscriptions.delete(tracked);
        await subscription.close();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }

  async openInbox(onMessage: (message: InboxMessage) => void): Promise<Inbox> {
    const live = await this.ready();
    return openReplyInbox(live.connection, this.inboxes, onMessage);
  }

  async reply(address: string, message: WireMessage): Promise<void> {
    const live = this.live !== undefined && this.closing === undefined ? this.live : await this.ready();
    return sendReply(live.connection, address, message);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const live = await this.connecting?.catch(() => undefined);
      await Promise.all([...this.subscriptions].map((s) => s.close().catch(() => undefined)));
      await Promise.all([...this.inboxes].map((i) => i.close()));
      if (!live) return;
      live.jsPublisher?.close();
      live.corePublisher.close();
      await live.connection.close();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw natsError('CLOSED', 'the transport is closed — create a new one', false);
  }
}
