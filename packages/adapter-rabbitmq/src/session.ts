import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { ChannelSlot } from './channel-slot.js';
import { mapError } from './errors.js';
import { queueArgumentsOf, type ResolvedOptions } from './options.js';

/**
 * Everything that belongs to one AMQP connection: the publish confirm channel, the reply channel, the channel used for
 * declarations (so that a declaration conflict closes only that one) and the cache of what has been
 * declared on this connection. A reconnect creates a new session; the old one is discarded whole.
 */
export class Session {
  /** Confirm channel all publishes go through. */
  readonly publisher: ChannelSlot<ConfirmChannel>;
  /** Plain channel (no confirms) that replies to direct reply-to addresses go through. */
  readonly replier: ChannelSlot;
  private readonly declarer: ChannelSlot;
  private readonly declared = new Map<string, Promise<void>>();
  /** Queues whose declaration (without binding) succeeded on this connection. */
  private readonly ready = new Set<string>();
  /** False once the connection closed. */
  open = true;

  constructor(
    readonly model: ChannelModel,
    readonly url: string,
    private readonly options: ResolvedOptions,
  ) {
    this.publisher = new ChannelSlot<ConfirmChannel>(model, true);
    this.replier = new ChannelSlot(model, false);
    this.declarer = new ChannelSlot(model, false);
  }

  /** The topic exchange every topic is published to. */
  get exchange(): string {
    return this.options.exchange;
  }

  /** The broker's version string, from the connection's server properties. */
  get serverVersion(): string {
    const version = this.model.connection.serverProperties.version;
    return typeof version === 'string' ? version : 'unknown';
  }

  /** Declares the topic exchange; called once right after connecting. */
  async declareExchange(): Promise<void> {
    const channel = await this.declarer.get();
    await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
  }

  /**
   * Declares the durable queue `name` once per connection (concurrent calls share one declaration) and,
   * with `binding`, binds it to the topic exchange. Rejects with CONFLICT when the queue exists with other
   * arguments; the failure is not cached, so a later call declares again.
   */
  ensureQueue(name: string, binding?: string): Promise<void> {
    const cacheKey = binding === undefined ? name : `${name}\u0000${binding}`;
    let pending = this.declared.get(cacheKey);
    if (!pending) {
      pending = (async () => {
        const channel = await this.declarer.get();
        await channel.assertQueue(name, { durable: true, arguments: queueArgumentsOf(this.options) });
        if (binding !== undefined) await channel.bindQueue(name, this.options.exchange, binding);
        else this.ready.add(name);
      })();
      this.declared.set(cacheKey, pending);
      pending.catch(() => this.declared.delete(cacheKey));
    }
    return pending.catch((error: unknown) => {
      throw mapError(error, { action: `declaring the queue "${name}"`, url: this.url });
    });
  }

  /** True once `ensureQueue(name)` succeeded on this connection: publishers need not wait for it again. */
  isDeclared(name: string): boolean {
    return this.ready.has(name);
  }

  /** Closes the connection (and with it every channel); never rejects. */
  async close(): Promise<void> {
    this.open = false;
    try {
      await this.model.close();
    } catch {
      // already closed
    }
  }
}
