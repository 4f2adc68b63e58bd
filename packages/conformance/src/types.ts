import type { Bus, BusOptions, Capabilities, MessagingError, Transport } from '@switchboard/core';

/** Sizes and durations: `quick` on every CI run, `full` (the bracketed numbers of the catalogue) on demand. */
export type Profile = 'quick' | 'full';

/** The boolean capabilities a scenario can be gated on. */
export type CapabilityFlag = {
  [K in keyof Capabilities]-?: Capabilities[K] extends boolean ? K : never;
}[keyof Capabilities];

/** Hooks from the broker provisioning that some scenarios need. */
export type HookName = 'restartBroker' | 'killableConsumer';

/** Time limits of the suite. */
export interface Timeouts {
  /** Longest wait for messages that must arrive. Default 15,000 ms (quick), 60,000 ms (full). */
  readonly delivery: number;
  /** Length of a quiet period whose silence is the assertion ("nothing crosses"). Default 500 ms. */
  readonly quiet: number;
  /** Bound on `close()` of a bus or transport when a scenario cleans up. Default 15,000 ms. */
  readonly close: number;
}

/**
 * What the broker provisioning (or the caller) provides beyond a transport factory. Every field is optional;
 * scenarios that need a missing one are skipped with a reason.
 */
export interface BrokerHooks {
  /** The broker URL (credentials allowed). A child process connects to it with `connect(url)` for C45. */
  readonly url?: string | undefined;
  /** Stops the broker process, starts it again and resolves once it accepts connections. Enables C44. */
  readonly restart?: (() => Promise<void>) | undefined;
  /** A transport aimed at an address where nothing listens (C43). */
  readonly unreachable?: (() => Transport | Promise<Transport>) | undefined;
  /** A transport given a list of addresses whose first one is down and second one up (C43). */
  readonly failover?: (() => Transport | Promise<Transport>) | undefined;
  /** When set, the broker could not be provided: the whole suite is skipped with this reason. */
  readonly skip?: string | undefined;
  /**
   * Called after each scenario (and each C50 copy) with the names it made with `ctx.unique`, once its buses
   * and transports are closed: deletes what the broker keeps for them (a name's derived destinations such as
   * `<name>.dead-letter` share it as a prefix). Optional; without it a long run leaves every destination
   * behind, which slows brokers that keep files per destination (Kafka partitions, RabbitMQ queues). Best
   * effort: a failure is noted in the report, it does not fail the scenario.
   */
  readonly cleanup?: ((names: readonly string[]) => Promise<void>) | undefined;
  /** Called once after the suite, e.g. to stop a container. */
  readonly stop?: (() => Promise<void>) | undefined;
}

/** Options of the bus a scenario creates; `transport` replaces the fresh one (e.g. a wrapped transport). */
export interface ContextBusOptions extends Partial<BusOptions> {}

/** Options of {@link ScenarioContext.killableConsumer}. */
export interface KillableConsumerOptions {
  /** Messages the child handles and acks before it starts holding messages without settling them. */
  readonly ackFirst: number;
  /** Handler concurrency (and prefetch) of the child. */
  readonly concurrency: number;
}

/** A consumer running in a child process that can be killed with SIGKILL (C45). */
export interface KillableConsumer {
  /** Ids the child's handler completed (acked, or about to be). */
  readonly completed: ReadonlySet<string>;
  /** Ids the child holds without settling. */
  readonly held: ReadonlySet<string>;
  /** Resolves once `predicate` holds, bounded by `timeoutMs`. */
  waitUntil(predicate: () => boolean, what: string, timeoutMs: number): Promise<void>;
  /** Kills the child with SIGKILL and resolves once it exited. */
  kill(): Promise<void>;
}

/** What a scenario runs with. Everything it creates through the context is closed after it. */
export interface ScenarioContext {
  /**
   * A fresh bus over a fresh transport from the adapter's factory (or over `options.transport`), closed
   * after the scenario. Defaults: `drainTimeoutMs` 1,000, `onError` collected into {@link reportedErrors}.
   */
  createBus(options?: ContextBusOptions): Promise<Bus>;
  /** A fresh raw transport (connected), closed after the scenario: the contract as a "raw client". */
  createTransport(): Promise<Transport>;
  /** The capabilities the adapter declares. */
  readonly capabilities: Capabilities;
  /** The adapter's name, for messages. */
  readonly transportName: string;
  readonly profile: Profile;
  /** `quick` or `full` depending on the profile. */
  size(quick: number, full: number): number;
  /** A fresh destination or group name with `prefix`, unique to this run. */
  unique(prefix: string): string;
  readonly timeouts: Timeouts;
  /** Restarts the broker (C44); absent when the provisioning cannot. */
  readonly restartBroker?: (() => Promise<void>) | undefined;
  /** Starts a consumer of `queue` in a child process (C45); absent without a broker URL. */
  readonly killableConsumer?:
    | ((queue: string, options: KillableConsumerOptions) => Promise<KillableConsumer>)
    | undefined;
  /** A transport aimed at a dead address (C43); absent unless the provisioning gives one. */
  readonly unreachableTransport?: (() => Promise<Transport>) | undefined;
  /** A transport with a list of addresses whose first is down (C43); absent unless given. */
  readonly failoverTransport?: (() => Promise<Transport>) | undefined;
  /** Errors reported through the `onError` of buses made by {@link createBus} (failed acks, dead-letter publishes…). */
  readonly reportedErrors: readonly MessagingError[];
  /** Adds a line to the scenario's report (what optional part ran, measured durations). */
  note(text: string): void;
  /** A separate context over the same adapter whose resources its own `cleanup` closes (C50 runs scenarios in parallel with it). */
  fork(id: string, profile?: Profile): { readonly context: ScenarioContext; cleanup(): Promise<void> };
}

/** A scenario body. Throws (an AssertionError or anything else) to fail. */
export type ScenarioFn = (ctx: ScenarioContext) => Promise<void>;

/** One catalogue entry. */
export interface Scenario {
  /** Stable id, `C01`…`C50`. */
  readonly id: string;
  readonly title: string;
  /** Capabilities that gate the scenario; when one is not declared, `negative` runs instead. */
  readonly requires?: readonly CapabilityFlag[] | undefined;
  /** True when the adapter declares every capability in `requires`. */
  readonly gate?: ((capabilities: Capabilities) => boolean) | undefined;
  /** The documented behaviour when the gate is false (typed UNSUPPORTED error, documented loss…). */
  readonly negative?: { readonly title: string; readonly run: ScenarioFn } | undefined;
  /** Provisioning hooks without which the scenario is skipped (with a reason). */
  readonly needs?: readonly HookName[] | undefined;
  /** Asserts on time; excluded from the parallel soak (C50) where load distorts time. */
  readonly timing?: boolean | undefined;
  readonly run: ScenarioFn;
}

/** Builds a {@link Scenario}, deriving `gate` from `requires`. */
export function scenario(definition: Omit<Scenario, 'gate'>): Scenario {
  const requires = definition.requires;
  return {
    ...definition,
    gate: requires?.length ? (capabilities) => requires.every((flag) => capabilities[flag]) : undefined,
  };
}
