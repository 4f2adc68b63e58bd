/**
 * Broker provisioning for tests: `@switchboard/conformance/provisioning`.
 *
 * Importing this module touches neither Docker nor the network: testcontainers is imported only
 * when a container is actually started.
 */
export {
  CONTAINER_IMAGES,
  type ContainerHandle,
  type ContainerStarter,
  containerCanRestart,
} from './containers.js';
export {
  createDockerProbe,
  type DockerProbe,
  type DockerProbeResult,
  dockerEndpoints,
} from './docker-probe.js';
export {
  BROKERS_SCRIPT_HINT,
  brokersRequired,
  NO_CONTAINERS_VAR,
  persistentUrlVar,
  REQUIRE_VAR,
  restartCmdVar,
  urlVar,
} from './env.js';
export { BrokerUnavailableError } from './errors.js';
export {
  assertProvisioned,
  createProvisioner,
  type ProvisionDeps,
  type Provisioner,
  provisionBroker,
} from './provision.js';
export { type CommandRunner, runCommand } from './run-command.js';
export {
  BROKER_KINDS,
  type BrokerKind,
  type BrokerSource,
  isSkipped,
  type ProvisionEnv,
  type ProvisionedBroker,
  type ProvisionOptions,
  type ProvisionResult,
  type SkippedBroker,
} from './types.js';
