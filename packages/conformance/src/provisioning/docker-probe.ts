import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProvisionEnv } from './types.js';

/** Whether a Docker engine answers, and where, or why not. */
export type DockerProbeResult = { available: true; endpoint: string } | { available: false; reason: string };

/** Decides whether containers can be started; injected in tests. */
export type DockerProbe = () => Promise<DockerProbeResult>;

type Endpoint = { path: string } | { host: string; port: number };

/**
 * The engine endpoints to try: `DOCKER_HOST` when set (unix:// or tcp://), else the usual sockets
 * (/var/run/docker.sock, ~/.docker/run/docker.sock, $XDG_RUNTIME_DIR/docker.sock) that exist.
 */
export function dockerEndpoints(
  env: ProvisionEnv,
  fileExists: (p: string) => boolean = existsSync,
): Endpoint[] {
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    if (host.startsWith('unix://')) return [{ path: host.slice('unix://'.length) }];
    const m = /^tcp:\/\/([^:/]+):(\d+)/.exec(host);
    return m?.[1] && m[2] ? [{ host: m[1], port: Number(m[2]) }] : [];
  }
  const candidates = ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')];
  if (env.XDG_RUNTIME_DIR) candidates.push(join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  return candidates.filter((p) => fileExists(p)).map((path) => ({ path }));
}

/**
 * Asks each endpoint `GET /_ping` and reports the first that answers HTTP 200, each try bounded by
 * `timeoutMs`, so a missing or stuck engine costs at most that per endpoint and never hangs.
 * TLS endpoints (DOCKER_TLS_VERIFY) are reported as available without a ping.
 */
export function createDockerProbe(env: ProvisionEnv, timeoutMs = 2000): DockerProbe {
  let cached: Promise<DockerProbeResult> | undefined;
  return () => {
    cached ??= probe(env, timeoutMs);
    return cached;
  };
}

async function probe(env: ProvisionEnv, timeoutMs: number): Promise<DockerProbeResult> {
  const endpoints = dockerEndpoints(env);
  if (endpoints.length === 0) {
    return { available: false, reason: 'no Docker engine (DOCKER_HOST unset, no docker.sock found)' };
  }
  if (env.DOCKER_TLS_VERIFY && env.DOCKER_HOST) return { available: true, endpoint: env.DOCKER_HOST };
  const failures: string[] = [];
  for (const ep of endpoints) {
    const name = 'path' in ep ? ep.path : `${ep.host}:${ep.port}`;
    const error = await ping(ep, timeoutMs);
    if (error === undefined) return { available: true, endpoint: name };
    failures.push(`${name}: ${error}`);
  }
  return { available: false, reason: `no Docker engine answered (${failures.join('; ')})` };
}

/** Resolves `undefined` when the engine answers `/_ping` with 200, else a short error. */
function ping(ep: Endpoint, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(ep);
    let reply = '';
    const done = (error: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('connect', () => socket.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(/^HTTP\/1\.[01] 200/.test(reply) ? undefined : reply.split('\r\n')[0]);
    });
    socket.on('error', (err) => done(err.message));
    socket.on('end', () => done(reply ? reply.split('\r\n')[0] : 'connection closed'));
  });
}
