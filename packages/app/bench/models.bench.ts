// Model accuracy: a time-based backtest of the three models (next-7-day ROAS, purchase in the next 3
// days, fatigue onset) on 50 simulated accounts from held-out seeds, against the naive baselines, plus
// training and prediction times per 10,000 ad sets. The cold-start models train on simulated accounts
// from seeds 100000 and up; the targets and settings were chosen on seeds 200000-200049; the 50
// accounts judged here (seeds 1-50) were never looked at while choosing.
// Run: npm run bench:models   (BENCH_ACCOUNTS=n / BENCH_TRAIN_ACCOUNTS=n for a quicker, partial run)
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  concatDatasets,
  datasetFromHistory,
  dayNumber,
  evaluationRows,
  extractFeatures,
  FEATURE_NAMES,
  featureImportance,
  LABEL_RULES,
  MODEL_KINDS,
  predictModel,
  scorePredictions,
  selectRows,
  trainModel,
  type AccountSnapshot,
  type ModelDataset,
  type ModelEvaluation,
  type ModelKind,
  type TrainedModel,
} from '@roas/core';
import { generateModelData, PRESET_NAMES, type ModelDataJob } from '@roas/sim';
import { writeBenchmarkSection } from './benchmarks-doc.ts';

const EVAL_ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 50);
const TRAIN_ACCOUNTS = Number(process.env.BENCH_TRAIN_ACCOUNTS ?? 135);
const POLICIES = ['equal', 'rules', 'engine'] as const;
/** Day of the backtest's cut: models learn from what was known before it and forecast the days after. */
const CUTOFF_DAY = 60;
const SPEED_AD_SETS = 10_000;
const WORKERS = Math.min(2, availableParallelism());

/** Accounts rotate through every preset, then through the policies that produce their histories. */
function jobs(firstSeed: number, count: number, historyAt: number | null): ModelDataJob[] {
  return Array.from({ length: count }, (_, i) => ({
    preset: PRESET_NAMES[i % PRESET_NAMES.length] ?? 'default',
    policy: POLICIES[Math.floor(i / PRESET_NAMES.length) % POLICIES.length] ?? 'equal',
    seed: firstSeed + i,
    accountIndex: i,
    historyAt,
  }));
}

const seconds = (from: number) => (performance.now() - from) / 1000;
const fixed = (value: number | null | undefined, digits = 3) =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const mark = (ok: boolean) => (ok ? 'pass' : '**FAIL**');

const started = performance.now();
console.log(
  `Simulating ${TRAIN_ACCOUNTS} training and ${EVAL_ACCOUNTS} held-out accounts on ${WORKERS} worker threads...`,
);
let t0 = performance.now();
const training = await generateModelData(jobs(100_000, TRAIN_ACCOUNTS, null), { workers: WORKERS });
const held = await generateModelData(jobs(1, EVAL_ACCOUNTS, CUTOFF_DAY), { workers: WORKERS });
const simulateSeconds = seconds(t0);
const trainData = concatDatasets(training.map((r) => r.dataset));
console.log(`  ${trainData.rows} training rows (ad set-days) in ${simulateSeconds.toFixed(1)} s`);

type Variant = 'cold' | 'own' | 'warm';
type KindResult = {
  cold: TrainedModel;
  coldSeconds: number;
  evaluations: Record<Variant, ModelEvaluation>;
  /** Each account's own base rate before the cut, as a second baseline for the probabilities. */
  accountBaseRate: ModelEvaluation | null;
  ownSeconds: number;
};

/** Per held-out account: its rows from the cut on, and the data set its own history gives. */
const accounts = held.map((result) => {
  const history = result.history;
  if (!history) throw new Error(`account ${result.job.accountIndex} came back without its history`);
  const cut = dayNumber(history.asOf);
  return {
    history,
    after: selectRows(result.dataset, (i) => (result.dataset.day[i] ?? 0) >= cut),
    own: datasetFromHistory(history, { seed: result.job.seed }),
  };
});

function mean(values: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
  }
  return n > 0 ? sum / n : Number.NaN;
}

