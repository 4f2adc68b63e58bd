/**
 * @switchboard/conformance — the scenarios every Switchboard adapter must pass (C01–C50), as plain async
 * functions, with a programmatic runner and report. The vitest binding is `@switchboard/conformance/vitest`.
 */
export {
  AssertionError,
  assert,
  assertEqual,
  assertMessagingError,
  assertSetEqual,
  deepEqual,
  fail,
  RETRYABLE_CODES,
  rejects,
} from './assert.js';
export { brokerHooksFrom, type ProvisionedLike } from './broker-hooks.js';
export type { ContextHandle, Setup } from './context.js';
export { createContext } from './context.js';
export { type PlannedScenario, type PlanOptions, planScenarios } from './plan.js';
export {
  type ConformanceOptions,
  formatReport,
  type Prepared,
  prepare,
  type Report,
  resolveProfile,
  runPlanned,
  runScenarios,
  type ScenarioResult,
} from './runner.js';
export * from './scenarios/index.js';
export { spyTransport, type TransportSpy } from './spy.js';
export type {
  BrokerHooks,
  CapabilityFlag,
  ContextBusOptions,
  HookName,
  KillableConsumer,
  KillableConsumerOptions,
  Profile,
  Scenario,
  ScenarioContext,
  ScenarioFn,
  Timeouts,
} from './types.js';
export { scenario } from './types.js';
export {
  Collector,
  type CountOptions,
  elapse,
  type Gate,
  gate,
  Signal,
  type WaitOptions,
  waitFor,
  within,
} from './wait.js';
