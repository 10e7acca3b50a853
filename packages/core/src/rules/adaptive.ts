import type { EngineRules } from './engine-rules.ts';
import { parseEngineRules, formatRuleIssues } from './parse.ts';
import { AUDIENCE_TYPES, type AudienceType } from './primitives.ts';

/**
 * Adaptive thresholds: from how past recommendations turned out, propose small, bounded changes to
 * the rules. Nothing here changes a rule by itself: a proposal is applied only when a person approves
 * it, and then becomes a settings version like any other edit.
 */

/** Measured outcomes of one group of recommendations (by rule cell, audience, stage), at one horizon. */
export type OutcomeCounts = {
  action: string;
  bucket: string | null;
  trend: string | null;
  audienceType: string;
  stage: string | null;
  hits: number;
  misses: number;
};

export type RulePath = readonly (string | number)[];

export type ThresholdChange = { path: RulePath; from: number; to: number };

export type ProposalEvidence = {
  /** What the counts are of, in words (for example "SCALE in winner x stable"). */
  group: string;
  hits: number;
  misses: number;
  hitRate: number;
  /** 90% Wilson interval of the hit rate. */
  interval: readonly [number, number];
  /** What the interval had to clear for the proposal to be made. */
  trigger: string;
};

export type ThresholdProposal = {
  /** Stable for the same lever and direction, so a repeated proposal can be recognised. */
  key: string;
  title: string;
  changes: ThresholdChange[];
  evidence: ProposalEvidence;
  reason: string;
};

export type AdaptiveOptions = {
  /** Hits + misses a group needs before its hit rate is trusted (default 20). */
  minDecided: number;
};

const Z90 = 1.6448536269514722;

