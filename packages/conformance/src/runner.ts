import type { Capabilities, MessagingError, Transport } from '@switchboard/core';
import { describeError } from '@switchboard/core';
import { createContext, type Setup } from './context.js';
import { type PlannedScenario, planScenarios } from './plan.js';
import { scenarios as catalogue } from './scenarios/index.js';
import type { BrokerHooks, CapabilityFlag, Profile, Scenario, Timeouts } from './types.js';

/** How to run the suite against one adapter. */
export interface ConformanceOptions {
  /** The adapter's name, used for the vitest `describe` and in reports. */
  readonly name: string;
  /** Builds a fresh, unconnected transport; called for every bus and raw transport a scenario needs. */
  readonly create: (broker?: BrokerHooks) => Transport | Promise<Transport>;
  /**
   * The broker behind the transport and what the provisioning can do with it (restart, URL for a consumer
   * process, dead and failover endpoints), or a function that provisions it. Absent: an in-process transport
   * with no broker process (C44 and C45 are skipped).
   */
  readonly broker?: BrokerHooks | (() => BrokerHooks | Promise<BrokerHooks>) | undefined;
  /** `quick` (default) or `full`; the environment variable SWITCHBOARD_CONFORMANCE_PROFILE=full selects full. */
  readonly profile?: Profile | undefined;
  /** Run only these scenario ids (e.g. `['C01', 'C34']`). */
  readonly only?: readonly string[] | undefined;
  /** Leave out these scenario ids, e.g. while an adapter is being written. Prefer capabilities over this. */
  readonly skip?: readonly string[] | undefined;
  /** Overrides of the time limits. */
  readonly timeouts?: Partial<Timeouts> | undefined;
  /** The scenarios to plan from (default: the whole catalogue), for suites that add their own. */
  readonly scenarios?: readonly Scenario[] | undefined;
}

/** The outcome of one scenario. */
export interface ScenarioResult {
  readonly id: string;
  /** The title that ran (the negative check's title when the gate was false). */
  readonly title: string;
  /** `C09 …`, or `C09 (negative: …)`. */
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly ms: number;
  /** Why it failed (the error) or was skipped (an Error whose message is the reason). */
  readonly error?: Error | undefined;
  /** Lines the scenario added with `ctx.note()`. */
  readonly notes: readonly string[];
}

/** What {@link runScenarios} resolves with. */
export interface Report {
  readonly name: string;
  readonly profile: Profile;
  readonly capabilities: Capabilities | undefined;
  readonly results: readonly ScenarioResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly ms: number;
}

/** A suite ready to run: its shared setup and its plan; or the reason the whole suite cannot run. */
export type Prepared =
  | {
      readonly setup: Setup;
      readonly plan: readonly PlannedScenario[];
      readonly broker: BrokerHooks | undefined;
    }
  | { readonly unavailable: string; readonly broker: BrokerHooks | undefined };

/** The profile from the option, else SWITCHBOARD_CONFORMANCE_PROFILE, else `quick`. */
export function resolveProfile(profile?: Profile): Profile {
  if (profile) return profile;
  return process.env.SWITCHBOARD_CONFORMANCE_PROFILE === 'full' ? 'full' : 'quick';
}

/** True when SWITCHBOARD_REQUIRE_BROKERS=1 (CI): missing brokers and hooks fail instead of skipping. */
export function brokersRequired(): boolean {
  return process.env.SWITCHBOARD_REQUIRE_BROKERS === '1';
}

/** Every boolean capability; a Record so that the compiler flags a capability added to core but not here. */
const FLAG_SET: Record<CapabilityFlag, true> = {
  persistent: true,
  replay: true,
  delay: true,
  nackDelay: true,
  ttl: true,
  dedupe: true,
  ackDeadline: true,
  priority: true,
  wildcards: true,
};
const FLAGS = Object.keys(FLAG_SET) as CapabilityFlag[];

/** Provisions the broker, reads the adapter's capabilities from one probe transport and plans the scenarios. */
export async function prepare(options: ConformanceOptions): Promise<Prepared> {
  const broker = typeof options.broker === 'function' ? await options.broker() : options.broker;
  if (broker?.skip !== undefined) return { unavailable: broker.skip, broker };
  const probe = await options.create(broker);
  // Capabilities may grow on connect (an adapter reading the server's version): plan with the connected set.
  // A probe that cannot connect leaves the declared set; the scenarios then fail on their own connects.
  if (broker) await probe.connect().catch(() => undefined);
  const capabilities = { ...probe.capabilities };
  await probe.close();
  const wrong = FLAGS.filter((flag) => typeof capabilities?.[flag] !== 'boolean');
  if (wrong.length > 0 || !(capabilities.maxPayloadBytes > 0)) {
    throw new Error(
      `${options.name}: capabilities must declare every flag as a boolean and a positive maxPayloadBytes (check ${[...wrong, 'maxPayloadBytes'].join(', ')})`,
    );
  }
  const profile = resolveProfile(options.profile);
  const full = profile === 'full';
  const setup: Setup = {
    name: options.name,
    create: options.create,
    broker,
    capabilities,
    profile,
    timeouts: {
      delivery: options.timeouts?.delivery ?? (full ? 60_000 : 15_000),
      quiet: options.timeouts?.quiet ?? 500,
      close: options.timeouts?.close ?? 15_000,
    },
  };
  const plan = planScenarios(options.scenarios ?? catalogue, capabilities, {
    name: options.name,
    broker,
    only: options.only,
    skip: options.skip,
    requireBrokers: brokersRequired(),
  });
  return { setup, plan, broker };
}