const results = {} as Record<ModelKind, KindResult>;
for (const kind of MODEL_KINDS) {
  t0 = performance.now();
  const cold = trainModel(kind, trainData).model;
  const coldSeconds = seconds(t0);
  const predictions: Record<Variant, number[]> = { cold: [], own: [], warm: [] };
  const ownRates: number[] = [];
  const scored: ModelDataset[] = [];
  t0 = performance.now();
  for (const account of accounts) {
    const rows = evaluationRows(kind, account.after);
    if (rows.rows === 0) continue;
    scored.push(rows);
    // An account whose history has no labelled row for this kind keeps the cold start.
    const hasOwn = mean(account.own.labels[kind]) >= 0;
    const own = hasOwn ? trainModel(kind, account.own).model : cold;
    const warm = hasOwn ? trainModel(kind, account.own, { init: cold }).model : cold;
    predictions.cold.push(...predictModel(cold, rows));
    predictions.own.push(...predictModel(own, rows));
    predictions.warm.push(...predictModel(warm, rows));
    const rate = hasOwn ? mean(account.own.labels[kind]) : (cold.training.baseRate ?? 0);
    for (let i = 0; i < rows.rows; i++) ownRates.push(rate);
  }
  const ownSeconds = seconds(t0);
  const all = concatDatasets(scored);
  const baseRate = cold.training.baseRate ?? 0;
  const score = (variant: Variant) =>
    scorePredictions(
      kind,
      Float64Array.from(predictions[variant]),
      all,
      variant === 'cold' ? baseRate : Float64Array.from(ownRates),
    );
  results[kind] = {
    cold,
    coldSeconds,
    evaluations: { cold: score('cold'), own: score('own'), warm: score('warm') },
    accountBaseRate:
      kind === 'roas_forecast'
        ? null
        : scorePredictions(kind, Float64Array.from(predictions.cold), all, Float64Array.from(ownRates)),
    ownSeconds,
  };
  console.log(
    `  ${kind}: cold start trained in ${coldSeconds.toFixed(1)} s, 3 x ${accounts.length} backtests in ${ownSeconds.toFixed(1)} s`,
  );
}

// Speed: 10,000 ad sets with their stored history (as on the cut day), features then each model.
const snapshots: AccountSnapshot[] = [];
for (let made = 0, i = 0; made < SPEED_AD_SETS; i++) {
  const { history } = accounts[i % accounts.length] ?? {};
  if (!history) break;
  const adSets = history.adSets.slice(0, SPEED_AD_SETS - made).map((adSet) => {
    const state = adSet.states?.at(-1) ?? null;
    return {
      rows: adSet.rows,
      audienceType: adSet.audienceType,
      stage: adSet.stage,
      status: state?.status ?? null,
      dailyBudgetMinor: state?.dailyBudgetMinor ?? null,
      learningStage: state?.learningStage ?? null,
      hoursSinceBudgetChange: null,
    };
  });
  snapshots.push({ asOf: history.asOf, minorDigits: history.minorDigits, adSets });
  made += adSets.length;
}
const adSetCount = snapshots.reduce((sum, s) => sum + s.adSets.length, 0);
const historyDays = Math.round(
  snapshots.reduce((sum, s) => sum + s.adSets.reduce((n, a) => n + a.rows.length, 0), 0) / adSetCount,
);
t0 = performance.now();
const matrices = snapshots.map(extractFeatures);
const featureSeconds = seconds(t0);
const features = {
  featureSetVersion: matrices[0]?.featureSetVersion ?? 1,
  featureNames: FEATURE_NAMES,
  rows: adSetCount,
  x: new Float64Array(adSetCount * FEATURE_NAMES.length),
};
let offset = 0;
for (const m of matrices) {
  features.x.set(m.x, offset);
  offset += m.x.length;
}
const predictSeconds = {} as Record<ModelKind, number>;
const trainSeconds = {} as Record<ModelKind, number>;
for (const kind of MODEL_KINDS) {
  t0 = performance.now();
  predictModel(results[kind].cold, features);
  predictSeconds[kind] = seconds(t0);
  // Training on 10,000 labelled ad set-days with the cold start's settings and number of trees.
  const labelled = evaluationRows(kind, trainData);
  const step = labelled.rows / Math.min(SPEED_AD_SETS, labelled.rows);
  const sample = selectRows(labelled, (i) => Math.floor(i / step) !== Math.floor((i - 1) / step));
  t0 = performance.now();
  trainModel(kind, sample, {
    validationShare: 0,
    params: { rounds: Math.max(1, results[kind].cold.training.trees), earlyStoppingRounds: null },
  });
  trainSeconds[kind] = seconds(t0);
}