/** The Wilson score interval at 90%: honest for small counts and rates near 0 or 1. */
export function wilsonInterval(hits: number, total: number): [number, number] {
  if (total <= 0) return [0, 1];
  const p = hits / total;
  const z2 = Z90 * Z90;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (Z90 * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / (1 + z2 / total);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

type Tally = { hits: number; misses: number };

function tally(rows: readonly OutcomeCounts[], keep: (row: OutcomeCounts) => boolean): Tally {
  let hits = 0;
  let misses = 0;
  for (const row of rows)
    if (keep(row)) {
      hits += row.hits;
      misses += row.misses;
    }
  return { hits, misses };
}

function evidence(group: string, counts: Tally, trigger: string): ProposalEvidence {
  const total = counts.hits + counts.misses;
  return {
    group,
    hits: counts.hits,
    misses: counts.misses,
    hitRate: total === 0 ? 0 : counts.hits / total,
    interval: wilsonInterval(counts.hits, total),
    trigger,
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const percent = (value: number) => `${(value * 100).toFixed(0)}%`;

// Bounds every proposal stays inside, whatever the outcomes say: adaptation tunes, it never redesigns.
const BOUNDS = {
  scalePercent: { min: 5, step: 5 },
  winnerAtLeast: { min: 1.05, max: 1.5, step: 0.05 },
  pauseMaxProbability: { min: 0.02, max: 0.2, factor: 0.5 },
  minDaysBeforePause: { max: 14, step: 2 },
} as const;

// Hit-rate lines: below `poor` (the interval's top) the rule is too eager; above `strong` (its bottom) it may loosen.
const LINES = {
  scale: { poor: 0.55, strong: 0.85 },
  pause: { poor: 0.7, strong: 0.95 },
  hold: { poor: 0.7 },
  audiencePause: { poor: 0.6 },
} as const;

function scaleCellProposals(rules: EngineRules, rows: readonly OutcomeCounts[], options: AdaptiveOptions) {
  const proposals: ThresholdProposal[] = [];
  for (const trend of ['stable', 'improving'] as const) {
    const cell = rules.matrix.winner[trend];
    if (cell.action !== 'SCALE') continue;
    const counts = tally(rows, (r) => r.action === 'SCALE' && r.bucket === 'winner' && r.trend === trend);
    if (counts.hits + counts.misses < options.minDecided) continue;
    const [low, high] = wilsonInterval(counts.hits, counts.hits + counts.misses);
    const path = ['matrix', 'winner', trend, 'scalePercent'] as const;
    const group = `SCALE in winner x ${trend}`;
    if (high < LINES.scale.poor && cell.scalePercent > BOUNDS.scalePercent.min) {
      const to = Math.max(BOUNDS.scalePercent.min, cell.scalePercent - BOUNDS.scalePercent.step);
      proposals.push({
        key: `${path.join('.')}:down`,
        title: `Scale winner x ${trend} ad sets by ${to}% instead of ${cell.scalePercent}%`,
        changes: [{ path, from: cell.scalePercent, to }],
        evidence: evidence(group, counts, `hit rate's 90% interval below ${percent(LINES.scale.poor)}`),
        reason: `Scaled ad sets in this cell kept ROAS above target only ${percent(counts.hits / (counts.hits + counts.misses))} of the time: smaller steps lose less when a scale does not hold.`,
      });
    }
    const ceiling = Math.min(rules.guardrails.maxScalePerAction.percent, rules.allocation.maxIncreasePercent);
    if (low > LINES.scale.strong && cell.scalePercent < ceiling) {
      const to = Math.min(ceiling, cell.scalePercent + BOUNDS.scalePercent.step);
      proposals.push({
        key: `${path.join('.')}:up`,
        title: `Scale winner x ${trend} ad sets by ${to}% instead of ${cell.scalePercent}%`,
        changes: [{ path, from: cell.scalePercent, to }],
        evidence: evidence(group, counts, `hit rate's 90% interval above ${percent(LINES.scale.strong)}`),
        reason: `Scaled ad sets in this cell nearly always kept ROAS above target: a larger step (still within the guardrails' ${ceiling}%) reaches the budget sooner.`,
      });
    }
  }
  return proposals;
}

function winnerLineProposals(rules: EngineRules, rows: readonly OutcomeCounts[], options: AdaptiveOptions) {
  const proposals: ThresholdProposal[] = [];
  const current = rules.buckets.winnerAtLeast;
  const path = ['buckets', 'winnerAtLeast'] as const;
  const scales = tally(rows, (r) => r.action === 'SCALE');
  const holds = tally(rows, (r) => r.action === 'HOLD');
  const scaleTotal = scales.hits + scales.misses;
  const holdTotal = holds.hits + holds.misses;
  const scaleHigh = wilsonInterval(scales.hits, scaleTotal)[1];
  const holdHigh = wilsonInterval(holds.hits, holdTotal)[1];
  const scalesPoor = scaleTotal >= options.minDecided && scaleHigh < LINES.scale.poor;
  const holdsPoor = holdTotal >= options.minDecided && holdHigh < LINES.hold.poor;
  // Both failing at once pull the line in opposite directions: no proposal, a person should look.
  if (scalesPoor && !holdsPoor && current < BOUNDS.winnerAtLeast.max) {
    const to = round(Math.min(BOUNDS.winnerAtLeast.max, current + BOUNDS.winnerAtLeast.step), 4);
    proposals.push({
      key: `${path.join('.')}:up`,
      title: `Call an ad set a winner from ${to}x the account ROAS instead of ${current}x`,
      changes: [{ path, from: current, to }],
      evidence: evidence('every SCALE', scales, `hit rate's 90% interval below ${percent(LINES.scale.poor)}`),
      reason: 'Too many ad sets called winners fell back below target after scaling: ask more of a winner.',
    });
  }
  const floor = Math.max(BOUNDS.winnerAtLeast.min, rules.buckets.averageAtLeast + BOUNDS.winnerAtLeast.step);
  if (holdsPoor && !scalesPoor && current > floor) {
    const to = round(Math.max(floor, current - BOUNDS.winnerAtLeast.step), 4);
    proposals.push({
      key: `${path.join('.')}:down`,
      title: `Call an ad set a winner from ${to}x the account ROAS instead of ${current}x`,
      changes: [{ path, from: current, to }],
      evidence: evidence('every HOLD', holds, `hit rate's 90% interval below ${percent(LINES.hold.poor)}`),
      reason:
        'Held ad sets too often turned out to be winners that should have been scaled: lower the bar a step.',
    });
  }
  return proposals;
}

function pauseProposals(rules: EngineRules, rows: readonly OutcomeCounts[], options: AdaptiveOptions) {
  const proposals: ThresholdProposal[] = [];
  const current = rules.buckets.breakEven.pauseMaxProbability;
  const path = ['buckets', 'breakEven', 'pauseMaxProbability'] as const;
  const pauses = tally(rows, (r) => r.action === 'PAUSE');
  const total = pauses.hits + pauses.misses;
  if (total < options.minDecided) return proposals;
  const [low, high] = wilsonInterval(pauses.hits, total);
  if (high < LINES.pause.poor && current > BOUNDS.pauseMaxProbability.min) {
    const to = round(
      Math.max(BOUNDS.pauseMaxProbability.min, current * BOUNDS.pauseMaxProbability.factor),
      4,
    );
    proposals.push({
      key: `${path.join('.')}:down`,
      title: `Pause only when P(ROAS above break-even) is at most ${to} instead of ${current}`,
      changes: [{ path, from: current, to }],
      evidence: evidence('every PAUSE', pauses, `hit rate's 90% interval below ${percent(LINES.pause.poor)}`),
      reason: 'Paused ad sets too often were not losers after all: demand stronger evidence before a pause.',
    });
  }
  if (
    total >= 2 * options.minDecided &&
    low > LINES.pause.strong &&
    current < BOUNDS.pauseMaxProbability.max
  ) {
    const to = round(
      Math.min(BOUNDS.pauseMaxProbability.max, current / BOUNDS.pauseMaxProbability.factor),
      4,
    );
    proposals.push({
      key: `${path.join('.')}:up`,
      title: `Pause when P(ROAS above break-even) is at most ${to} instead of ${current}`,
      changes: [{ path, from: current, to }],
      evidence: evidence(
        'every PAUSE',
        pauses,
        `hit rate's 90% interval above ${percent(LINES.pause.strong)}`,
      ),
      reason: 'Pauses were almost always right: losers can be stopped a little sooner, saving their spend.',
    });
  }
  return proposals;
}

function audienceProposals(rules: EngineRules, rows: readonly OutcomeCounts[], options: AdaptiveOptions) {
  const proposals: ThresholdProposal[] = [];
  for (const audience of AUDIENCE_TYPES as readonly AudienceType[]) {
    const pauses = tally(rows, (r) => r.action === 'PAUSE' && r.audienceType === audience);
    const total = pauses.hits + pauses.misses;
    if (total < options.minDecided) continue;
    const high = wilsonInterval(pauses.hits, total)[1];
    const current = rules.audiences[audience].minDaysBeforePause;
    if (high >= LINES.audiencePause.poor || current >= BOUNDS.minDaysBeforePause.max) continue;
    const to = Math.min(BOUNDS.minDaysBeforePause.max, current + BOUNDS.minDaysBeforePause.step);
    const path = ['audiences', audience, 'minDaysBeforePause'] as const;
    proposals.push({
      key: `${path.join('.')}:up`,
      title: `Wait ${to} days before pausing a ${audience} ad set instead of ${current}`,
      changes: [{ path, from: current, to }],
      evidence: evidence(
        `PAUSE of ${audience} ad sets`,
        pauses,
        `hit rate's 90% interval below ${percent(LINES.audiencePause.poor)}`,
      ),
      reason: `${audience} ad sets were paused too early too often: give them longer to settle.`,
    });
  }
  return proposals;
}

/**
 * Bounded threshold changes the outcomes argue for, each with its evidence. Counts should be of one
 * horizon (the 7-day one: the 3-day verdicts are noisier). Deterministic for the same input.
 */
export function proposeThresholdChanges(
  rules: EngineRules,
  outcomes: readonly OutcomeCounts[],
  options: Partial<AdaptiveOptions> = {},
): ThresholdProposal[] {
  const resolved: AdaptiveOptions = { minDecided: options.minDecided ?? 20 };
  if (!Number.isInteger(resolved.minDecided) || resolved.minDecided < 1)
    throw new RangeError(`minDecided must be a positive integer (got ${resolved.minDecided})`);
  return [
    ...scaleCellProposals(rules, outcomes, resolved),
    ...winnerLineProposals(rules, outcomes, resolved),
    ...pauseProposals(rules, outcomes, resolved),
    ...audienceProposals(rules, outcomes, resolved),
  ];
}

function readPath(root: unknown, path: RulePath): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

export class StaleProposalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaleProposalError';
  }
}

/**
 * The rules with a proposal's changes made. Refused when the rules moved since the proposal
 * (a value is no longer what the proposal started from) or when the result does not validate.
 */
export function applyThresholdChanges(rules: EngineRules, changes: readonly ThresholdChange[]): EngineRules {
  // Rules are plain JSON data, so a JSON round trip is a deep copy (core has no structuredClone).
  const next = JSON.parse(JSON.stringify(rules)) as Record<string, unknown>;
  for (const change of changes) {
    const current = readPath(next, change.path);
    if (current !== change.from)
      throw new StaleProposalError(
        `${change.path.join('.')} is ${JSON.stringify(current)} now, not ${change.from} as when this was proposed`,
      );
    const parent = readPath(next, change.path.slice(0, -1));
    const last = change.path.at(-1);
    if (typeof parent !== 'object' || parent === null || last === undefined)
      throw new StaleProposalError(`${change.path.join('.')} does not exist in these rules`);
    (parent as Record<string | number, unknown>)[last] = change.to;
  }
  const parsed = parseEngineRules(next);
  if (!parsed.ok)
    throw new StaleProposalError(`the changed rules do not validate:\n${formatRuleIssues(parsed.issues)}`);
  return parsed.rules;
}
