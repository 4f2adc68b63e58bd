/**
 * What the connected nats-server can do, from the version it announces in its INFO (`nc.info.version`).
 * The adapter never probes a feature by trying it: it reads the version once after connect and declares
 * (or uses) only what that version has. The table is data so that the README can state it exactly.
 */

/** The server features the adapter cares about, with the first nats-server version that has each. */
export const MINIMUM_SERVER_VERSION = {
  /** The client's consumers API (`js.consumers.get`, pull `consume`) that JetStream mode is built on. */
  jetStream: '2.9.4',
  /** Consumer and stream `metadata`. Not used by the adapter. */
  consumerMetadata: '2.10.0',
  /** Per-message TTL: the `Nats-TTL` header on streams with `allow_msg_ttl`. */
  messageTtl: '2.11.0',
  /** Consumer pause and priority groups. Not used by the adapter. */
  consumerPriorityGroups: '2.11.0',
  /** Message schedules (`Nats-Schedule`), what a native delayed send would need. Not used by the adapter. */
  messageSchedules: '2.12.0',
} as const;

export type ServerFeature = keyof typeof MINIMUM_SERVER_VERSION;
export type ServerFeatures = Readonly<Record<ServerFeature, boolean>>;

/**
 * A server version string as a comparable number: `2.9.10` → 20910. A pre-release suffix is ignored
 * (`2.11.0-RC.1` counts as 2.11.0); a missing or unreadable version is 0, which has no feature.
 */
export function versionNumber(version: string | undefined): number {
  const [major = 0, minor = 0, patch = 0] = (version ?? '0.0.0')
    .split('.')
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
  return major * 10_000 + minor * 100 + patch;
}

/** Which features a server of `version` has. */
export function serverFeatures(version: string | undefined): ServerFeatures {
  const have = versionNumber(version);
  const out = {} as Record<ServerFeature, boolean>;
  for (const feature of Object.keys(MINIMUM_SERVER_VERSION) as ServerFeature[]) {
    out[feature] = have >= versionNumber(MINIMUM_SERVER_VERSION[feature]);
  }
  return out;
}

/** What the adapter assumes before it has connected: a server with none of the optional features. */
export const NO_SERVER_FEATURES: ServerFeatures = serverFeatures(undefined);
