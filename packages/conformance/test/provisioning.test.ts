import { describe, expect, it, vi } from 'vitest';
import {
  BrokerUnavailableError,
  type ContainerHandle,
  type ContainerStarter,
  createDockerProbe,
  createProvisioner,
  type DockerProbe,
  dockerEndpoints,
  isSkipped,
  type ProvisionEnv,
  runCommand,
} from '../src/provisioning/index.js';

// Pure decision logic: the environment, the Docker probe, the container starter and the command
// runner are all fakes. No broker and no Docker engine is involved.

const noDocker: DockerProbe = async () => ({ available: false, reason: 'no Docker engine (test)' });
const withDocker: DockerProbe = async () => ({ available: true, endpoint: '/fake/docker.sock' });

function fakeContainer(port: { value: number }): ContainerHandle & { restarts: number; stops: number } {
  const h = {
    restarts: 0,
    stops: 0,
    url: () => `redis://127.0.0.1:${port.value}`,
    restart: async () => {
      h.restarts += 1;
      port.value += 1;
    },
    stop: async () => {
      h.stops += 1;
    },
  };
  return h;
}

function setup(env: ProvisionEnv, probe: DockerProbe = noDocker, starter?: ContainerStarter) {
  const dockerProbe = vi.fn(probe);
  const startContainer = vi.fn(starter ?? (async () => Promise.reject(new Error('no starter in this test'))));
  const run = vi.fn(async (_cmd: string, _timeoutMs: number) => {});
  const provision = createProvisioner({ env, dockerProbe, startContainer, runCommand: run });
  return { provision, dockerProbe, startContainer, run };
}

