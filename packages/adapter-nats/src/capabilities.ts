import type { Capabilities } from '@switchboard/core';

/** Bytes of max_payload kept free for headers: the bus checks the body alone against maxPayloadBytes. */
export const HEADER_ALLOWANCE = 8192;

/** The default max_payload of nats-server (1 MiB), used until connect() reads the server's value. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** A server version string (`2.9.10`) as a comparable number (20910). */
export function versionNumber(version: string | undefined): number {
  const [major = 0, minor = 0, patch = 0] = (version ?? '0.0.0')
    .split('.')
    .map((p) => Number.parseInt(p, 10) || 0);
  return major * 10_000 + minor * 100 + patch;
}

/**
 * What the adapter offers, by mode and by server. JetStream: persistent streams, replay of the topic stream,
 * nak with a delay, dedupe within the duplicate window, the ack deadline (AckWait), wildcard topics. Delayed
 * send and per-message TTL need message scheduling and `Nats-TTL`, which nats-server 2.9/2.10 lack, so they
 * are not declared. Core: nothing is stored — only wildcards.
 */
export function capabilitiesFor(
  mode: 'jetstream' | 'core',
  maxPayload: number | undefined,
  duplicateWindowMs: number,
): Capabilities {
  const maxPayloadBytes = Math.max(1, (maxPayload ?? DEFAULT_MAX_PAYLOAD) - HEADER_ALLOWANCE);
  const jetstream = mode === 'jetstream';
  return {
    persistent: jetstream,
    replay: jetstream,
    delay: false,
    nackDelay: jetstream,
    ttl: false,
    dedupe: jetstream,
    dedupeWindowMs: jetstream ? duplicateWindowMs : undefined,
    ackDeadline: jetstream,
    priority: false,
    wildcards: true,
    maxPayloadBytes,
  };
}