// Verdicts of the criteria.
const roas = results.roas_forecast.evaluations.cold;
const purchase = results.purchase_probability.evaluations.cold;
const roasMae = roas.type === 'roas' ? roas.accuracy.mae : {};
const bestLast7 = Math.min(roasMae.last7Roas ?? Infinity, roasMae.last7RoasReported ?? Infinity);
const roasGain = 1 - (roasMae.model ?? Infinity) / bestLast7;
const roasPass = roasGain >= 0.15;
const brier = purchase.type === 'probability' ? purchase.accuracy.brier : {};
const purchasePass = (brier.model ?? Infinity) < (brier.baseRate ?? -Infinity);
const ownRate = results.purchase_probability.accountBaseRate;
const ownRateBrier =
  ownRate?.type === 'probability' ? (ownRate.accuracy.brier.baseRate ?? Number.NaN) : Number.NaN;

function roasTable(): string {
  const lines = [
    '| Forecast | MAE | MAE, spend-weighted | Spearman | Bias (mean forecast - mean outcome) |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  const label: Record<string, string> = {
    model: 'model',
    last7Roas: 'last-7-day ROAS, lag-corrected (the product 7-day ROAS)',
    last7RoasReported: 'last-7-day ROAS as reported (Ads Manager)',
    accountRoas: 'account mean (30-day ROAS, lag-corrected)',
  };
  for (const variant of ['cold', 'warm', 'own'] as const) {
    const e = results.roas_forecast.evaluations[variant];
    if (e.type !== 'roas') continue;
    const names = variant === 'cold' ? Object.keys(e.accuracy.mae) : ['model'];
    for (const name of names) {
      const title =
        name === 'model'
          ? `**model: ${variant === 'cold' ? 'cold start' : variant === 'warm' ? 'cold start + own history' : 'own history only'}**`
          : label[name];
      lines.push(
        `| ${title} | ${fixed(e.accuracy.mae[name])} | ${fixed(e.accuracy.spendWeightedMae[name])} | ${fixed(e.accuracy.spearman[name])} | ${fixed(e.accuracy.bias[name])} |`,
      );
    }
  }
  return lines.join('\n');
}

