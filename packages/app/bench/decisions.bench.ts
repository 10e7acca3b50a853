// Decision quality of the engine on the simulated market: every preset, 200 held-out seeds, the engine
// side by side with equal, rules, greedy and oracle, and the pass/fail criteria checked; and the
// engine with its learning models (engine+ml, the shipped cold-start models) against the engine without.
// Run: npm run bench:decisions   (BENCH_SEEDS=n for a quicker run, BENCH_PRESETS=a,b for a subset;
// writes its tables into docs/benchmarks.md between the decisions markers)
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_MODEL_RULES, type ModelKind } from '@roas/core';
import { PRESET_NAMES, runBenchmark, type RunMetrics } from '@roas/sim';
import { renderBenchmark } from '../src/cli/commands/simulate.command.ts';
import { loadSimulationModels } from '../src/services/simulation-models.service.ts';
import { writeBenchmarkSection } from './benchmarks-doc.ts';

const POLICIES = ['equal', 'rules', 'greedy', 'oracle', 'engine', 'engine+ml'];
// The cold-start models the app ships (packages/app/models/cold-start), as engine+ml reads them.
const ENGINE_MODELS = await loadSimulationModels();
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
const percent = (i: Interval) =>
  `${(i.mean * 100).toFixed(1)}% [${(i.lo * 100).toFixed(1)}%, ${(i.hi * 100).toFixed(1)}%]`;

/** Better when the paired 95% interval lies above 0, worse when below, else no measurable difference. */
function modelVerdict(diff: Interval): string {
  if (diff.lo > 0) return 'better';
  if (diff.hi < 0) return '**worse**';
  return diff.lo === 0 && diff.hi === 0 ? 'identical' : 'no worse: CI spans 0';
}

/** engine+ml against engine on the same seeds: the "at least as good as without" criterion. */
function modelRows(
  bySeed: (policy: string, pick: (r: RunMetrics) => number) => number[],
  summaries: Record<string, { gapClosed: Interval | null } | undefined>,
) {
  const lines: string[][] = [];
  let trueProfit = '';
  let verdict = '';
  for (const [label, pick] of [
    ['true profit', (r: RunMetrics) => r.trueProfit],
    ['reported profit', (r: RunMetrics) => r.profit],
  ] as const) {
    const diff = pairedDifference(bySeed('engine+ml', pick), bySeed('engine', pick));
    const judged = modelVerdict(diff);
    if (label === 'true profit') {
      trueProfit = interval(diff);
      verdict = diff.hi < 0 ? '**FAIL**' : `pass (${judged})`;
    }
    lines.push([`engine+ml - engine, ${label}`, interval(diff), judged]);
  }
  const ml = summaries['engine+ml']?.gapClosed;
  const plain = summaries.engine?.gapClosed;
  if (ml && plain) lines.push(['oracle gap closed (true profit)', `${percent(ml)} vs ${percent(plain)}`, '']);
  const rules = pairedDifference(
    bySeed('engine+ml', (r) => r.trueProfit),
    bySeed('rules', (r) => r.trueProfit),
  );
  lines.push(['engine+ml - rules, true profit', interval(rules), rules.lo > 0 ? 'better' : '']);
  const ours = bySeed('engine+ml', (r) => r.trueProfit);
  const theirs = bySeed('engine', (r) => r.trueProfit);
  const changed = ours.filter((value, i) => value !== theirs[i]).length;
  lines.push(['seeds whose outcome the models changed', `${changed} of ${ours.length}`, '']);
  const table = [
    '| Models: engine+ml vs engine | Paired difference [95% CI] | Verdict |',
    '| --- | --- | --- |',
    ...lines.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  return { table, trueProfit, verdict };
}
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
    engineModels: ENGINE_MODELS,
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
  const models = modelRows(bySeed, result.policies);
  const table = renderBenchmark(result, 'markdown');
  console.log(`${table}\n\n${checks}\n\n${models.table}\n\n(${seconds.toFixed(1)} s)\n`);
  verdicts.push(
    `| ${preset} | ${allPass ? 'all pass' : '**some fail**'} | ${models.trueProfit} | ${models.verdict} |`,
  );
  sections.push(`${table}\n\n${checks}\n\n${models.table}\n\nWall time: ${seconds.toFixed(1)} s.`);
}
const total = (performance.now() - started) / 1000;
console.log(`Total wall time: ${total.toFixed(1)} s on ${availableParallelism()} cores.`);

const skill = (kind: ModelKind) => {
  const model = ENGINE_MODELS[kind];
  return model ? `${(100 * (1 - model.error / model.baselineError)).toFixed(0)}%` : 'n/a';
};
const plan = `${Object.keys(ENGINE_MODELS).length} models`;
const allocation = DEFAULT_MODEL_RULES.allocation;
const content = [
  `Command: \`npm run bench:decisions\`. ${SEEDS.length} seeds (${SEEDS[0]}-${SEEDS[SEEDS.length - 1]}, held out: the engine was tuned on seeds 100000-100119 only, its use of the models on 300001-300090), policies ${POLICIES.join(', ')}, worker threads on ${availableParallelism()} cores; total wall time ${total.toFixed(1)} s.`,
  '',
  `**engine+ml** is the engine with the learning models as evidence (\`roas simulate --policies engine,engine+ml\`): the ${plan} shipped in \`packages/app/models/cold-start\` (trained on simulated accounts from seeds 100000-100134, disjoint from these seeds), predicted every simulated day from the snapshot the app builds from the engine's input. Skill over the naive baseline on their holdouts (1 - error / baseline error): ROAS forecast ${skill('roas_forecast')} (MAE vs last-7-day ROAS), purchase probability ${skill('purchase_probability')}, fatigue onset ${skill('fatigue_onset')} (Brier vs base rate). Per ad set they adjust confidence and add risks only; the allocation reads them with the default rules (\`models.allocation\`: forecastWeight ${allocation.forecastWeight}, ${allocation.forecastLevel}, fatigueDiscount ${allocation.fatigueDiscount}; chosen on seeds 300001-300090 with these models, not on these seeds). Guardrails run after both. Criterion: engine+ml at least as good as the engine on every preset, read as: the paired 95% interval of the true-profit difference does not lie below 0.`,
  '',
  '| Preset | Criteria (engine) | engine+ml - engine, true profit [95% CI] | Models: at least as good |',
  '| --- | --- | --- | --- |',
  ...verdicts,
  '',
  sections.join('\n\n'),
].join('\n');
if (!process.env.BENCH_SEEDS && !process.env.BENCH_PRESETS)
  await writeBenchmarkSection('decisions', 'Decision engine: decision quality', content);
else console.log('(a partial run: docs/benchmarks.md left as it is)');
