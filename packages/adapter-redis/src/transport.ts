import { randomBytes } from 'node:crypto';
import {
  type Capabilities,
  type DeliveryHandler,
  type Destination,
  type Inbox,
  type InboxMessage,
  MessagingError,
  type PublishOptions,
  type TransportSubscribeOptions as SubscribeOptions,
  type Subscription,
  type Transport,
  type WireMessage,
} from '@switchboard/core';
import type { Cluster, Redis } from 'ioredis';
import { encodeFields, type FieldValue } from './codec.js';
import { type Client, openClient, openReader, type Reader, whenReady } from './connection.js';
import { EphemeralSubscription } from './ephemeral-subscription.js';
import { closedError, type ErrorContext, mapError } from './errors.js';
import { GroupSubscription } from './group-subscription.js';
import { ChannelInbox, isInboxChannel, isLegacyInboxKey } from './inbox.js';
import type { ResolvedOptions } from './options.js';
import { packMessage, packMessages } from './packing.js';
import { OpenWindows } from './read-window.js';
import { encodePublish, encodeXadd, type XaddHead, xaddHead } from './resp-writer.js';
import { delayedKey, LEGACY_REPLY_TTL_MS, packDelayed, QUEUE_GROUP, scripts, streamKey } from './scripts.js';

/** The escape hatch: the ioredis client and the key layout, for what Switchboard does not cover. */
export interface RedisNative {
  /** The command connection (an ioredis `Redis`, or a `Cluster`). Throws before `connect()` resolved. */
  readonly client: Redis | Cluster;
  /** The stream key of a destination, e.g. `sb:q:{orders}` for the queue `orders`. */
  streamKey(destination: Destination): string;
}

const NAME = 'adapter-redis';
const isDelayed = (message: WireMessage): boolean => message.delayMs !== undefined && message.delayMs > 0;
const noncePrefix = randomBytes(6).toString('hex');
/** Streams whose XADD head is kept encoded (see encodeXadd): more are served after clearing them all. */
const MAX_XADD_HEADS = 1024;
/** `PING` as RESP: see {@link RedisTransport.reply}. */
const PING_BYTES = Buffer.from('*1\r\n$4\r\nPING\r\n');
let nonceCounter = 0;

/** A Switchboard transport over Redis Streams; see the package README for the semantics. */
export class RedisTransport implements Transport<RedisNative> {
  readonly name = NAME;
  readonly capabilities: Capabilities;
  readonly native: RedisNative;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  /** The connection group subscriptions send XACKs on, opened with the first one. */
  private acking: Promise<Reader> | undefined;
  private closing: Promise<void> | undefined;
  /** The bus's inbox: lone sends (requests) go on its connection (standalone servers) when no read window is open. */
  private inbox: ChannelInbox | undefined;
  private readonly closeables = new Set<{ close(): Promise<void> }>();
  /** Reading connections between two reads: a lone send or a reply rides on one (see ReadWindow). */
  private readonly windows = new OpenWindows();
  /** The trimming arguments of a single XADD. */
  private readonly trim: readonly string[];
  private readonly xaddHeads = new Map<string, XaddHead>();

  constructor(private readonly options: ResolvedOptions) {
    this.capabilities = {
      persistent: true,
      replay: true,
      delay: true,
      nackDelay: true,
      ttl: true,
      dedupe: false,
      ackDeadline: true,
      priority: false,
      wildcards: false,
      maxPayloadBytes: options.maxPayloadBytes,
    };
    this.trim = options.maxLength > 0 ? ['MAXLEN', '~', String(options.maxLength)] : [];
    const self = this;
    this.native = {
      get client(): Redis | Cluster {
        if (!self.client) throw new MessagingError('CLOSED', 'call connect() first', { component: NAME });
        return self.client;
      },
      streamKey: (destination) => streamKey(options.keyPrefix, destination),
    };
  }

  async connect(): Promise<void> {
    await this.ensure();
  }

