import { randomUUID } from 'node:crypto';
import type { Inbox, InboxMessage } from '@switchboard/core';
import { Cluster } from 'ioredis';
import type { Reader } from './connection.js';
import { mapError } from './errors.js';
import { LeanConnection } from './lean-connection.js';
import type { ResolvedOptions } from './options.js';
import { decodePacked } from './packing.js';

/** The address of a new inbox: the Pub/Sub channel its replies are published on. */
export function newInboxChannel(prefix: string): string {
  return `${prefix}reply:${randomUUID()}`;
}

/** True when `address` has the shape of an inbox channel of this prefix. */
export function isInboxChannel(prefix: string, address: string): boolean {
  return address.startsWith(`${prefix}reply:`);
}

/**
 * True when `address` is the inbox of an earlier version of the adapter (a marker key `sb:inbox:{uuid}` and
 * a list `<address>:replies`), which a responder can still reply to while requesters are being upgraded.
 */
export function isLegacyInboxKey(prefix: string, address: string): boolean {
  return address.startsWith(`${prefix}inbox:{`) && address.endsWith('}');
}

/**
 * A per-bus reply inbox: a Redis Pub/Sub channel (the address) that the inbox's own connection subscribes
 * to; a responder replies with one `PUBLISH <address> <packed reply>` (see docs/wire-format/redis.md). A
 * reply is one value to decode, and Redis hands it to the subscriber's socket at once: no key is written,
 * no blocking read is rewritten after each reply, and nothing is left in Redis after close (the connection
 * unsubscribes and quits). Pub/Sub does not keep messages: a reply published while the connection is down
 * (or before it re-subscribed) reaches nobody, and the request it answers ends with the bus's TIMEOUT, never
 * silently. On reconnection the connection subscribes again by itself (the lean connection on 'ready',
 * ioredis' cluster client on its own).
 */
export class ChannelInbox implements Inbox {
  readonly address: string;
  private stopped = false;
  private closing: Promise<void> | undefined;
  /**
   * After a reconnection. A failure has no caller to reject: it is reported on stderr (the requests whose
   * replies it misses end with TIMEOUT), and the next 'ready' tries again.
   */
  private readonly resubscribe = () => {
    if (this.stopped) return;
    this.subscribe().catch((error: unknown) => {
      if (this.stopped) return;
      const mapped = mapError(error, {
        action: `subscribe the reply inbox ${this.address} again after reconnecting`,
        url: this.options.displayUrl,
      });
      console.error(`${mapped.code}${mapped.retryable ? ' (retryable)' : ''}: ${mapped.message}`);
    });
  };

  constructor(
    private readonly connection: Reader,
    private readonly options: ResolvedOptions,
    private readonly onMessage: (message: InboxMessage) => void,
    private readonly onClosed: () => void,
  ) {
    this.address = newInboxChannel(options.keyPrefix);
  }

  /** Subscribes; resolves once the server confirmed it (replies published from then on arrive). */
  async start(): Promise<void> {
    const { connection } = this;
    const deliver = (_channel: Buffer, payload: Buffer) => this.deliver(payload);
    if (connection instanceof Cluster) connection.on('messageBuffer', deliver);
    else {
      connection.onMessage = deliver;
      connection.on('ready', this.resubscribe);
    }
    await this.subscribe();
  }

  /**
   * The inbox's connection when lone sends (requests) may go on it now: a standalone connection that is
   * ready, of an inbox not closing. A RESP3 connection runs commands while subscribed.
   */
  get sender(): LeanConnection | undefined {
    const { connection } = this;
    if (this.stopped || !(connection instanceof LeanConnection) || connection.status !== 'ready')
      return undefined;
    return connection;
  }

  private subscribe(): Promise<unknown> {
    const { connection, address } = this;
    return connection instanceof Cluster
      ? connection.subscribe(address)
      : connection.call('SUBSCRIBE', address);
  }

  private deliver(payload: Buffer): void {
    if (this.stopped) return;
    const decoded = decodePacked(payload);
    this.onMessage({ body: decoded.body, headers: decoded.headers });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      const { connection, address } = this;
      if (connection instanceof Cluster) {
        await connection.unsubscribe(address).catch(() => undefined);
        await connection.quit().catch(() => connection.disconnect());
      } else {
        connection.off('ready', this.resubscribe);
        // UNSUBSCRIBE answered: the server holds no subscription of this inbox any more.
        if (connection.status === 'ready')
          await connection.call('UNSUBSCRIBE', address).catch(() => undefined);
        await connection.quit();
      }
      this.onClosed();
    })();
    return this.closing;
  }
}
