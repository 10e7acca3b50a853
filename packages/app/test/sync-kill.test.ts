import { spawn, execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { addDays } from '@roas/core';
import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/adapters/db/database.ts';
import { todayIn } from '../src/shared/dates.ts';
import { reportedTruth, storedRows } from './sync-truth.ts';

const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));

describe('roas sync killed with SIGKILL midway (child processes, PGlite on disk)', () => {
  let fake: FakeGraphServer;
  const home = mkdtempSync(path.join(tmpdir(), 'roas-kill-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    const startDay = 60;
    // The fake's calendar is anchored so its today is today in the account's zone, as `roas sync` expects.
    const today = todayIn('America/Los_Angeles', new Date());
    fake = await startFakeGraph({
      scenario: { extends: 'default', adSets: 40, startDate: addDays(today, -startDay) },
      seed: 21,
      startDay,
    });
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ROAS_HOME: home,
      META_GRAPH_URL: fake.url,
    };
  });
  afterAll(async () => {
    await fake.close();
  });

  const roas = (args: string[], extra: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [ROAS, ...args], { env: { ...env, ...extra } }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  it('resumes after the kill and ends with exactly the API data', async () => {
    expect((await roas(['accounts', 'add', '--token', fake.accessToken])).code).toBe(0);

    const child = spawn(process.execPath, [ROAS, 'sync'], {
      env: { ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let insightSteps = 0;
    const lines = createInterface({ input: child.stderr });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    for await (const line of lines) {
      if (line.includes('"sync step done"') && line.includes('"step":"insights:')) insightSteps++;
      if (insightSteps === 3) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    const resumed = await roas(['sync', '--json']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const result = (
      JSON.parse(resumed.stdout) as { results: { ok: boolean; summary: { resumed: boolean } }[] }
    ).results[0];
    expect(result).toMatchObject({ ok: true, summary: { resumed: true } });

    const database = await openDatabase({ engine: 'pglite', dataDir: path.join(home, 'pgdata') });
    try {
      expect(await storedRows(database.db, 'adset', fake.accountId)).toEqual(reportedTruth(fake, 'adset'));
      expect(await storedRows(database.db, 'ad', fake.accountId)).toEqual(reportedTruth(fake, 'ad'));
    } finally {
      await database.close();
    }
  }, 180_000);
});
