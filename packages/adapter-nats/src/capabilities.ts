import type { Capabilities } from '@switchboard/core';
import { NO_SERVER_FEATURES, type ServerFeatures } from './server-features.js';

/** Bytes of max_payload kept free for headers: the bus checks the body alone against maxPayloadBytes. */
export const HEADER_ALLOWANCE = 8192;

/** The default max_payload of nats-server (1 MiB), used until connect() reads the server's value. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** What {@link capabilitiesFor} reads from the connected server; absent before connect. */
export interface ServerFacts {
  /** The server's `max_payload` from its INFO. */
  readonly maxPayload: number | undefined;
  /** What the server's version offers (see server-features.ts). */
  readonly features: ServerFeatures;
}

/**
 * What the adapter offers, by mode and by server. JetStream: persistent streams, replay of the topic stream,
 * nak with a delay, dedupe within the duplicate window, the ack deadline (AckWait), wildcard topics, and
 * per-message TTL (`Nats-TTL`) where the server has it (2.11+). Delayed send is never declared (it would need
 * message schedules, 2.12+, which the adapter does not use), nor priority. Core: nothing is stored — only
 * wildcards. Before connect the server is unknown: no optional server feature, the default max_payload.
 */
export function capabilitiesFor(
  mode: 'jetstream' | 'core',
  duplicateWindowMs: number,
  server: ServerFacts = { maxPayload: undefined, features: NO_SERVER_FEATURES },
): Capabilities {
  const maxPayloadBytes = Math.max(1, (server.maxPayload ?? DEFAULT_MAX_PAYLOAD) - HEADER_ALLOWANCE);
  const jetstream = mode === 'jetstream';
  return {
    persistent: jetstream,
    replay: jetstream,
    delay: false,
    nackDelay: jetstream,
    ttl: jetstream && server.features.messageTtl,
    dedupe: jetstream,
    dedupeWindowMs: jetstream ? duplicateWindowMs : undefined,
    ackDeadline: jetstream,
    priority: false,
    wildcards: true,
    maxPayloadBytes,
  };
}
