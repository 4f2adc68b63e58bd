import { createInbox, type Subscription as NatsSub } from '@nats-io/transport-node';
import { type WireMessage, watchAbort } from '@switchboard/core';
import { writeBatchAndFlush } from './batch-write.js';
import type { Connection } from './connection.js';
import { mapError, natsError, outage } from './errors.js';

/**
 * Core-NATS publishing: the messages are written, then a flush (PING/PONG) proves the server has read them.
 * With `expectConsumer`, each message carries a reply subject on a probe inbox: when nobody subscribes to
 * the subject, the server answers there with status 503 before it answers the PING, so NO_RESPONDERS is
 * known at once, without waiting for a timeout.
 */
export class CorePublisher {
  private readonly probe = createInbox();
  private readonly sub: NatsSub;
  private readonly noResponders = new Set<number>();
  private sequence = 0;

  constructor(private readonly connection: Connection) {
    this.sub = connection.nc.subscribe(`${this.probe}.*`, {
      callback: (error, msg) => {
        if (!error && msg.headers?.code === 503)
          this.noResponders.add(Number(msg.subject.slice(this.probe.length + 1)));
      },
    });
  }

  async publish(
    subject: string,
    messages: readonly WireMessage[],
    what: string,
    signal: AbortSignal | undefined,
    expectConsumer: boolean,
  ): Promise<void> {
    if (!this.connection.connected) await this.connection.whenConnected(signal, what);
    const nc = this.connection.nc;
    const tokens: number[] = [];
    let flushed: Promise<void>;
    try {
      if (expectConsumer) {
        for (let i = 0; i < messages.length; i++) tokens.push(++this.sequence);
        flushed = writeBatchAndFlush(nc, subject, messages, what, (i) => `${this.probe}.${tokens[i]}`);
      } else flushed = writeBatchAndFlush(nc, subject, messages, what);
    } catch (error) {
      throw mapError(error, what);
    }
    await this.settle(flushed, what, signal);
    let missed = false;
    for (const token of tokens) missed = this.noResponders.delete(token) || missed;
    if (missed)
      throw natsError(
        'NO_RESPONDERS',
        `${what}: nobody is subscribed to ${subject} — is a responder running?`,
        true,
      );
  }

  /** Resolves with `flushed` (the PING behind the messages answered); rejects with UNAVAILABLE when `signal` aborts first. */
  private settle(flushed: Promise<void>, what: string, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) {
      return flushed.catch((error: unknown) => {
        throw mapError(error, what);
      });
    }
    return new Promise<void>((resolve, reject) => {
      const unwatch = watchAbort(signal, () => reject(outage(what)));
      flushed.then(
        () => {
          unwatch();
          resolve();
        },
        (error: unknown) => {
          unwatch();
          reject(mapError(error, what));
        },
      );
    });
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
