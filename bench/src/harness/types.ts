/**
 * The brokers a benchmark can target; `memory` is Switchboard's in-process broker (no raw client) and
 * `nats-core` is NATS without JetStream (the NATS URL with `mode=core`: publish and end-to-end).
 */
export type BenchBroker = 'memory' | 'rabbitmq' | 'redis' | 'kafka' | 'nats' | 'nats-core';
export const BENCH_BROKERS: readonly BenchBroker[] = [
  'memory',
  'rabbitmq',
  'redis',
  'kafka',
  'nats',
  'nats-core',
];

/**
 * `publish`: n messages sent and confirmed by the broker (confirms, XADD reply, PubAck, acks=all);
 * `end-to-end`: n messages sent and received and acknowledged by a consumer in the same process;
 * `request-reply`: requests answered by a responder in the same process (p50/p99 are round trips);
 * `backpressure`: many messages pushed by eager senders through a slow consumer, reporting RSS growth.
 */
export type BenchMode = 'publish' | 'end-to-end' | 'request-reply' | 'backpressure';
export const BENCH_MODES: readonly BenchMode[] = ['publish', 'end-to-end', 'request-reply', 'backpressure'];

/** Who does the work: Switchboard's API, or the broker's own client used well. */
export type Impl = 'switchboard' | 'raw';

/** The inputs of one measurement. */
export interface MeasureOptions {
  /** The broker URL, e.g. `redis://127.0.0.1:6379`; `memory://` for the in-memory broker. */
  url: string;
  /** How many messages to send (and, end-to-end, to receive). */
  n: number;
  /** Size of each message body in bytes (at least 8: {@link makePayload} stamps the send time). */
  bytes: number;
}

/** What one measurement reports. */
export interface MeasureResult {
  /** Wall time from the first send to the last confirm (publish) or last receipt (end-to-end). */
  seconds: number;
  /** Per-message latencies in ms: send → confirm (publish) or send → receipt (end-to-end). */
  latenciesMs?: number[];
  /** Messages actually measured, when a measurement uses its own count instead of `n`. */
  n?: number;
  /** Growth of the resident set size during the run, in MB (backpressure mode). */
  rssGrowthMb?: number;
}

/**
 * One benchmark. Contract: it creates its own uniquely named queue/stream/topic, runs to completion
 * (the harness bounds it in time by killing its process), removes what it created, closes every
 * connection and resolves with its result. It runs alone in a fresh child process.
 */
export type Measurement = (opts: MeasureOptions) => Promise<MeasureResult>;

/** A measurement registered under its broker, mode and impl. */
export interface MeasurementEntry {
  broker: BenchBroker;
  mode: BenchMode;
  impl: Impl;
  run: Measurement;
}

/** The JSON line printed per measurement. */
export interface ResultLine {
  broker: BenchBroker;
  mode: BenchMode;
  impl: Impl;
  n: number;
  bytes: number;
  seconds: number;
  msgs_per_s: number;
  p50_ms: number | null;
  p99_ms: number | null;
  /**
   * Client CPU (user + system) of the measuring process per message over the measured run, its setup and
   * cleanup included: what the client spends, unlike throughput hardly moved by other load on the machine.
   */
  cpu_us_per_msg?: number;
  /** Present for the backpressure mode. */
  rss_growth_mb?: number;
}