describe('provisioning from the environment', () => {
  it('uses SWITCHBOARD_<KIND>_URL first and never probes Docker', async () => {
    const { provision, dockerProbe } = setup({ SWITCHBOARD_REDIS_URL: 'redis://127.0.0.1:6379' }, withDocker);
    const r = await provision('redis');
    expect(isSkipped(r)).toBe(false);
    if (isSkipped(r)) return;
    expect(r).toMatchObject({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      source: 'env',
      persistent: false,
    });
    expect(r.restart).toBeUndefined();
    await r.stop();
    await r.stop();
    expect(dockerProbe).not.toHaveBeenCalled();
  });

  it('gives a persistent broker whose restart runs the restart command, bounded', async () => {
    const env = {
      SWITCHBOARD_NATS_PERSISTENT_URL: 'nats://127.0.0.1:4223',
      SWITCHBOARD_NATS_RESTART_CMD: 'bash scripts/brokers restart nats-persistent',
    };
    const { provision, run } = setup(env);
    const r = await provision('nats', { persistent: true, restartTimeoutMs: 5000 });
    if (isSkipped(r)) throw new Error(r.reason);
    expect(r.url).toBe('nats://127.0.0.1:4223');
    await expect(r.restart?.()).resolves.toBe('nats://127.0.0.1:4223');
    expect(run).toHaveBeenCalledWith('bash scripts/brokers restart nats-persistent', 5000);
  });

  it('shares one restart between concurrent callers', async () => {
    const env = {
      SWITCHBOARD_KAFKA_PERSISTENT_URL: 'kafka://127.0.0.1:9092',
      SWITCHBOARD_KAFKA_RESTART_CMD: 'x',
    };
    const { provision, run } = setup(env);
    const r = await provision('kafka', { persistent: true });
    if (isSkipped(r)) throw new Error(r.reason);
    await Promise.all([r.restart?.(), r.restart?.()]);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('does not take the plain URL for a persistent request', async () => {
    const { provision } = setup({ SWITCHBOARD_REDIS_URL: 'redis://127.0.0.1:6379' });
    const r = await provision('redis', { persistent: true });
    expect(r.skipped).toBe(true);
    if (!isSkipped(r)) return;
    expect(r.reason).toContain('SWITCHBOARD_REDIS_PERSISTENT_URL and SWITCHBOARD_REDIS_RESTART_CMD not set');
  });
});

describe('provisioning with containers', () => {
  it('starts a container when the env has no URL and Docker answers', async () => {
    const port = { value: 32768 };
    const c = fakeContainer(port);
    const { provision, startContainer } = setup({}, withDocker, async () => c);
    const r = await provision('redis', { persistent: true });
    if (isSkipped(r)) throw new Error(r.reason);
    expect(startContainer).toHaveBeenCalledWith('redis', true);
    expect(r.source).toBe('container');
    await expect(r.restart?.()).resolves.toBe('redis://127.0.0.1:32769');
    expect(r.url).toBe('redis://127.0.0.1:32769');
    await r.stop();
    await r.stop();
    expect(c.stops).toBe(1);
  });

  it('offers no restart for a plain request', async () => {
    const { provision } = setup({}, withDocker, async () => fakeContainer({ value: 1 }));
    const r = await provision('redis');
    if (isSkipped(r)) throw new Error(r.reason);
    expect(r.restart).toBeUndefined();
  });

  it('skips a persistent Kafka without asking Docker', async () => {
    const { provision, dockerProbe } = setup({}, withDocker);
    const r = await provision('kafka', { persistent: true });
    expect(r.skipped).toBe(true);
    expect(dockerProbe).not.toHaveBeenCalled();
  });

  it('honours SWITCHBOARD_NO_CONTAINERS=1', async () => {
    const { provision, dockerProbe } = setup({ SWITCHBOARD_NO_CONTAINERS: '1' }, withDocker);
    const r = await provision('rabbitmq');
    expect(r.skipped).toBe(true);
    expect(dockerProbe).not.toHaveBeenCalled();
  });

  it('turns a failed container start into a skip with its message', async () => {
    const { provision } = setup({}, withDocker, async () => Promise.reject(new Error('pull access denied')));
    const r = await provision('nats');
    if (!isSkipped(r)) throw new Error('expected a skip');
    expect(r.reason).toContain('pull access denied');
  });
});

describe('skips and SWITCHBOARD_REQUIRE_BROKERS', () => {
  it('skips with a reason naming the variable and the script', async () => {
    const { provision, startContainer } = setup({});
    const r = await provision('rabbitmq');
    if (!isSkipped(r)) throw new Error('expected a skip');
    expect(r.reason).toContain('SWITCHBOARD_RABBITMQ_URL not set');
    expect(r.reason).toContain('no Docker engine (test)');
    expect(r.reason).toContain('scripts/brokers');
    expect(startContainer).not.toHaveBeenCalled();
  });

  it('throws instead of skipping when brokers are required', async () => {
    const { provision } = setup({ SWITCHBOARD_REQUIRE_BROKERS: '1' });
    const err = await provision('kafka').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerUnavailableError);
    expect((err as Error).message).toMatch(/SWITCHBOARD_KAFKA_URL.*scripts\/brokers/s);
  });

  it('throws for a failed container start when brokers are required', async () => {
    const { provision } = setup({ SWITCHBOARD_REQUIRE_BROKERS: 'true' }, withDocker, async () => {
      throw new Error('boom');
    });
    await expect(provision('redis')).rejects.toThrow(/container did not start: boom/);
  });
});

describe('docker probe', () => {
  it('reads DOCKER_HOST before the usual sockets', () => {
    expect(dockerEndpoints({ DOCKER_HOST: 'unix:///run/user/0/docker.sock' })).toEqual([
      { path: '/run/user/0/docker.sock' },
    ]);
    expect(dockerEndpoints({ DOCKER_HOST: 'tcp://10.0.0.5:2375' })).toEqual([
      { host: '10.0.0.5', port: 2375 },
    ]);
    expect(dockerEndpoints({}, () => false)).toEqual([]);
    expect(dockerEndpoints({}, (p) => p === '/var/run/docker.sock')).toEqual([
      { path: '/var/run/docker.sock' },
    ]);
  });

  it('answers "unavailable" for a socket path that does not exist, without hanging', async () => {
    const probe = createDockerProbe({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, 500);
    const r = await probe();
    expect(r.available).toBe(false);
    expect(await probe()).toBe(r);
  });
});

describe('runCommand', () => {
  it('resolves on exit 0', async () => {
    await expect(runCommand('exit 0', 5000)).resolves.toBeUndefined();
  });

  it('rejects with the exit code and the output tail', async () => {
    await expect(runCommand('echo boom >&2; exit 3', 5000)).rejects.toThrow(/exited with code 3.*boom/s);
  });

  it('kills a command that outlives its bound', async () => {
    await expect(runCommand('echo started; sleep 30', 300)).rejects.toThrow(
      /did not finish within 300 ms.*started/s,
    );
  });
});