/** Runs one planned scenario in a fresh context and closes everything it created. Never rejects. */
export async function runPlanned(setup: Setup, planned: PlannedScenario): Promise<ScenarioResult> {
  const base = { id: planned.scenario.id, title: planned.title, name: planned.name };
  if (planned.failReason)
    return { ...base, status: 'failed', ms: 0, error: new Error(planned.failReason), notes: [] };
  if (!planned.run)
    return { ...base, status: 'skipped', ms: 0, error: new Error(planned.skipReason), notes: [] };
  const handle = createContext(setup, planned.scenario.id);
  const started = performance.now();
  let error: Error | undefined;
  try {
    await planned.run(handle.context);
  } catch (thrown) {
    error = thrown instanceof Error ? thrown : new Error(describeError(thrown));
  }
  try {
    await handle.cleanup();
  } catch (thrown) {
    error ??= thrown instanceof Error ? thrown : new Error(describeError(thrown));
  }
  if (error && handle.reportedErrors.length > 0) error.message += reported(handle.reportedErrors);
  const ms = Math.round(performance.now() - started);
  return { ...base, status: error ? 'failed' : 'passed', ms, error, notes: [...handle.notes] };
}

function reported(errors: readonly MessagingError[]): string {
  const shown = errors.slice(0, 5).map((e) => `${e.code}: ${e.message}`);
  return `\n  errors the bus reported meanwhile (${errors.length}): ${shown.join(' | ')}`;
}

/**
 * Runs the suite (sequentially) and resolves with a report; for `switchboard conformance --url` and
 * other non-vitest callers. A broker that cannot be provided yields one skipped (or, with
 * SWITCHBOARD_REQUIRE_BROKERS=1, failed) entry.
 */
export async function runScenarios(
  options: ConformanceOptions & { onResult?: (result: ScenarioResult) => void },
): Promise<Report> {
  const started = performance.now();
  const prepared = await prepare(options);
  const results: ScenarioResult[] = [];
  try {
    if ('unavailable' in prepared) {
      const status = brokersRequired() ? 'failed' : 'skipped';
      results.push({
        id: 'broker',
        title: 'broker',
        name: 'broker',
        status,
        ms: 0,
        error: new Error(prepared.unavailable),
        notes: [],
      });
    } else {
      for (const planned of prepared.plan) {
        const result = await runPlanned(prepared.setup, planned);
        results.push(result);
        options.onResult?.(result);
      }
    }
  } finally {
    await prepared.broker?.stop?.();
  }
  const count = (status: ScenarioResult['status']) => results.filter((r) => r.status === status).length;
  return {
    name: options.name,
    profile: 'setup' in prepared ? prepared.setup.profile : resolveProfile(options.profile),
    capabilities: 'setup' in prepared ? prepared.setup.capabilities : undefined,
    results,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    ms: Math.round(performance.now() - started),
  };
}

/** One readable line per scenario, failures with their message, then a summary. */
export function formatReport(report: Report): string {
  const mark = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;
  const lines = [`Switchboard conformance: ${report.name} (${report.profile} profile)`];
  if (report.capabilities) {
    const declared = FLAGS.filter((flag) => report.capabilities![flag]);
    lines.push(
      `capabilities: ${declared.join(', ') || 'none'}; maxPayloadBytes ${report.capabilities.maxPayloadBytes}`,
    );
  }
  lines.push('');
  for (const result of report.results) {
    lines.push(
      `${mark[result.status]} ${result.name}${result.status === 'skipped' ? '' : ` (${result.ms} ms)`}`,
    );
    if (result.error) {
      const prefix = result.status === 'skipped' ? 'reason' : 'error';
      lines.push(...`${prefix}: ${result.error.message}`.split('\n').map((line) => `     ${line}`));
    }
    for (const note of result.notes) lines.push(`     note: ${note}`);
  }
  lines.push(
    '',
    `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped in ${(report.ms / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}
