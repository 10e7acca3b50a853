import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, PRESET_NAMES, ScenarioError } from './load.ts';
import { scenarioSchema } from './schema.ts';

function issuesOf(input: unknown): string {
  try {
    parseScenario(input, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).message;
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario presets', () => {
  it.each(PRESET_NAMES)('loads %s and names it after itself', (name) => {
    expect(loadScenario(name).name).toBe(name);
  });

  it('fills the documented defaults and the preset overrides', () => {
    const base = loadScenario('default');
    expect([base.adSets, base.dailyBudget, base.horizonDays, base.margin]).toEqual([12, 1200, 90, 0.6]);
    expect(base.lag.default.pmf).toEqual([0.55, 0.15, 0.08, 0.06, 0.05, 0.04, 0.04, 0.03]);
    expect(loadScenario('low-volume').dailyBudget).toBe(150);
    expect([loadScenario('high-volume').adSets, loadScenario('high-volume').dailyBudget]).toEqual([
      30, 10_000,
    ]);
    expect(loadScenario('high-spread').roas.sigma).toBeGreaterThan(base.roas.sigma);
    expect(loadScenario('low-spread').roas.sigma).toBeLessThan(base.roas.sigma);
    expect(loadScenario('slow-lag').audiences.broad.lagProfile).toBe('slow');
    // A partial audience keeps the other fields of its type's defaults.
    expect(loadScenario('slow-lag').audiences.retargeting.roasLogShift).toBe(0.4);
    expect(loadScenario('drift').effects.drift).toBe(true);
    expect(loadScenario('retargeting-heavy').audienceMix.retargeting).toBeGreaterThan(
      base.audienceMix.retargeting,
    );
  });

  it('parses an empty object into the default market', () => {
    expect(scenarioSchema.parse({}).adSets).toBe(12);
  });
});

describe('scenario validation', () => {
  it('refuses an unknown top-level key with its name', () => {
    expect(issuesOf({ adsets: 3 })).toMatch(/- adsets: unknown key/);
  });

  it('refuses unknown nested keys with their full path', () => {
    expect(issuesOf({ effects: { fatigu: true } })).toMatch(/- effects\.fatigu: unknown key/);
    expect(issuesOf({ audiences: { broad: { size: 1 } } })).toMatch(/- audiences\.broad\.size: unknown key/);
    expect(issuesOf({ audiences: { teens: {} } })).toMatch(/- audiences\.teens: unknown key/);
    expect(issuesOf({ lag: { slow: { pmf: [1, 0, 0, 0, 0, 0, 0, 0], tail: 0 } } })).toMatch(
      /- lag\.slow\.tail: unknown key/,
    );
    expect(issuesOf({ drift: { shift: 2 } })).toMatch(/- drift\.shift: unknown key/);
  });

  it('names the path of a bad value', () => {
    expect(issuesOf({ roas: { sigma: -1 } })).toMatch(/- roas\.sigma: /);
    expect(issuesOf({ lag: { slow: { pmf: [1] } } })).toMatch(/- lag\.slow\.pmf: /);
    expect(issuesOf({ lag: { fast: { pmf: [0.5, 0, 0, 0, 0, 0, 0, 0] } } })).toMatch(
      /- lag\.fast\.pmf: pmf must sum to 1/,
    );
    expect(issuesOf({ saturation: { alpha: [1.5, 1] } })).toMatch(/- saturation\.alpha: /);
    expect(issuesOf({ adSets: 40, dailyBudget: 100 })).toMatch(
      /- minDailyBudget: the daily budget must fund/,
    );
  });

  it('lists every problem at once', () => {
    const message = issuesOf({ adSets: 0, effects: { lagg: true }, margin: 2 });
    expect(message).toMatch(/adSets/);
    expect(message).toMatch(/effects\.lagg: unknown key/);
    expect(message).toMatch(/margin/);
  });
});

describe('loadScenario', () => {
  it('extends a preset and overrides what it states', () => {
    const scenario = loadScenario({ extends: 'low-volume', adSets: 4, effects: { drift: true } });
    expect([scenario.dailyBudget, scenario.adSets, scenario.effects.drift, scenario.effects.lag]).toEqual([
      150,
      4,
      true,
      true,
    ]);
    expect(() => loadScenario({ extends: 'nope' })).toThrow(/extends: expected one of/);
  });

  it('reads JSON text and .json files, reporting the source', () => {
    expect(loadScenario('{"name":"inline","adSets":3}').adSets).toBe(3);
    const dir = mkdtempSync(join(tmpdir(), 'roas-sim-'));
    const file = join(dir, 'market.json');
    writeFileSync(file, JSON.stringify({ extends: 'default', horizonDays: 30 }));
    expect(loadScenario(file).horizonDays).toBe(30);
    writeFileSync(file, JSON.stringify({ horizonDays: 30, budget: 5 }));
    expect(() => loadScenario(file)).toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*budget: unknown key`),
    );
    expect(() => loadScenario('{not json')).toThrow(/\(json\)/);
    expect(() => loadScenario('no-such-preset')).toThrow(/not a preset/);
  });
});
