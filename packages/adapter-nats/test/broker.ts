/**
 * Broker hooks for the NATS suites: the URL from provisioning (SWITCHBOARD_NATS_URL, else a container),
 * a fresh subject/stream prefix per run so leftovers of other runs cannot interfere, and a `stop` hook
 * that deletes every stream the run created.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { BrokerHooks } from '@switchboard/conformance';
import { isSkipped, provisionBroker } from '@switchboard/conformance/provisioning';
import { natsTransport, transportFromUrl } from '../src/index.js';
import { escapeName } from '../src/naming.js';

/** A prefix no other run uses. */
export function freshPrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Deletes the streams whose names start with the prefix's stream prefix. */
export async function deleteStreams(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: url.split('?')[0]!.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    const start = `${escapeName(prefix)}_`;
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(start)) await jsm.streams.delete(name).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}

/** The broker URL from provisioning, or undefined (with the reason) when there is none. */
export async function natsUrl(
  persistent = false,
): Promise<{ url?: string; restart?: () => Promise<string>; reason?: string; stop?: () => Promise<void> }> {
  const result = await provisionBroker('nats', { persistent });
  if (isSkipped(result)) return { reason: result.reason };
  return { url: result.url, restart: result.restart, stop: () => result.stop() };
}

/** Hooks for runConformance in one mode. */
export async function natsHooks(mode: 'jetstream' | 'core'): Promise<BrokerHooks> {
  const persistent = mode === 'jetstream' ? await natsUrl(true) : {};
  const found = persistent.url ? persistent : await natsUrl(false);
  if (!found.url) return { skip: found.reason ?? 'no NATS broker' };
  const prefix = freshPrefix();
  const base = found.url;
  // The full profile's soak (C50) opens hundreds of connections at once from one busy process: allow their
  // handshakes more than the default 5 s of a starved event loop.
  const slow = process.env.SWITCHBOARD_CONFORMANCE_PROFILE === 'full' ? '&connectTimeoutMs=30000' : '';
  const url = `${base}?prefix=${prefix}${mode === 'core' ? '&mode=core' : ''}${slow}`;
  const restart = found.restart;
  return {
    url,
    ...(restart ? { restart: async () => void (await restart()) } : {}),
    unreachable: () =>
      natsTransport({ servers: ['nats://127.0.0.1:1'], connectTimeoutMs: 2000, mode, prefix }),
    failover: () =>
      transportFromUrl(
        `nats://127.0.0.1:1,${base.replace(/^nats:\/\//, '')}?prefix=${prefix}&mode=${mode}${slow}`,
      ),
    stop: async () => {
      if (mode === 'jetstream') await deleteStreams(base, prefix);
      await found.stop?.();
    },
  };
}
