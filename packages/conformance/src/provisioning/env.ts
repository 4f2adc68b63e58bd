import type { BrokerKind, ProvisionEnv } from './types.js';

/** The variable that names a broker's plain instance, e.g. `SWITCHBOARD_REDIS_URL`. */
export function urlVar(kind: BrokerKind): string {
  return `SWITCHBOARD_${kind.toUpperCase()}_URL`;
}

/** The variable that names a broker's restartable instance, e.g. `SWITCHBOARD_REDIS_PERSISTENT_URL`. */
export function persistentUrlVar(kind: BrokerKind): string {
  return `SWITCHBOARD_${kind.toUpperCase()}_PERSISTENT_URL`;
}

/** The variable holding the shell command that restarts the persistent instance keeping its data. */
export function restartCmdVar(kind: BrokerKind): string {
  return `SWITCHBOARD_${kind.toUpperCase()}_RESTART_CMD`;
}

/** Set to `1` (CI does) to turn every skip into an error. */
export const REQUIRE_VAR = 'SWITCHBOARD_REQUIRE_BROKERS';

/** Set to `1` to never try containers, even where a Docker engine answers. */
export const NO_CONTAINERS_VAR = 'SWITCHBOARD_NO_CONTAINERS';

/** The command that starts the native brokers and prints their variables. */
export const BROKERS_SCRIPT_HINT = 'bash scripts/brokers up && eval "$(bash scripts/brokers env)"';

/** True when `SWITCHBOARD_REQUIRE_BROKERS` is `1` or `true`. */
export function brokersRequired(env: ProvisionEnv = process.env): boolean {
  const v = env[REQUIRE_VAR]?.trim().toLowerCase();
  return v === '1' || v === 'true';
}

/** What the environment provides for one request. */
export type EnvLookup =
  | { found: true; url: string; restartCommand?: string }
  | { found: false; missing: string[] };

/**
 * Reads the broker's variables. A plain request needs `SWITCHBOARD_<KIND>_URL`; a persistent one
 * needs both `SWITCHBOARD_<KIND>_PERSISTENT_URL` and `SWITCHBOARD_<KIND>_RESTART_CMD`. Blank
 * values count as missing.
 */
export function lookupEnv(kind: BrokerKind, persistent: boolean, env: ProvisionEnv): EnvLookup {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  if (!persistent) {
    const url = get(urlVar(kind));
    return url ? { found: true, url } : { found: false, missing: [urlVar(kind)] };
  }
  const url = get(persistentUrlVar(kind));
  const restartCommand = get(restartCmdVar(kind));
  if (url && restartCommand) return { found: true, url, restartCommand };
  const missing = [
    url ? undefined : persistentUrlVar(kind),
    restartCommand ? undefined : restartCmdVar(kind),
  ];
  return { found: false, missing: missing.filter((m): m is string => m !== undefined) };
}
