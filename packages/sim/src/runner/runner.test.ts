import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.ts';
import { gapClosedInterval, summarise } from './aggregate.ts';
import { runBenchmark, type BenchmarkProgress } from './benchmark.ts';
import type { RunMetrics } from './metrics.ts';
import { simulate } from './simulate.ts';

const short = loadScenario({ extends: 'default', horizonDays: 20 });

describe('simulate', () => {
  it('is deterministic and scores the run from ground truth', () => {
    const a = simulate(short, 'equal', 3);
    expect(simulate(short, 'equal', 3)).toEqual(a);
    expect(a.days).toBe(20);
    // The equal split spends its budget, give or take Meta's daily pacing.
    expect(a.spend / (20 * short.dailyBudget)).toBeGreaterThan(0.95);
    expect(a.spend / (20 * short.dailyBudget)).toBeLessThan(1.05);
    expect(a.profit).toBeCloseTo(short.margin * a.attributedRevenue - a.spend, 1);
    expect(a.budgetChurn).toBe(0);
    expect(a.learningResets).toBe(0);
    expect(simulate(short, 'equal', 3, 5).days).toBe(5);
  });

  it('scores the oracle with no wasted spend and the greedy ranker with many resets', () => {
    const oracle = simulate(short, 'oracle', 3);
    const greedy = simulate(short, 'greedy', 3);
    expect(oracle.wastedSpend).toBeLessThan(0.01 * oracle.spend);
    expect(greedy.learningResets).toBeGreaterThan(oracle.learningResets);
    expect(greedy.budgetChurn).toBeGreaterThan(0);
  });
});

describe('gap closed', () => {
  it('is 0 for the equal split, 1 for the oracle, and a ratio of paired means between', () => {
    const equal = [0, 10, 20];
    const oracle = [100, 110, 120];
    expect(gapClosedInterval(equal, equal, oracle)).toEqual({ mean: 0, lo: 0, hi: 0 });
    expect(gapClosedInterval(oracle, equal, oracle)).toEqual({ mean: 1, lo: 1, hi: 1 });
    const half = gapClosedInterval([40, 60, 80], equal, oracle);
    expect(half?.mean).toBeCloseTo(0.5, 12);
    expect(half?.lo).toBeLessThan(0.5);
    expect(half?.hi).toBeGreaterThan(0.5);
    expect(gapClosedInterval([], [], [])).toBeNull();
  });

  it('needs the equal and oracle runs on the same seeds', () => {
    const run = (policy: string, seed: number, trueProfit: number) =>
      ({ policy, seed, trueProfit, profit: trueProfit }) as RunMetrics;
    const summary = summarise(
      new Map([
        ['equal', [run('equal', 1, 0), run('equal', 2, 0)]],
        ['oracle', [run('oracle', 1, 10), run('oracle', 3, 10)]],
      ]),
    );
    expect(summary.equal?.gapClosed).toBeNull();
  });
});

describe('runBenchmark', () => {
  it('runs in worker threads (TypeScript through tsx) with the same results as in-thread', async () => {
    const options = {
      scenario: short,
      policies: ['greedy', 'rules'],
      seeds: [1, 2, 3],
      days: 10,
      includeRuns: true,
    };
    const progress: BenchmarkProgress[] = [];
    const threaded = await runBenchmark({ ...options, workers: 2 }, (p) => progress.push(p));
    const inline = await runBenchmark({ ...options, workers: 0 });
    expect(threaded).toEqual(inline);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(threaded.addedReferences).toEqual(['equal', 'oracle']);
    expect(Object.keys(threaded.policies).sort()).toEqual(['equal', 'greedy', 'oracle', 'rules']);
    expect(threaded).toMatchObject({ scenario: 'default+custom', seeds: [1, 2, 3], days: 10 });
    for (const summary of Object.values(threaded.policies)) {
      expect(summary).toHaveProperty('profit');
      expect(summary).toHaveProperty('trueProfit');
      expect(summary).toHaveProperty('roas');
      expect(summary.gapClosed).toHaveProperty('mean');
      expect(summary.gapClosed).toHaveProperty('lo');
      expect(summary.gapClosed).toHaveProperty('hi');
      expect(summary).toHaveProperty('wastedSpend');
      expect(summary).toHaveProperty('learningResets');
    }
  }, 30_000);

  it('refuses unknown policies and reports a failing run', async () => {
    await expect(runBenchmark({ scenario: short, policies: ['thompson'], seeds: [1] })).rejects.toThrow(
      /unknown policy/,
    );
    await expect(runBenchmark({ scenario: 'nope', policies: ['equal'], seeds: [1] })).rejects.toThrow(
      /not a preset/,
    );
  });
});
