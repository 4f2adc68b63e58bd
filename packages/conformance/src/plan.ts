import type { Capabilities } from '@switchboard/core';
import type { BrokerHooks, HookName, Scenario, ScenarioFn } from './types.js';

/** What the runner does with one scenario. */
export interface PlannedScenario {
  readonly scenario: Scenario;
  /** `C09 …` or `C09 (negative: replay not declared) …`. */
  readonly name: string;
  readonly title: string;
  /** The function to run, or undefined when the scenario is skipped. */
  readonly run: ScenarioFn | undefined;
  /** Why it is skipped. */
  readonly skipReason?: string | undefined;
  /** A failure instead of a skip (SWITCHBOARD_REQUIRE_BROKERS=1 and a required hook is missing). */
  readonly failReason?: string | undefined;
}

/** Selection and environment of a plan. */
export interface PlanOptions {
  readonly name: string;
  readonly broker: BrokerHooks | undefined;
  readonly only?: readonly string[] | undefined;
  readonly skip?: readonly string[] | undefined;
  /** SWITCHBOARD_REQUIRE_BROKERS=1: a missing hook for a persistent adapter is a failure. */
  readonly requireBrokers: boolean;
}

const HOOK_SOURCES: Record<HookName, (broker: BrokerHooks) => boolean> = {
  restartBroker: (broker) => broker.restart !== undefined,
  killableConsumer: (broker) => broker.url !== undefined,
};

const HOOK_WHAT: Record<HookName, string> = {
  restartBroker: 'no restart hook (broker.restart)',
  killableConsumer: 'no broker URL for a consumer process (broker.url)',
};

/** Decides, for each selected scenario, whether it runs, runs its negative check, or is skipped and why. */
export function planScenarios(
  scenarios: readonly Scenario[],
  capabilities: Capabilities,
  options: PlanOptions,
): PlannedScenario[] {
  const only = options.only?.map((id) => id.toUpperCase());
  const skip = new Set(options.skip?.map((id) => id.toUpperCase()));
  return scenarios
    .filter((s) => (!only || only.includes(s.id)) && !skip.has(s.id))
    .map((scenario) => planOne(scenario, capabilities, options));
}

function planOne(scenario: Scenario, capabilities: Capabilities, options: PlanOptions): PlannedScenario {
  const name = `${scenario.id} ${scenario.title}`;
  const missing = (scenario.requires ?? []).filter((flag) => !capabilities[flag]);
  if (missing.length > 0) {
    const declared = `${missing.join(' and ')} not declared`;
    if (scenario.negative) {
      return {
        scenario,
        name: `${scenario.id} (negative: ${scenario.negative.title})`,
        title: scenario.negative.title,
        run: scenario.negative.run,
      };
    }
    return { scenario, name, title: scenario.title, run: undefined, skipReason: declared };
  }
  const absentHooks = (scenario.needs ?? []).filter(
    (hook) => !options.broker || !HOOK_SOURCES[hook](options.broker),
  );
  if (absentHooks.length > 0) {
    if (!options.broker) {
      return {
        scenario,
        name,
        title: scenario.title,
        run: undefined,
        skipReason: `${options.name} transport has no broker process (no broker hooks given)`,
      };
    }
    const why = absentHooks.map((hook) => HOOK_WHAT[hook]).join(', ');
    if (options.requireBrokers && capabilities.persistent) {
      return {
        scenario,
        name,
        title: scenario.title,
        run: undefined,
        failReason: `SWITCHBOARD_REQUIRE_BROKERS=1 and ${options.name} declares persistent, but the provisioning gave ${why}`,
      };
    }
    return {
      scenario,
      name,
      title: scenario.title,
      run: undefined,
      skipReason: `the provisioning gave ${why}`,
    };
  }
  return { scenario, name, title: scenario.title, run: scenario.run };
}