function probabilityTable(kind: 'purchase_probability' | 'fatigue_onset'): string {
  const r = results[kind];
  const lines = [
    '| Forecast | Brier | Log-loss | ROC AUC | Spearman |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  const cold = r.evaluations.cold;
  if (cold.type !== 'probability') return '';
  for (const variant of ['cold', 'warm', 'own'] as const) {
    const e = r.evaluations[variant];
    if (e.type !== 'probability') continue;
    const title =
      variant === 'cold'
        ? 'cold start'
        : variant === 'warm'
          ? 'cold start + own history'
          : 'own history only';
    lines.push(
      `| **model: ${title}** | ${fixed(e.accuracy.brier.model, 4)} | ${fixed(e.accuracy.logLoss.model, 4)} | ${fixed(e.accuracy.auc)} | ${fixed(e.accuracy.spearman)} |`,
    );
  }
  lines.push(
    `| base rate of the training accounts (${pct(r.cold.training.baseRate ?? 0)}) | ${fixed(cold.accuracy.brier.baseRate, 4)} | ${fixed(cold.accuracy.logLoss.baseRate, 4)} | 0.500 | n/a |`,
  );
  const own = r.accountBaseRate;
  if (own?.type === 'probability')
    lines.push(
      `| each account's own base rate before the cut | ${fixed(own.accuracy.brier.baseRate, 4)} | ${fixed(own.accuracy.logLoss.baseRate, 4)} | 0.500 | n/a |`,
    );
  const calibration = cold.accuracy.calibration
    .map(
      (b) =>
        `${b.from.toFixed(1)}-${b.to.toFixed(1)}: ${pct(b.meanPredicted)} vs ${pct(b.observedRate)} (${b.rows})`,
    )
    .join('; ');
  return `${lines.join('\n')}\n\n${cold.accuracy.rows} rows, ${pct(cold.accuracy.positiveRate)} positive. Calibration of the cold start (predicted vs observed, rows): ${calibration}.`;
}

function topFeatures(kind: ModelKind): string {
  const importance = Object.entries(featureImportance(results[kind].cold.booster)).sort(
    (a, b) => b[1] - a[1],
  );
  const total = importance.reduce((sum, [, gain]) => sum + gain, 0);
  return importance
    .slice(0, 6)
    .map(([name, gain]) => `${name} ${pct(gain / total)}`)
    .join(', ');
}

const speedRows = MODEL_KINDS.map((kind) => {
  const cold = results[kind].cold;
  return `| ${kind} | ${cold.training.rows.toLocaleString('en-US')} rows, ${cold.training.trees} trees: ${results[kind].coldSeconds.toFixed(1)} s | ${trainSeconds[kind].toFixed(2)} s | ${(predictSeconds[kind] * 1000).toFixed(0)} ms | ${((featureSeconds + predictSeconds[kind]) * 1000).toFixed(0)} ms |`;
});
const total = seconds(started);
const load = loadavg()[0] ?? 0;

const content = [
  `Command: \`npm run bench:models\`. Time-based backtest: ${EVAL_ACCOUNTS} simulated accounts (seeds 1-${EVAL_ACCOUNTS}, held out; every preset in turn, run under the ${POLICIES.join(', ')} policies in turn, 90 days), cut at day ${CUTOFF_DAY}: the models forecast every ad set on every day from the cut on, from what was reported that day. **Cold start**: trained on ${TRAIN_ACCOUNTS} simulated accounts (seeds 100000-${100_000 + TRAIN_ACCOUNTS - 1}, ${trainData.rows.toLocaleString('en-US')} ad set-days). **Own history**: trained per account on its stored rows before the cut only (labels that had matured by then; recent purchases thinned by the lag curve to read as they did). **Cold start + own history**: the cold start boosted further on the account's history. Targets and settings were chosen on seeds 200000-200049. Total wall time ${total.toFixed(1)} s (simulation ${simulateSeconds.toFixed(1)} s on ${WORKERS} worker threads; training and prediction on one thread).`,
  '',
  '| Criterion | Measured | Verdict |',
  '| --- | --- | --- |',
  `| ROAS forecast MAE at least 15% below last-7-day ROAS (the better of lag-corrected and as reported) | ${fixed(roasMae.model)} vs ${fixed(bestLast7)}: ${pct(roasGain)} lower | ${mark(roasPass)} |`,
  `| Purchase probability Brier score below the base rate's | ${fixed(brier.model, 4)} vs ${fixed(brier.baseRate, 4)} (each account's own rate: ${fixed(ownRateBrier, 4)}) | ${mark(purchasePass)} |`,
  '',
  `**Next-7-day ROAS** (attributed revenue / spend over the judged day and the 6 after it, as the account reads it once every purchase is attributed; judged on ad sets that spent in the last 7 days and the next 7). The model fits log(1 + ROAS) weighted by next-7-day spend, so it forecasts a typical week rather than the mean (hence its negative bias): the MAE-minded choice. The headline MAE counts every ad set-week the same; the spend-weighted MAE counts every unit of money the same.`,
  '',
  roasTable(),
  '',
  `${results.roas_forecast.evaluations.cold.holdout.rows} rows. Features that carry the cold start (share of split gain): ${topFeatures('roas_forecast')}.`,
  '',
  `**Purchase in the next ${LABEL_RULES.purchaseHorizonDays} days** (at least one purchase attributed to the judged day or the 2 after it, for ad sets that delivered then).`,
  '',
  probabilityTable('purchase_probability'),
  '',
  `Features: ${topFeatures('purchase_probability')}.`,
  '',
  `**Fatigue onset within ${LABEL_RULES.fatigueHorizonDays} days** (a 3-day CTR down ${pct(LABEL_RULES.fatigueDrop)} or more from the best 3-day CTR of the 8 before, with at least 20 clicks, on one of the next 7 daily runs; judged on ad sets not already down that much).`,
  '',
  probabilityTable('fatigue_onset'),
  '',
  `Features: ${topFeatures('fatigue_onset')}.`,
  '',
  `**Speed** (one thread; machine load average ${load.toFixed(1)} on ${availableParallelism()} cores). Features for ${adSetCount.toLocaleString('en-US')} ad sets with ${historyDays} days of history each took ${(featureSeconds * 1000).toFixed(0)} ms.`,
  '',
  '| Model | Cold-start training (as above, with refit) | Training on 10,000 ad set-days | Prediction for 10,000 ad sets | Features + prediction for 10,000 ad sets |',
  '| --- | --- | ---: | ---: | ---: |',
  ...speedRows,
].join('\n');

console.log(`\n${content}\n`);
if (!process.env.BENCH_ACCOUNTS && !process.env.BENCH_TRAIN_ACCOUNTS)
  await writeBenchmarkSection('models', 'Learning models: backtested accuracy', content);
else console.log('(a partial run: docs/benchmarks.md left as it is)');
