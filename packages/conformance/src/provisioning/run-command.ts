import { spawn } from 'node:child_process';

/** Runs a shell command to completion; the default runner of restart commands. */
export type CommandRunner = (command: string, timeoutMs: number) => Promise<void>;

const TAIL_CHARS = 4000;

/**
 * Runs `command` with `/bin/sh -c`, resolving when it exits 0. Rejects when it exits otherwise or
 * is still running after `timeoutMs` (its whole process group is then killed); the error message
 * carries the exit status and the tail of its combined output. Stdin is closed.
 */
export const runCommand: CommandRunner = (command, timeoutMs) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-TAIL_CHARS);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run \`${command}\`: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) return resolve();
      const why = timedOut
        ? `did not finish within ${timeoutMs} ms`
        : `exited with ${code === null ? `signal ${signal}` : `code ${code}`}`;
      reject(new Error(`\`${command}\` ${why}; its output ends with:\n${output.trimEnd()}`));
    });
  });

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
