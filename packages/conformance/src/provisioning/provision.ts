import { type ContainerStarter, containerCanRestart, startContainer } from './containers.js';
import { createDockerProbe, type DockerProbe } from './docker-probe.js';
import { BROKERS_SCRIPT_HINT, brokersRequired, lookupEnv, NO_CONTAINERS_VAR } from './env.js';
import { BrokerUnavailableError } from './errors.js';
import { type CommandRunner, runCommand } from './run-command.js';
import type {
  BrokerKind,
  ProvisionEnv,
  ProvisionedBroker,
  ProvisionOptions,
  ProvisionResult,
  SkippedBroker,
} from './types.js';

/** What provisioning talks to; every field is replaceable in tests. */
export interface ProvisionDeps {
  /** Default environment when a call passes no `env`. Default: `process.env`. */
  env: ProvisionEnv;
  /** Says whether a Docker engine answers. Default: a bounded ping of DOCKER_HOST / docker.sock. */
  dockerProbe: DockerProbe;
  /** Starts a container. Default: testcontainers modules, imported on first use. */
  startContainer: ContainerStarter;
  /** Runs a restart command. Default: `/bin/sh -c`, bounded. */
  runCommand: CommandRunner;
}

/** Provisions one broker; see {@link provisionBroker}. */
export type Provisioner = (kind: BrokerKind, options?: ProvisionOptions) => Promise<ProvisionResult>;

const DEFAULT_RESTART_TIMEOUT_MS = 120_000;

/** Builds a {@link Provisioner} over `deps`; the defaults are the real environment, Docker and shell. */
export function createProvisioner(deps: Partial<ProvisionDeps> = {}): Provisioner {
  const baseEnv = deps.env ?? process.env;
  const probes = new Map<ProvisionEnv, DockerProbe>();
  const probeFor = (env: ProvisionEnv): DockerProbe => {
    if (deps.dockerProbe) return deps.dockerProbe;
    let p = probes.get(env);
    if (!p) {
      p = createDockerProbe(env);
      probes.set(env, p);
    }
    return p;
  };
  const start = deps.startContainer ?? startContainer;
  const run = deps.runCommand ?? runCommand;

  return async (kind, options = {}) => {
    const env = options.env ?? baseEnv;
    const persistent = options.persistent ?? false;
    const timeoutMs = options.restartTimeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS;
    const skip = (reason: string, cause?: unknown): SkippedBroker => {
      if (brokersRequired(env)) throw new BrokerUnavailableError(kind, reason, { cause });
      return { skipped: true, kind, reason: `${kind}: ${reason}` };
    };

    const found = lookupEnv(kind, persistent, env);
    if (found.found) {
      const { url, restartCommand } = found;
      const restart = restartCommand
        ? serialize(() => run(restartCommand, timeoutMs).then(() => url))
        : undefined;
      return provisioned(
        kind,
        'env',
        persistent,
        () => url,
        restart,
        async () => {},
      );
    }
    const notSet = `${found.missing.join(' and ')} not set`;
    if (env[NO_CONTAINERS_VAR] === '1')
      return skip(`${notSet}, and ${NO_CONTAINERS_VAR}=1 rules out containers`);
    if (persistent && !containerCanRestart(kind)) {
      return skip(
        `${notSet}, and a ${kind} container cannot be restarted keeping its URL (use ${BROKERS_SCRIPT_HINT})`,
      );
    }
    const docker = await probeFor(env)();
    if (!docker.available) return skip(`${notSet}, and ${docker.reason}; run \`${BROKERS_SCRIPT_HINT}\``);
    let container: Awaited<ReturnType<ContainerStarter>>;
    try {
      container = await start(kind, persistent);
    } catch (err) {
      return skip(`${notSet}, and the ${kind} container did not start: ${(err as Error).message}`, err);
    }
    const { restart: restartContainer } = container;
    const restart = restartContainer
      ? serialize(() =>
          withTimeout(restartContainer(), timeoutMs, `${kind} container restart`).then(container.url),
        )
      : undefined;
    return provisioned(kind, 'container', persistent, container.url, restart, once(container.stop));
  };
}

/**
 * Finds a broker of `kind`: the URL in `SWITCHBOARD_<KIND>_URL` (with `persistent`:
 * `SWITCHBOARD_<KIND>_PERSISTENT_URL` plus `SWITCHBOARD_<KIND>_RESTART_CMD`); else a testcontainers
 * container when a Docker engine answers (unless `SWITCHBOARD_NO_CONTAINERS=1`); else a
 * {@link SkippedBroker} whose reason names what was missing. With `SWITCHBOARD_REQUIRE_BROKERS=1`
 * the skip is thrown as a {@link BrokerUnavailableError} instead. Never hangs: the Docker check is
 * bounded and done once per process. Call `stop()` when done.
 */
export const provisionBroker: Provisioner = createProvisioner();

/** Returns `result` as a broker, or throws a {@link BrokerUnavailableError} for a skip. */
export function assertProvisioned(result: ProvisionResult): ProvisionedBroker {
  if (result.skipped) throw new BrokerUnavailableError(result.kind, result.reason);
  return result;
}

function provisioned(
  kind: BrokerKind,
  source: ProvisionedBroker['source'],
  persistent: boolean,
  url: () => string,
  restart: (() => Promise<string>) | undefined,
  stop: () => Promise<void>,
): ProvisionedBroker {
  return {
    skipped: false,
    kind,
    source,
    persistent,
    get url() {
      return url();
    },
    ...(persistent && restart ? { restart } : {}),
    stop,
  };
}

/** Calls made while one is running share its promise. */
function serialize<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= fn().finally(() => {
      running = undefined;
    });
    return running;
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
