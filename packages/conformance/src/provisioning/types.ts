/** The brokers that Switchboard's tests run against. */
export type BrokerKind = 'rabbitmq' | 'redis' | 'kafka' | 'nats';

/** Every broker kind, in the order suites usually list them. */
export const BROKER_KINDS: readonly BrokerKind[] = ['rabbitmq', 'redis', 'kafka', 'nats'];

/** The environment variables that provisioning reads; `process.env` by default. */
export type ProvisionEnv = Readonly<Record<string, string | undefined>>;

/** What a suite asks of its broker. */
export interface ProvisionOptions {
  /**
   * Ask for an instance whose data survives {@link ProvisionedBroker.restart}: the result then has
   * `restart`, or provisioning skips. Default `false`: the plain instance, without `restart`.
   */
  persistent?: boolean;
  /** The environment to read the `SWITCHBOARD_*` variables from. Default: `process.env`. */
  env?: ProvisionEnv;
  /** Upper bound for one `restart()`, in milliseconds. Default: 120 000. */
  restartTimeoutMs?: number;
}

/** Where a provisioned broker came from. */
export type BrokerSource = 'env' | 'container';

/** A broker that accepts connections (as far as its provider knows) at {@link url}. */
export interface ProvisionedBroker {
  readonly skipped: false;
  readonly kind: BrokerKind;
  /**
   * The URL to hand to `connect()` or a raw client, e.g. `redis://127.0.0.1:6380`. Kafka URLs are
   * `kafka://host:port[,host:port]`. Read it again after `restart()`: a container may get a new port.
   */
  readonly url: string;
  readonly source: BrokerSource;
  /** True when the broker was provisioned with `persistent: true`. */
  readonly persistent: boolean;
  /**
   * Present exactly when `persistent` is true. Stops and starts the broker keeping its data and
   * resolves with the URL to use afterwards, once the broker accepts connections again. Clients
   * connected before see their connections drop. Bounded by `restartTimeoutMs`; rejects with the
   * tail of the restart command's output on failure or timeout. Not to be called concurrently.
   */
  readonly restart?: () => Promise<string>;
  /**
   * Releases what provisioning started: stops a container, does nothing for a broker given by an
   * environment variable (the script or the CI job owns it). Idempotent.
   */
  stop(): Promise<void>;
}

/** No broker could be provisioned; `reason` says what was looked for and how to provide one. */
export interface SkippedBroker {
  readonly skipped: true;
  readonly kind: BrokerKind;
  readonly reason: string;
}

export type ProvisionResult = ProvisionedBroker | SkippedBroker;

/** Narrows a {@link ProvisionResult} to a skip. */
export function isSkipped(result: ProvisionResult): result is SkippedBroker {
  return result.skipped;
}
