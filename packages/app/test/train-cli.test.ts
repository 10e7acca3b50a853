import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shopExport } from './recommend-fixture.ts';
import { runRoas } from './roas-cli.ts';

const roas = runRoas;

type RecommendJson = { recommendations: { modelVersion: string | null; reasons: { ruleId: string }[] }[] };

describe('roas train and roas recommend --no-ml (child processes)', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'roas-train-'));

  beforeAll(async () => {
    const file = path.join(home, 'shop.csv');
    writeFileSync(file, shopExport());
    expect((await roas(['import', file, '--account', 'Shop'], home)).code).toBe(0);
  }, 60_000);

  it('says an account has too little history to train on, and registers nothing', async () => {
    const run = await roas(['train', '--account', 'Shop'], home);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Shop \(csv:[0-9a-f]+\) · as of 2026-03-15 · 0 day\(s\) with known outcomes/);
    expect(run.stdout).toMatch(/roas_forecast: nothing registered: too little history for roas_forecast/);
    const json = JSON.parse((await roas(['train', '--account', 'Shop', '--json'], home)).stdout) as {
      kinds: { status: string }[];
    };
    expect(json.kinds.map((k) => k.status)).toEqual(['skipped', 'skipped', 'skipped']);
    const missing = await roas(['train', '--account', 'Nobody'], home);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: --account "Nobody": no such account/);
  });

  it('decides with the cold-start models by default, and without any with --no-ml or ML_ENABLED=false', async () => {
    const on = await roas(['recommend', '--account', 'Shop', '--json', '--dry-run'], home);
    expect(on.code).toBe(0);
    const withModels = JSON.parse(on.stdout) as RecommendJson;
    expect(withModels.recommendations[0]?.modelVersion).toMatch(
      /^roas_forecast@cold-1,purchase_probability@cold-1/,
    );

    for (const off of [
      await roas(['recommend', '--account', 'Shop', '--json', '--dry-run', '--no-ml'], home),
      await roas(['recommend', '--account', 'Shop', '--json', '--dry-run'], home, { ML_ENABLED: 'false' }),
    ]) {
      expect(off.code).toBe(0);
      const parsed = JSON.parse(off.stdout) as RecommendJson;
      expect(parsed.recommendations.length).toBeGreaterThan(0);
      for (const r of parsed.recommendations) {
        expect(r.modelVersion).toBeNull();
        expect(r.reasons.filter((reason) => reason.ruleId.startsWith('model.'))).toEqual([]);
      }
    }
  });
});
