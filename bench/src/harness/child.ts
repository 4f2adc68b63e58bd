import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchBroker, BenchMode, Impl, ResultLine } from './types.js';

/** What measure.js sends back over IPC. */
export type ChildReply = { ok: true; line: ResultLine } | { ok: false; error: string };

export interface ChildRequest {
  broker: BenchBroker;
  mode: BenchMode;
  impl: Impl;
  n: number;
  bytes: number;
  url: string;
  /** Messages of the warm-up run done in the same process before the measured one (0: none). */
  warmupN: number;
}

const MEASURE_JS = fileURLToPath(new URL('../measure.js', import.meta.url));

/**
 * Runs one measurement (after its warm-up) in a fresh `node measure.js` process and resolves with its line. Rejects
 * when the process fails, reports an error, or outlives `timeoutMs` (it is then killed with SIGKILL).
 */
export function runInChild(req: ChildRequest, timeoutMs: number): Promise<ResultLine> {
  const argv = [
    req.broker,
    req.mode,
    req.impl,
    String(req.n),
    String(req.bytes),
    req.url,
    String(req.warmupN),
  ];
  return new Promise((resolve, reject) => {
    const child = fork(MEASURE_JS, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: ChildReply | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs / 1000} s (process killed)`));
    }, timeoutMs);
    child.on('message', (m) => {
      reply = m as ChildReply;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply?.ok) resolve(reply.line);
      else if (reply) reject(new Error(reply.error));
      else reject(new Error(`measure process exited (${signal ?? `code ${code}`}) without a result`));
    });
  });
}
