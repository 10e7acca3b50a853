import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shopExport } from './recommend-fixture.ts';
import { runRoas } from './roas-cli.ts';

const roas = runRoas;

describe('roas recommend (child processes)', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'roas-recommend-'));

  beforeAll(async () => {
    const file = path.join(home, 'shop.csv');
    writeFileSync(file, shopExport());
    expect((await roas(['import', file, '--account', 'Shop'], home)).code).toBe(0);
  }, 60_000);

  it('prints the documented JSON for one account, storing nothing on --dry-run', async () => {
    const run = await roas(['recommend', '--account', 'Shop', '--json', '--dry-run'], home);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as {
      account: { name: string; notes: string[] };
      generatedAt: string;
      recommendations: Record<string, unknown>[];
    };
    expect(Object.keys(parsed)).toEqual(['account', 'generatedAt', 'recommendations']);
    expect(parsed.account.name).toBe('Shop');
    expect(parsed.account.notes.join(' ')).toMatch(/no budgets, learning stage/);
    expect(Number.isNaN(Date.parse(parsed.generatedAt))).toBe(false);
    expect(parsed.recommendations).toHaveLength(4);
    for (const r of parsed.recommendations) {
      expect(r).toMatchObject({ id: null, runId: null, newDailyBudgetMinor: null, level: 'adset' });
      expect(['SCALE', 'HOLD', 'PAUSE', 'RETEST', 'PROMOTE']).toContain(r.action);
    }

    const stored = await roas(['recommend'], home);
    expect(stored.code).toBe(0);
    expect(stored.stdout).toMatch(
      /^Shop \(csv:[0-9a-f]+\) · as of 2026-03-15 · EUR · default settings · engine /,
    );
    expect(stored.stdout).toMatch(/^(SCALE|PAUSE|RETEST|PROMOTE|HOLD) \(\d\)$/m);
    expect(stored.stdout).toMatch(/Stored as run [0-9a-f-]{36} \(settings version 0, engine /);

    // Without --account: an array, one object per account.
    const all = await roas(['recommend', '--json'], home);
    const runs = JSON.parse(all.stdout) as { recommendations: { runId: string }[] }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]?.recommendations[0]?.runId).toEqual(expect.any(String));
  }, 60_000);

  it('explains each decision with its reasons and guardrails', async () => {
    const run = await roas(['recommend', '--explain', '--dry-run', '--stage', 'testing'], home);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Winner \(campaign: \[TEST\] Prospecting\)/);
    expect(run.stdout).not.toMatch(/Champion/);
    expect(run.stdout).toMatch(/^ {2}reasons:\n {4}pass {2}gate\.minSpend: /m);
    expect(run.stdout).toMatch(/^ {2}guardrails:$/m);
    expect(run.stdout).toMatch(/Dry run: nothing stored\.\n$/);
  }, 30_000);

  it('refuses an unknown stage (usage, exit 2) and an unknown account (exit 1) in one line', async () => {
    const stage = await roas(['recommend', '--stage', 'launch'], home);
    expect(stage.code).toBe(2);
    expect(stage.stderr).toMatch(/'launch' is invalid\. Allowed choices are testing, validation, scaling/);
    const account = await roas(['recommend', '--account', 'act_404'], home);
    expect(account.code).toBe(1);
    expect(account.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Error: --account "act_404": no such account; known accounts: "Shop" \(csv:/),
    ]);
    const empty = mkdtempSync(path.join(tmpdir(), 'roas-recommend-empty-'));
    const none = await roas(['recommend'], empty);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^Error: no accounts yet/);
  }, 60_000);
});
