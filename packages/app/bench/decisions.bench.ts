// Decision quality of the engine on the simulated market: every preset, 200 held-out seeds, the engine
// side by side with equal, rules, greedy and oracle, and the pass/fail criteria checked.
// Run: npm run bench:decisions   (BENCH_SEEDS=n for a quicker run, BENCH_PRESETS=a,b for a subset;
// writes its tables into docs/benchmarks.md between the decisions markers)
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { PRESET_NAMES, runBenchmark, type RunMetrics } from '@roas/sim';
import { renderBenchmark } from '../src/cli/commands/simulate.command.ts';
import { writeBenchmarkSection } from './benchmarks-doc.ts';

const POLICIES = ['equal', 'rules', 'greedy', 'oracle', 'engine'];
// Held out: the engine was tuned on seeds 100000 and up; these seeds were never looked at while tuning.
const SEEDS = Array.from({ length: Number(process.env.BENCH_SEEDS ?? 200) }, (_, i) => i + 1);
const PRESETS = process.env.BENCH_PRESETS ? process.env.BENCH_PRESETS.split(',') : [...PRESET_NAMES];
const GAP_TARGETS: Record<string, number> = { default: 0.8, 'low-volume': 0.5 };

type Interval = { mean: number; lo: number; hi: number };

/** Paired mean difference a - b over seeds with a t-based 95% interval. */
function pairedDifference(a: readonly number[], b: readonly number[]): Interval {
  const d = a.map((value, i) => value - (b[i] ?? 0));
  const n = d.length;
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n - 1));
  const half = (n > 30 ? 1.972 : 2.1) * (sd / Math.sqrt(n));
  return { mean, lo: mean - half, hi: mean + half };
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (at - lo);
}

const money = (value: number) => Math.round(value).toLocaleString('en-US');
const interval = (i: Interval) => `${money(i.mean)} [${money(i.lo)}, ${money(i.hi)}]`;
const mark = (ok: boolean) => (ok ? 'pass' : '**FAIL**');

const sections: string[] = [];
const verdicts: string[] = [];
const started = performance.now();
for (const preset of PRESETS) {
  const t0 = performance.now();
  const result = await runBenchmark({
    scenario: preset,
    policies: POLICIES,
    seeds: SEEDS,
    includeRuns: true,
  });
  const seconds = (performance.now() - t0) / 1000;
  const runs = result.runs ?? [];
  const bySeed = (policy: string, pick: (r: RunMetrics) => number) =>
    SEEDS.map((seed) => {
      const run = runs.find((r) => r.policy === policy && r.seed === seed);
      if (!run) throw new Error(`missing run ${policy} seed ${seed}`);
      return pick(run);
    });
  const engine = result.policies.engine;
  const gap = engine?.gapClosed ?? null;
  const rows: string[][] = [];
  let allPass = true;
  for (const rival of ['rules', 'greedy']) {
    for (const [label, pick] of [
      ['reported profit', (r: RunMetrics) => r.profit],
      ['true profit', (r: RunMetrics) => r.trueProfit],
    ] as const) {
      const diff = pairedDifference(bySeed('engine', pick), bySeed(rival, pick));
      allPass &&= diff.lo > 0;
      rows.push([`engine - ${rival}, ${label}`, interval(diff), mark(diff.lo > 0)]);
    }
  }
  const target = GAP_TARGETS[preset];
  if (gap) {
    const ok = target === undefined || gap.mean >= target;
    if (target !== undefined) allPass &&= ok;
    rows.push([
      'oracle gap closed (true profit)',
      `${(gap.mean * 100).toFixed(1)}% [${(gap.lo * 100).toFixed(1)}%, ${(gap.hi * 100).toFixed(1)}%]`,
      target === undefined ? `(no target)` : `${mark(ok)} (target ${target * 100}%)`,
    ]);
  }
  for (const [label, pick] of [
    ['5th-percentile reported profit', (r: RunMetrics) => r.profit],
    ['5th-percentile true profit', (r: RunMetrics) => r.trueProfit],
  ] as const) {
    const mine = quantile(bySeed('engine', pick), 0.05);
    const equal = quantile(bySeed('equal', pick), 0.05);
    allPass &&= mine >= equal;
    rows.push([`${label}: engine vs equal`, `${money(mine)} vs ${money(equal)}`, mark(mine >= equal)]);
  }
  const resets = result.policies.engine?.learningResets ?? NaN;
  const greedyResets = result.policies.greedy?.learningResets ?? NaN;
  allPass &&= resets < greedyResets;
  rows.push([
    'learning resets per run: engine vs greedy',
    `${resets.toFixed(1)} vs ${greedyResets.toFixed(1)}`,
    mark(resets < greedyResets),
  ]);
  const checks = [
    '| Criterion | Engine (95% CI where paired) | Verdict |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const table = renderBenchmark(result, 'markdown');
  console.log(`${table}\n\n${checks}\n\n(${seconds.toFixed(1)} s)\n`);
  verdicts.push(`| ${preset} | ${allPass ? 'all pass' : '**some fail**'} |`);
  sections.push(`${table}\n\n${checks}\n\nWall time: ${seconds.toFixed(1)} s.`);
}
const total = (performance.now() - started) / 1000;
console.log(`Total wall time: ${total.toFixed(1)} s on ${availableParallelism()} cores.`);

const content = [
  `Command: \`npm run bench:decisions\`. ${SEEDS.length} seeds (${SEEDS[0]}-${SEEDS[SEEDS.length - 1]}, held out: the engine was tuned on seeds 100000-100039 only), policies ${POLICIES.join(', ')}, worker threads on ${availableParallelism()} cores; total wall time ${total.toFixed(1)} s.`,
  '',
  '| Preset | Criteria |',
  '| --- | --- |',
  ...verdicts,
  '',
  sections.join('\n\n'),
].join('\n');
if (!process.env.BENCH_SEEDS && !process.env.BENCH_PRESETS)
  await writeBenchmarkSection('decisions', 'Decision engine: decision quality', content);
else console.log('(a partial run: docs/benchmarks.md left as it is)');
