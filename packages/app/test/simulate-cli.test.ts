import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRoas } from './roas-cli.ts';

describe('roas simulate with the models on and off (child processes)', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'roas-simulate-'));
  const base = ['simulate', '--scenario', 'fatigue', '--seeds', '1-2', '--days', '30', '--workers', '0'];

  it('runs engine and engine+ml (the shipped cold-start models) side by side', async () => {
    const run = await runRoas([...base, '--policies', 'engine,engine+ml', '--json'], home);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      seeds: number[];
      policies: Record<string, { trueProfit: number; runs: number }>;
    };
    expect(result.seeds).toEqual([1, 2]);
    expect(Object.keys(result.policies).sort()).toEqual(['engine', 'engine+ml', 'equal', 'oracle']);
    for (const name of ['engine', 'engine+ml'])
      expect(Number.isFinite(result.policies[name]?.trueProfit)).toBe(true);
  }, 60_000);

  it('refuses a models folder without models, and --models without engine+ml', async () => {
    const missing = await runRoas([...base, '--policies', 'engine+ml', '--models', home], home);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: no cold-start models at .*manifest\.json missing/);
    const unused = await runRoas([...base, '--policies', 'engine', '--models', home], home);
    expect(unused.code).toBe(1);
    expect(unused.stderr).toMatch(/--models is read by the engine\+ml policy only/);
  }, 60_000);
});
