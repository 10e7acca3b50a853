import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/adapters/db/database.ts';
import { adsetDay, csv, DAILY_ADSET_HEADER } from './csv-builder.ts';

const ROAS = fileURLToPath(new URL('../bin/roas.mjs', import.meta.url));

type Run = { code: number; stdout: string; stderr: string };

function roas(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ROAS, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, cwd: env.ROAS_HOME },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('roas CLI (child processes)', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'roas-cli-'));
  const env = { ROAS_HOME: home };
  const file = path.join(home, 'shop.csv');

  beforeAll(() => {
    writeFileSync(
      file,
      csv(DAILY_ADSET_HEADER, [
        adsetDay('2026-03-01', 'Spring', 'Broad', '10.00', 1, '40'),
        adsetDay('2026-03-02', 'Spring', 'Broad', '10.00', 0, '0'),
      ]),
    );
  });

  it('imports and reports with stable JSON on stdout and exit code 0', async () => {
    const imported = await roas(['import', file, '--account', 'Shop', '--json'], env);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      rows: 2,
      entities: 1,
      level: 'adset',
      currency: 'EUR',
      dateRange: { from: '2026-03-01', to: '2026-03-02' },
      totals: { spend: 20, impressions: 2000, clicks: 40, purchases: 1, revenue: 40 },
      warnings: [],
    });
    const report = await roas(['report', '--json', '--window', 'lifetime'], env);
    expect(report.code).toBe(0);
    const parsed = JSON.parse(report.stdout) as { rows: { name: string; roas: number }[]; currency: string };
    expect(parsed.currency).toBe('EUR');
    expect(parsed.rows).toEqual([expect.objectContaining({ name: 'Broad', roas: 2 })]);
    const table = await roas(['report'], env);
    expect(table.stdout).toMatch(/Broad/);
    expect(table.stdout).toMatch(/ROAS/);
  }, 60_000);

  it('fails with one line and exit code 1 on a bad file, and 2 on bad usage', async () => {
    const missing = await roas(['import', path.join(home, 'nope.csv')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([
      `Error: ${path.join(home, 'nope.csv')}: no such file`,
    ]);

    const broken = path.join(home, 'broken.csv');
    writeFileSync(broken, '"Day","Ad set name","Amount spent (EUR)"\n"2026-03-01","A","1.0.0"\n');
    const bad = await roas(['import', broken], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: .*broken\.csv: line 2, column 3/);

    const usage = await roas(['report', '--window', '9d'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/9d/);
  }, 60_000);

  it('lists every bad configuration key and never prints a secret', async () => {
    const run = await roas(['report'], { ...env, LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://u:hunter2@x/db' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/LOG_LEVEL/);
    expect(run.stderr).toMatch(/DATABASE_URL/);
    expect(run.stderr).not.toMatch(/hunter2/);
  }, 30_000);

  describe('while another process owns the database', () => {
    let release: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const held = await openDatabase({ engine: 'pglite', dataDir: path.join(home, 'pgdata') });
      release = () => held.close();
    }, 60_000);
    afterAll(async () => {
      await release?.();
    });

    it('refuses to open it and names the owner', async () => {
      const run = await roas(['report'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`in use by process ${process.pid}`));
    }, 30_000);
  });
});
