import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
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
import { Connection } from './connection.js';
import { CorePublisher } from './core-publisher.js';
import { COMPONENT, mapError, natsError } from './errors.js';
import { encodeHeaders, headersOf } from './header-block.js';
import * as names from './naming.js';
import type { ResolvedOptions } from './options.js';
import { PipelinedPublisher } from './publisher.js';
import { Routes } from './routes.js';
import { MINIMUM_SERVER_VERSION, serverFeatures } from './server-features.js';
import { StreamManager } from './streams.js';
import { subscribeCore, subscribeJetStream } from './subscription.js';

/** The escape hatch: the NATS connection and, in JetStream mode, the JetStream client and manager. */
export interface NatsNative {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient | undefined;
  readonly jsm: JetStreamManager | undefined;
}

interface Live {
  readonly connection: Connection;
  readonly js: JetStreamClient | undefined;
  readonly streams: StreamManager | undefined;
  readonly jsPublisher: PipelinedPublisher | undefined;
  readonly corePublisher: CorePublisher;
  readonly native: NatsNative;
}

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
    this.connecting ??= this.open().then(
      (live) => {
        this.live = live;
        return live;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  private async open(): Promise<Live> {
    const connection = await Connection.open(this.options);
    try {
      const nc = connection.nc;
      const features = serverFeatures(nc.info?.version);
      let jsm: JetStreamManager | undefined;
      let js: JetStreamClient | undefined;
      if (this.jetStream) {
        if (!features.jetStream) throw tooOldForJetStream(nc.info?.version);
        jsm = await jetstreamManager(nc).catch((error: unknown) => {
          throw mapError(error, 'open JetStream');
        });
        js = jetstream(nc);
      }
      this.capabilities = capabilitiesFor(this.options.mode, this.options.duplicateWindowMs, {
        maxPayload: nc.info?.max_payload,
        features,
      });
      if (this.closing) throw natsError('CLOSED', 'the transport was closed while it connected', false);
      return {
        connection,
        js,
        streams: jsm ? new StreamManager(jsm, this.options, features) : undefined,
        jsPublisher: js ? new PipelinedPublisher(connection) : undefined,
        corePublisher: new CorePublisher(connection),
        native: { nc, js, jsm },
      };
    } catch (error) {
      await connection.close();
      throw error;
    }
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
      await this.ensureTopicStream(live);
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

  private ensureTopicStream(live: Live): Promise<void> {
    const prefix = this.options.prefix;
    return live.streams!.ensureTopicStream(names.topicStreamName(prefix), `${prefix}.t.>`);
  }

  async subscribe(
    destination: Destination,
    options: SubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Promise<Subscription> {
    const live = await this.ready();
    const prefix = this.options.prefix;
    const what = `subscribe to ${destination.kind} ${destination.name}`;
    const queue = destination.kind === 'queue';
    const subject = queue
      ? names.queueSubject(prefix, destination.name)
      : names.topicSubject(prefix, destination.name, true);
    let subscription: Subscription;
    if (!live.streams || !live.js) {
      const group = queue ? 'sb' : options.group;
      subscription = await subscribeCore(
        live.connection.nc,
        subject,
        group,
        options.prefetch,
        onDelivery,
      ).catch((e: unknown) => {
        throw mapError(e, what);
      });
    } else {
      const streams = live.streams;
      const stream = queue ? names.queueStreamName(prefix, destination.name) : names.topicStreamName(prefix);
      subscription = await subscribeJetStream(
        {
          nc: live.connection.nc,
          js: live.js,
          streams,
          ensureStream: () =>
            queue ? streams.ensureQueueStream(stream, subject) : this.ensureTopicStream(live),
          consumer: {
            stream,
            durable: queue
              ? names.QUEUE_CONSUMER
              : options.group === undefined
                ? undefined
                : names.groupConsumerName(destination.name, options.group),
            filterSubject: queue ? undefined : subject,
            startFrom: queue ? 'earliest' : (options.startFrom ?? 'new'),
            ackDeadlineMs: options.ackDeadlineMs,
            prefetch: options.prefetch,
          },
          requestSubject: queue ? names.requestSubject(prefix, destination.name) : undefined,
          confirmAcks: this.options.confirmAcks,
          what,
        },
        onDelivery,
      );
    }
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
    const address = createInbox();
    const sub = live.connection.nc.subscribe(address, {
      callback: (error, msg) => {
        if (!error) onMessage({ body: msg.data, headers: headersOf(msg) });
      },
    });
    await live.connection.nc.flush().catch((error: unknown) => {
      throw mapError(error, 'open a reply inbox');
    });
    const inboxes = this.inboxes;
    const inbox: Inbox = {
      address,
      async close() {
        if (inboxes.delete(inbox)) sub.unsubscribe();
      },
    };
    inboxes.add(inbox);
    return inbox;
  }

  async reply(address: string, message: WireMessage): Promise<void> {
    const live = this.live !== undefined && this.closing === undefined ? this.live : await this.ready();
    if (!live.connection.connected) await live.connection.whenConnected(undefined, `reply to ${address}`);
    try {
      live.connection.nc.publish(address, message.body, { headers: encodeHeaders(message).asMsgHdrs() });
    } catch (error) {
      throw mapError(error, `reply to ${address}`);
    }
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

/** JetStream mode on a server older than the client's consumers API: UNSUPPORTED at connect, not later. */
function tooOldForJetStream(version: string | undefined) {
  return natsError(
    'UNSUPPORTED',
    `nats-server ${version ?? '(unknown version)'} is older than ${MINIMUM_SERVER_VERSION.jetStream}, the first version JetStream mode works with — upgrade the server or use ?mode=core`,
    false,
  );
}
