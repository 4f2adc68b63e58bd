import { redactUrl } from '@switchboard/core';
import type { NatsTransportOptions } from './options.js';
import { invalid } from './resolve-options.js';

const QUERY_OPTIONS: Record<string, (value: string) => Partial<Record<keyof NatsTransportOptions, unknown>>> =
  {
    mode: (v) => ({ mode: v }),
    prefix: (v) => ({ prefix: v }),
    storage: (v) => ({ storage: v }),
    replicas: (v) => ({ replicas: Number(v) }),
    token: (v) => ({ token: v }),
    nkey: (v) => ({ nkeySeed: v }),
    creds: (v) => ({ credsFile: v }),
    tls: (v) => ({ tls: v === 'true' || v === '1' }),
    duplicateWindowMs: (v) => ({ duplicateWindowMs: Number(v) }),
    topicRetentionMs: (v) => ({ topicRetentionMs: Number(v) }),
    connectTimeoutMs: (v) => ({ connectTimeoutMs: Number(v) }),
    name: (v) => ({ name: v }),
  };

/**
 * Parses `nats://[user:pass@|token@]host:port[,host2:port2…][?mode=core&prefix=…&storage=memory&replicas=3&tls=true&creds=/path&nkey=SU…]`
 * into options. Explicit `options` win over the URL. Throws INVALID_ARGUMENT for a malformed URL or unknown parameter.
 */
export function optionsFromUrl(url: string, options: NatsTransportOptions = {}): NatsTransportOptions {
  const safe = redactUrl(String(url));
  const match = /^(nats|tls):\/\/([^?]*)(?:\?(.*))?$/i.exec(String(url).trim());
  if (!match)
    throw invalid(`"${safe}" is not a NATS URL — expected nats://host:4222[,host2:4222][?mode=core]`);
  const [, scheme = 'nats', hostList = '', query = ''] = match;
  const fromUrl: Record<string, unknown> = {};
  const servers: string[] = [];
  for (const part of hostList.split(',')) {
    const raw = part.trim().replace(/^(nats|tls):\/\//i, '');
    if (!raw) continue;
    const parsed = URL.canParse(`nats://${raw}`) ? new URL(`nats://${raw}`) : undefined;
    if (!parsed?.hostname) throw invalid(`"${safe}" has a malformed server address`);
    if (parsed.username && parsed.password) {
      fromUrl.user = decodeURIComponent(parsed.username);
      fromUrl.password = decodeURIComponent(parsed.password);
    } else if (parsed.username) fromUrl.token = decodeURIComponent(parsed.username);
    servers.push(`nats://${parsed.host}`);
  }
  if (servers.length === 0) throw invalid(`"${safe}" names no server`);
  fromUrl.servers = servers;
  if (scheme.toLowerCase() === 'tls') fromUrl.tls = true;
  for (const [key, value] of new URLSearchParams(query)) {
    const apply = QUERY_OPTIONS[key];
    if (!apply) {
      throw invalid(
        `"${safe}" has the unknown parameter "${key}" — known: ${Object.keys(QUERY_OPTIONS).join(', ')}`,
      );
    }
    Object.assign(fromUrl, apply(value));
  }
  return { ...(fromUrl as NatsTransportOptions), ...options };
}
