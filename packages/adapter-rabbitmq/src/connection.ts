import amqp from 'amqplib';
import { corkMultiplexedWrites } from './corked-writes.js';
import { closedError, mapError, unavailable } from './errors.js';
import { decodeFramesLeanly } from './lean-frames.js';
import type { ResolvedOptions } from './options.js';
import { Session } from './session.js';

/** Something that must be set up again on every new connection (a subscription, the inbox). */
export interface Resumable {
  resume(session: Session): Promise<void>;
}

/**
 * Owns the AMQP connection. `connect()` tries each URL once (failover) within the connect timeout. When an
 * open connection is lost, it reconnects by itself with exponential backoff over the URL list, declares the
 * topology again and resumes every registered {@link Resumable}. Operations wait for a connection with
 * `session(signal)`: during an outage they wait until it is back, or reject with a retryable UNAVAILABLE
 * when their signal aborts; after `close()` they reject with CLOSED.
 */
export class ConnectionManager {
  private current: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private waiters = new Set<{ resolve(s: Session): void; reject(e: unknown): void }>();
  private readonly resumables = new Set<Resumable>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastError: unknown;
  private closed = false;
  private everConnected = false;

  constructor(private readonly options: ResolvedOptions) {}

  /** Connects (idempotent; concurrent calls share one attempt). Rejects with the mapped error of the last URL tried. */
  async connect(): Promise<void> {
    await this.established();
  }

  /** The current session, waiting for a reconnect while the connection is down (bounded by `signal`). */
  session(signal?: AbortSignal, action = 'the operation'): Promise<Session> {
    if (this.closed) return Promise.reject(closedError(action));
    if (this.current?.open) return Promise.resolve(this.current);
    if (!this.everConnected || (!this.reconnectTimer && !this.connecting)) return this.established();
    if (signal?.aborted) return Promise.reject(this.outage(action));
    return new Promise<Session>((resolve, reject) => {
      const waiter = {
        resolve: (s: Session) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        this.waiters.delete(waiter);
        reject(this.outage(action));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** The session if the connection is up right now. */
  get live(): Session | undefined {
    return this.current?.open ? this.current : undefined;
  }

  /** Registers something to resume after each reconnect; returns the function that unregisters it. */
  track(resumable: Resumable): () => void {
    this.resumables.add(resumable);
    return () => this.resumables.delete(resumable);
  }

  /** Closes the connection and stops reconnecting; waiting operations reject with CLOSED. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const waiter of this.waiters) waiter.reject(closedError('waiting for the connection'));
    this.waiters.clear();
    const pending = this.connecting;
    const session = this.current;
    this.current = undefined;
    await session?.close();
    await pending?.then((s) => s.close()).catch(() => undefined);
  }

  private established(): Promise<Session> {
    if (this.current?.open) return Promise.resolve(this.current);
    this.connecting ??= this.openAny().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private outage(action: string) {
    const detail = this.lastError instanceof Error ? ` (${this.lastError.message})` : '';
    return unavailable(
      action,
      `the connection to RabbitMQ is down and did not come back in time${detail} — the adapter keeps reconnecting`,
    );
  }

  /** Tries every URL once, in order; resolves with the first session that opens. */
  private async openAny(): Promise<Session> {
    let failure: unknown;
    for (const url of this.options.urls) {
      if (this.closed) throw closedError('connecting');
      try {
        const session = await this.open(url);
        if (this.closed) {
          await session.close();
          throw closedError('connecting');
        }
        this.current = session;
        this.everConnected = true;
        return session;
      } catch (error) {
        failure = mapError(error, { action: 'connecting to RabbitMQ', url });
        this.lastError = failure;
      }
    }
    throw failure;
  }

  private async open(url: string): Promise<Session> {
    const { connectTimeoutMs, heartbeatSeconds, tls, connectionName } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const target = new URL(url);
    if (!target.searchParams.has('heartbeat')) target.searchParams.set('heartbeat', String(heartbeatSeconds));
    const attempt = amqp.connect(target.toString(), {
      // Without it Nagle's algorithm holds small frames (a request, a reply) for up to 40 ms.
      noDelay: true,
      timeout: connectTimeoutMs,
      clientProperties: { connection_name: connectionName },
      ...(url.startsWith('amqps:') ? tls : {}),
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        attempt.then((m) => m.close()).catch(() => undefined);
        reject(new Error(`connect timed out after ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
    });
    try {
      const model = await Promise.race([attempt, timeout]);
      corkMultiplexedWrites(model);
      decodeFramesLeanly(model);
      model.on('error', (error: unknown) => {
        this.lastError = error;
      });
      const session = new Session(model, url, this.options);
      model.once('close', (error?: unknown) => this.onLost(session, error));
      await session.declareExchange();
      return session;
    } finally {
      clearTimeout(timer);
    }
  }

  private onLost(session: Session, error: unknown): void {
    session.open = false;
    if (this.closed || this.current !== session) return;
    this.current = undefined;
    this.lastError = error;
    this.scheduleReconnect(this.options.reconnectInitialDelayMs);
  }

  private scheduleReconnect(delayMs: number): void {
    const jittered = delayMs * (0.8 + Math.random() * 0.4);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.established().then(
        (session) => this.resumeAll(session),
        () => {
          if (!this.closed) this.scheduleReconnect(Math.min(delayMs * 2, this.options.reconnectMaxDelayMs));
        },
      );
    }, jittered);
  }

  private async resumeAll(session: Session): Promise<void> {
    await Promise.all([...this.resumables].map((r) => r.resume(session).catch(() => undefined)));
    if (session !== this.current) return;
    for (const waiter of this.waiters) waiter.resolve(session);
    this.waiters.clear();
  }
}