  private ensure(): Promise<Client> {
    if (this.closing) return Promise.reject(closedError('connect'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= openClient(this.options).then(
      (client) => {
        if (this.closing) {
          client.disconnect();
          throw closedError('connect');
        }
        this.client = client;
        return client;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  /**
   * The shared connection for acknowledgements. Acks wait for their XACK reply before the bus frees the
   * handler's slot, so they must not queue behind the send scripts in flight on the command connection.
   */
  private ackClient(client: Client): Promise<Reader> {
    this.acking ??= openReader(client, this.options, 'sb-ack').catch((error: unknown) => {
      this.acking = undefined;
      throw error;
    });
    return this.acking;
  }

  private context(action: string, key?: string): ErrorContext {
    return { action, key, url: this.options.displayUrl };
  }

  async publish(
    destination: Destination,
    messages: readonly WireMessage[],
    options?: PublishOptions,
  ): Promise<void> {
    const client = this.client ?? (await this.ensure());
    if (this.closing) throw closedError('publish');
    const key = streamKey(this.options.keyPrefix, destination);
    // Built only when needed (a wait for the connection, an error): not on every send.
    const context = () => this.context(`publish to ${destination.kind} ${destination.name}`, key);
    if (client.status !== 'ready') await whenReady(client, context(), options?.signal);
    const now = Date.now();
    let immediate: readonly WireMessage[] = messages;
    let delayed: FieldValue[] | undefined;
    if (messages.some(isDelayed)) {
      immediate = messages.filter((message) => !isDelayed(message));
      delayed = [];
      for (const message of messages) {
        if (!isDelayed(message)) continue;
        const fields = encodeFields(message, [], now);
        delayed.push(String(message.delayMs), packDelayed(`${noncePrefix}${++nonceCounter}`, fields));
      }
    }
    const commands = scripts(client);
    const calls: Promise<unknown>[] = [];
    if (immediate.length === 1) {
      // One message (a request, a lone send): a plain XADD, without the script's overhead, on a reading
      // connection that is between reads (a request a responder sends while handling one; see ReadWindow),
      // else on the inbox's lean connection when there is one (a request that a reply led to: no ioredis
      // command object), else on the command connection.
      const message = immediate[0]!;
      const riding = this.windows.ride((reader) => reader.send(this.encodeXadd(key, message, now)));
      const sender = riding ? undefined : this.inbox?.sender;
      calls.push(
        riding ??
          (sender
            ? sender.send(this.encodeXadd(key, message, now))
            : client.call('XADD', encodeFields(message, this.xaddArgs(key), now))),
      );
    } else {
      packMessages(immediate, now, (packed) => {
        calls.push(commands.sbPublish(key, packed, this.options.maxLength));
      });
    }
    if (delayed && delayed.length > 0) calls.push(commands.sbAddDelayed(delayedKey(key), ...delayed));
    try {
      if (calls.length === 1) await calls[0];
      else await Promise.all(calls);
    } catch (error) {
      // Settle the other calls too, so none is left with an unhandled rejection.
      await Promise.allSettled(calls);
      throw mapError(error, context());
    }
  }

  /** The arguments of a single XADD before the fields: the key, the trimming arguments, `*`. */
  private xaddArgs(key: string): string[] {
    const trim = this.trim;
    return trim.length === 0 ? [key, '*'] : [key, trim[0]!, trim[1]!, trim[2]!, '*'];
  }

  /** A single XADD of `message` to `key` as RESP, for a lean connection (its head encoded once per key). */
  private encodeXadd(key: string, message: WireMessage, now: number): Buffer {
    let head = this.xaddHeads.get(key);
    if (head === undefined) {
      if (this.xaddHeads.size >= MAX_XADD_HEADS) this.xaddHeads.clear();
      head = xaddHead(this.xaddArgs(key));
      this.xaddHeads.set(key, head);
    }
    return encodeXadd(head, message, now);
  }

  async subscribe(
    destination: Destination,
    options: SubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Promise<Subscription> {
    const client = await this.ensure();
    const stream = streamKey(this.options.keyPrefix, destination);
    const context = this.context(`subscribe to ${destination.kind} ${destination.name}`, stream);
    const reader = await openReader(client, this.options);
    const onClosed = () => this.closeables.delete(subscription);
    let subscription: GroupSubscription | EphemeralSubscription;
    try {
      if (destination.kind === 'topic' && options.group === undefined) {
        const { options: resolved } = this;
        const spec = { client, reader, options: resolved, stream, context, onDelivery, onClosed };
        subscription = new EphemeralSubscription({ ...spec, prefetch: options.prefetch });
      } else {
        const group = destination.kind === 'queue' ? QUEUE_GROUP : options.group!;
        const from = destination.kind === 'queue' || options.startFrom === 'earliest' ? '0' : '$';
        await client.call('XGROUP', 'CREATE', stream, group, from, 'MKSTREAM').catch((error: unknown) => {
          if (!String((error as Error)?.message).startsWith('BUSYGROUP')) throw error;
        });
        subscription = new GroupSubscription({
          client,
          acker: await this.ackClient(client),
          reader,
          windows: this.windows,
          options: this.options,
          stream,
          group,
          prefetch: options.prefetch,
          ackDeadlineMs: options.ackDeadlineMs,
          context,
          onDelivery,
          onClosed,
        });
      }
      await subscription.start();
    } catch (error) {
      reader.disconnect();
      throw mapError(error, context);
    }
    this.closeables.add(subscription);
    if (this.closing) {
      await subscription.close();
      throw closedError('subscribe');
    }
    return subscription;
  }

  async openInbox(onMessage: (message: InboxMessage) => void): Promise<Inbox> {
    const client = await this.ensure();
    const connection = await openReader(client, this.options, 'sb-inbox');
    const inbox: ChannelInbox = new ChannelInbox(connection, this.options, onMessage, () => {
      this.closeables.delete(inbox);
      if (this.inbox === inbox) this.inbox = undefined;
    });
    try {
      await inbox.start();
    } catch (error) {
      connection.disconnect();
      throw mapError(error, this.context('open an inbox for replies', inbox.address));
    }
    this.closeables.add(inbox);
    if (this.closing) {
      await inbox.close();
      throw closedError('openInbox');
    }
    this.inbox = inbox;
    return inbox;
  }

  async reply(address: string, message: WireMessage): Promise<void> {
    const client = this.client ?? (await this.ensure());
    if (this.closing) throw closedError('reply');
    const { keyPrefix } = this.options;
    const legacy = !isInboxChannel(keyPrefix, address) && isLegacyInboxKey(keyPrefix, address);
    if (!legacy && !isInboxChannel(keyPrefix, address)) {
      throw new MessagingError('INVALID_ARGUMENT', `"${address}" is not an inbox address of this adapter`, {
        component: NAME,
      });
    }
    const context = () => this.context('send a reply', address);
    if (client.status !== 'ready') await whenReady(client, context());
    try {
      const packed = packMessage(message, Date.now());
      if (legacy) {
        // A requester of an earlier version: its list, pushed by the script only while its marker exists.
        await scripts(client).sbReply(address, `${address}:replies`, packed, LEGACY_REPLY_TTL_MS);
        return;
      }
      // One PUBLISH: a reply nobody is subscribed to any more (the requester closed, or is reconnecting) is
      // dropped by Redis, and that request ends with the requester's TIMEOUT. It rides on a reading
      // connection that is between reads (a responder's reply: written at once, ahead of its next read).
      // The PING ahead of it puts this connection in Redis's queue of connections to write to before the
      // PUBLISH queues the requester's: Redis writes the connection queued last first, so the requester's
      // message leaves before this connection's replies (~7 µs less per round trip here). A PING that fails
      // fails with its PUBLISH, which reports it.
      const riding = this.windows.ride((reader) => {
        void reader.send(PING_BYTES).catch(() => undefined);
        return reader.send(encodePublish(address, packed));
      });
      await (riding ?? client.publish(address, packed));
    } catch (error) {
      throw mapError(error, context());
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.connecting?.catch(() => undefined);
      const client = this.client;
      await Promise.all([...this.closeables].map((c) => c.close().catch(() => undefined)));
      const acker = await this.acking?.catch(() => undefined);
      if (acker) await acker.quit().catch(() => acker.disconnect());
      if (client) await client.quit().catch(() => client.disconnect());
    })();
    return this.closing;
  }
}
