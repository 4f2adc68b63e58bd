import type { TlsOptions } from '@nats-io/transport-node';

/** Options of {@link natsTransport}. Every field is optional; each line states its default. */
export interface NatsTransportOptions {
  /** Server URLs, tried in order on connect and reconnect. Default `['nats://127.0.0.1:4222']`. */
  readonly servers?: readonly string[] | string | undefined;
  /** `jetstream`: durable streams and consumers. `core`: core NATS only, non-durable, at most once. Default `jetstream`. */
  readonly mode?: 'jetstream' | 'core' | undefined;
  /** Token authentication. Default none. */
  readonly token?: string | undefined;
  /** User for user/password authentication. Default none. */
  readonly user?: string | undefined;
  /** Password for user/password authentication. Default none. */
  readonly password?: string | undefined;
  /** NKey seed (`SU…`) for nkey authentication. Default none. */
  readonly nkeySeed?: string | undefined;
  /** Path of a `.creds` file (JWT + nkey seed). Default none. */
  readonly credsFile?: string | undefined;
  /** TLS: `true` to require TLS with the system CAs, or the client's TLS options. Default off. */
  readonly tls?: boolean | TlsOptions | undefined;
  /** First token of every subject and prefix of every stream name, `[A-Za-z0-9_-]+`. Default `sb`. */
  readonly prefix?: string | undefined;
  /** JetStream storage of the streams the adapter creates. Default `file`. */
  readonly storage?: 'file' | 'memory' | undefined;
  /** Replicas of the streams the adapter creates (1–5). Default 1. */
  readonly replicas?: number | undefined;
  /** Window in which a repeated dedupe id is dropped (the stream's duplicate window). Default 120,000 ms. */
  readonly duplicateWindowMs?: number | undefined;
  /** How long the topic stream keeps events (the history a new group can replay). Default 86,400,000 ms (1 day). */
  readonly topicRetentionMs?: number | undefined;
  /** How long connect() tries before rejecting with UNAVAILABLE. Default 5,000 ms. */
  readonly connectTimeoutMs?: number | undefined;
  /** Pause between reconnect attempts after a connection loss. Default 250 ms. */
  readonly reconnectWaitMs?: number | undefined;
  /** Wait for the server to confirm each ack (one round trip per message) instead of writing it and going on. Default false. */
  readonly confirmAcks?: boolean | undefined;
  /** Connection name shown by the server's monitoring. Default `switchboard`. */
  readonly name?: string | undefined;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly servers: string[];
  readonly mode: 'jetstream' | 'core';
  readonly token: string | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly nkeySeed: string | undefined;
  readonly credsFile: string | undefined;
  readonly tls: TlsOptions | undefined;
  readonly prefix: string;
  readonly storage: 'file' | 'memory';
  readonly replicas: number;
  readonly duplicateWindowMs: number;
  readonly topicRetentionMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectWaitMs: number;
  readonly confirmAcks: boolean;
  readonly name: string;
}
