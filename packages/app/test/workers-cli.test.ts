import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));

const roas = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const home = mkdtempSync(path.join(tmpdir(), 'roas-worker-cli-'));
    execFile(
      process.execPath,
      [ROAS, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ROAS_HOME: home, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });

describe('roas worker on the command line', () => {
  it('refuses the embedded database with a message saying what to do instead', async () => {
    const result = await roas(['worker']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: `roas worker` needs PostgreSQL: set DATABASE_URL\. On the embedded database, `roas serve` runs the scheduled jobs/,
    );
    const queued = await roas(['worker', 'enqueue', 'health']);
    expect(queued.stderr).toMatch(/`roas worker enqueue` needs PostgreSQL/);
  });

  it('names a bad job, a missing account or a bad concurrency before connecting anywhere', async () => {
    const url = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    expect((await roas(['worker', 'enqueue', 'reboot'], url)).stderr).toMatch(
      /job "reboot": expected one of sync, decide, apply, outcomes, health, notify/,
    );
    expect((await roas(['worker', 'enqueue', 'decide'], url)).stderr).toMatch(
      /job "decide" is about one account: add --account/,
    );
    expect((await roas(['worker', 'enqueue', 'health', '--account', 'x'], url)).stderr).toMatch(
      /runs over every account/,
    );
    expect((await roas(['worker', '--concurrency', '0'], url)).stderr).toMatch(
      /--concurrency "0": expected a whole number from 1 to 32/,
    );
  });
});
