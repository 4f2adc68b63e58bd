import { randomBytes } from 'node:crypto';
import { type Bus, type Capabilities, createBus, MessagingError, type Transport } from '@switchboard/core';
import { startKillableConsumer } from './killable-consumer.js';
import type { BrokerHooks, ContextBusOptions, Profile, ScenarioContext, Timeouts } from './types.js';
import { within } from './wait.js';

/** A context with the cleanup that closes what it created, and what it collected. */
export interface ContextHandle {
  readonly context: ScenarioContext;
  cleanup(): Promise<void>;
  readonly notes: readonly string[];
  readonly reportedErrors: readonly MessagingError[];
}

/** What every scenario context of one run shares. */
export interface Setup {
  readonly name: string;
  readonly create: (broker?: BrokerHooks) => Transport | Promise<Transport>;
  readonly broker: BrokerHooks | undefined;
  readonly capabilities: Capabilities;
  readonly profile: Profile;
  readonly timeouts: Timeouts;
}

const runId = randomBytes(4).toString('hex');
let counter = 0;

/** A context for one scenario, and the cleanup that closes everything it created. */
export function createContext(setup: Setup, scenarioId: string, parentNames?: string[]): ContextHandle {
  const buses: Bus[] = [];
  const transports: Transport[] = [];
  const reportedErrors: MessagingError[] = [];
  const notes: string[] = [];
  // A fork (C50) hands its names to the parent, which cleans up once every copy is done: deleting while the
  // other copies create loads a broker's metadata thread (Kafka fell 9 s behind).
  const names: string[] = parentNames ?? [];
  const newTransport = async (): Promise<Transport> => {
    const transport = await setup.create(setup.broker);
    transports.push(transport);
    return transport;
  };
  const track = async (factory: () => Transport | Promise<Transport>): Promise<Transport> => {
    const transport = await factory();
    transports.push(transport);
    return transport;
  };
  const hooks = setup.broker;
  const context: ScenarioContext = {
    async createBus(options: ContextBusOptions = {}) {
      const transport = options.transport ?? (await newTransport());
      const bus = createBus({
        drainTimeoutMs: 1000,
        onError: (error) => reportedErrors.push(error),
        ...options,
        transport,
      });
      buses.push(bus);
      return bus;
    },
    async createTransport() {
      const transport = await newTransport();
      await transport.connect();
      return transport;
    },
    capabilities: setup.capabilities,
    transportName: setup.name,
    profile: setup.profile,
    size: (quick, full) => (setup.profile === 'full' ? full : quick),
    unique: (prefix) => {
      const name = `sbc.${scenarioId.toLowerCase()}.${prefix}.${runId}.${++counter}`;
      names.push(name);
      return name;
    },
    timeouts: setup.timeouts,
    restartBroker: hooks?.restart,
    killableConsumer: hooks?.url
      ? (queue, options) => startKillableConsumer(hooks.url!, queue, options)
      : undefined,
    unreachableTransport: hooks?.unreachable ? () => track(hooks.unreachable!) : undefined,
    failoverTransport: hooks?.failover ? () => track(hooks.failover!) : undefined,
    reportedErrors,
    note: (text) => notes.push(text),
    fork: (id, profile) => {
      const child = createContext({ ...setup, profile: profile ?? setup.profile }, id, names);
      return { context: child.context, cleanup: child.cleanup };
    },
  };
  const cleanup = async (): Promise<void> => {
    const failures: string[] = [];
    const bounded = (what: string, promise: Promise<void>) =>
      within(promise, setup.timeouts.close, what).catch((error: unknown) =>
        failures.push(error instanceof Error ? error.message : String(error)),
      );
    await Promise.all(buses.map((bus, i) => bounded(`bus ${i + 1} to close`, bus.close())));
    await Promise.all(transports.map((t, i) => bounded(`transport ${i + 1} to close`, t.close())));
    if (hooks?.cleanup && !parentNames && names.length > 0) {
      await within(hooks.cleanup(names.splice(0)), setup.timeouts.close, 'broker cleanup').catch(
        (error: unknown) =>
          notes.push(`broker cleanup failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    if (failures.length > 0) {
      throw new MessagingError('INTERNAL', `cleanup after ${scenarioId} failed: ${failures.join('; ')}`, {
        component: 'conformance',
      });
    }
  };
  return { context, cleanup, notes, reportedErrors };
}
