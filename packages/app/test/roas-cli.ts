import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));

export type CliRun = { code: number; stdout: string; stderr: string };

/**
 * Runs the real `roas` command in a child process with ROAS_HOME (and the working directory) at `home`
 * and nothing else from this environment but PATH and HOME, plus `env`.
 */
export function runRoas(args: string[], home: string, env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ROAS, ...args],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ROAS_HOME: home, ...env },
        cwd: home,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
