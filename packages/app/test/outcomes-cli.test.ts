import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderOutcomes } from '../src/cli/commands/outcomes.command.ts';
import type { OutcomeSummary } from '../src/services/outcomes.service.ts';
import { shopExport } from './recommend-fixture.ts';
import { runRoas } from './roas-cli.ts';

const roas = runRoas;

describe('roas outcomes (child processes)', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'roas-outcomes-'));

  beforeAll(async () => {
    const file = path.join(home, 'shop.csv');
    writeFileSync(file, shopExport());
    expect((await roas(['import', file, '--account', 'Shop'], home)).code).toBe(0);
    expect((await roas(['recommend', '--account', 'Shop'], home)).code).toBe(0);
  }, 60_000);

  it('measures on --measure and prints the documented JSON; an export with no later days stays pending', async () => {
    const run = await roas(['outcomes', '--account', 'Shop', '--measure', '--json'], home);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as OutcomeSummary & {
      measurement: { accounts: number; considered: number; pending: number; stored: number };
    };
    expect(Object.keys(parsed).sort()).toEqual(
      [
        'byAction',
        'byAudience',
        'byRuleCell',
        'byStage',
        'measuredAt',
        'measurement',
        'note',
        'overall',
      ].sort(),
    );
    // Four ad sets, two horizons; the export ends the day before the decision, so nothing after it is known.
    expect(parsed.measurement).toMatchObject({ accounts: 1, considered: 8, pending: 8, stored: 0 });
    expect(parsed.note).toMatch(/^no outcomes measured yet/);
    expect(parsed.overall).toEqual([]);

    const table = await roas(['outcomes'], home);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^no outcomes measured yet/);
  }, 60_000);

  it('refuses an unknown account in one line (exit 1)', async () => {
    const run = await roas(['outcomes', '--account', 'Nobody'], home);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('Error: no account Nobody');
  }, 30_000);
});

describe('renderOutcomes', () => {
  it('prints one table per grouping with the horizon, counts and hit rate', () => {
    const rate = { hits: 3, misses: 1, inconclusive: 2, total: 6, hitRate: 0.75 };
    const summary: OutcomeSummary = {
      note: null,
      measuredAt: '2026-03-20T12:00:00.000Z',
      overall: [{ horizonDays: 7, ...rate }],
      byAction: [{ horizonDays: 7, action: 'PAUSE', ...rate }],
      byRuleCell: [{ horizonDays: 7, action: 'PAUSE', bucket: 'loser', trend: 'declining', ...rate }],
      byAudience: [{ horizonDays: 7, audienceType: 'broad', ...rate }],
      byStage: [{ horizonDays: 7, stage: null, ...rate }],
    };
    const text = renderOutcomes(summary, null);
    expect(text).toMatch(/^All recommendations\n/);
    expect(text).toMatch(
      /By rule cell \(action, bucket, trend\)\n[^]*PAUSE loser declining\W+7 d\W+3\W+1\W+2\W+75%/,
    );
    expect(text).toMatch(/By audience type\n[^]*broad/);
    expect(text).toMatch(/By stage\n[^]*no stage/);
    expect(text).toMatch(/Last measured 2026-03-20T12:00:00.000Z\.$/);
  });
});
