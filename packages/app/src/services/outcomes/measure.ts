import {
  addDays,
  DEFAULT_RULES,
  formatMicros,
  isIsoDate,
  microsToNumber,
  parseEngineRules,
  resolveTargets,
  type CompletenessCurve,
  type EngineRules,
  type IsoDate,
} from '@roas/core';
import type { Db } from '../../adapters/db/database.ts';
import type { AccountRow } from '../../adapters/db/repositories/accounts.repository.ts';
import { listAccounts } from '../../adapters/db/repositories/accounts.repository.ts';
import {
  adDayRows,
  adsetDayRows,
  appliedActions,
  completeThrough,
  outcomeCandidates,
  storedOutcomes,
  upsertOutcomes,
  type AppliedAction,
  type EntityDayRow,
  type OutcomeCandidate,
  type OutcomeUpsert,
} from '../../adapters/db/repositories/outcomes.repository.ts';
import { findSettingsVersion } from '../../adapters/db/repositories/settings.repository.ts';
import { todayIn } from '../../shared/dates.ts';
import { accountLagCurve } from '../lag-curve.service.ts';
import { resolveOutcomeAccount } from './account.ts';
import { scoreOutcome, type AccountPrior, type DecisionTargets, type Score } from './scoring.ts';
import type { OutcomeTruth } from './truth.ts';
import {
  baselineWindow,
  dailyDispersion,
  horizonWindow,
  sumWindow,
  windowEvidence,
  type DayReading,
  type WindowEvidence,
  type WindowSums,
} from './window-evidence.ts';

/** Days after the decision at which each recommendation is scored. */
export const OUTCOME_HORIZONS = [3, 7] as const;
/**
 * A window is measured once this share of its eventual purchases is in by the account's lag curve
 * (about 3-4 days after it ends on the default curve); the lag-adjusted spend keeps the still-missing
 * share from reading as a decline, and later runs revise the outcome until every day is final.
 */
export const MIN_WINDOW_COMPLETENESS = 0.85;
/** Recommendations older than this are not looked at again (their outcomes are long final). */
export const MAX_RECOMMENDATION_AGE_DAYS = 120;
/** The account's AOV and purchase rate (the targets and the prior) come from the days before the decision. */
const CONTEXT_DAYS = 30;
const DAY_MS = 86_400_000;

export type MeasureOptions = {
  now: Date;
  /** An account id (with or without `act_`) or exact name; every account when absent. */
  accountId?: string | undefined;
  /** Ground truth for entities whose own later data are too thin (the simulator's latent ROAS). */
  truth?: OutcomeTruth | undefined;
  horizons?: readonly number[];
};

export type MeasureSummary = {
  accounts: number;
  /** (recommendation, horizon) pairs without a final outcome that were looked at. */
  considered: number;
  /** New outcomes stored. */
  stored: number;
  /** Stored outcomes whose numbers or verdict changed (late conversions) and were rewritten. */
  revised: number;
  unchanged: number;
  /** The horizon has not passed, or its days are not synced or mature enough yet. */
  pending: number;
  /** Cannot be measured (campaign-level recommendations, settings that no longer validate). */
  skipped: number;
  /** Verdicts of the outcomes stored or revised by this run. */
  verdicts: { hit: number; miss: number; inconclusive: number };
  notes: string[];
};

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;
const ratio = (a: bigint, b: bigint) => (b > 0n ? round(microsToNumber(a) / microsToNumber(b)) : null);

function decisionDay(candidate: OutcomeCandidate, timeZone: string): IsoDate {
  const asOf = candidate.inputs.asOf;
  return typeof asOf === 'string' && isIsoDate(asOf) ? asOf : todayIn(timeZone, candidate.generatedAt);
}

function toReadings(rows: readonly EntityDayRow[]): Map<string, DayReading[]> {
  const byEntity = new Map<string, DayReading[]>();
  for (const row of rows) {
    const list = byEntity.get(row.entityId) ?? [];
    list.push({
      date: row.date,
      spendMicros: row.spendMicros,
      revenueMicros: row.revenueMicros,
      purchases: row.purchases,
      ageAtRead: row.age,
    });
    byEntity.set(row.entityId, list);
  }
  return byEntity;
}

function sumsView(sums: WindowSums) {
  return {
    window: sums.window,
    days: sums.days,
    spend: formatMicros(sums.spendMicros),
    revenue: formatMicros(sums.revenueMicros),
    purchases: sums.purchases,
    roas: ratio(sums.revenueMicros, sums.spendMicros),
    dailySpend: round(microsToNumber(sums.spendMicros) / sums.days, 6),
    activeDays: sums.activeDays,
  };
}

function observedView(
  evidence: WindowEvidence,
  baseline: WindowSums,
  score: Score,
  extra: {
    applied: AppliedAction | undefined;
    truth: { source: string; roas: number } | null;
    isFinal: boolean;
  },
): Record<string, unknown> {
  const view = sumsView(evidence);
  const baselineDaily = microsToNumber(baseline.spendMicros) / baseline.days;
  const baselineRoas = ratio(baseline.revenueMicros, baseline.spendMicros);
  return {
    ...view,
    exposure: round(evidence.exposure, 6),
    completeness: round(evidence.completeness),
    final: extra.isFinal,
    spendChange: baselineDaily > 0 ? round(view.dailySpend / baselineDaily - 1) : null,
    roasChange: view.roas !== null && baselineRoas ? round(view.roas / baselineRoas - 1) : null,
    applied: extra.applied
      ? {
          at: extra.applied.appliedAt.toISOString(),
          undoneAt: extra.applied.undoneAt?.toISOString() ?? null,
        }
      : null,
    basis: score.basis,
    truth: extra.truth ? { source: extra.truth.source, roas: round(extra.truth.roas) } : null,
    claim: score.claim,
    line: score.line === null ? null : round(score.line),
    posterior: score.posterior && {
      mean: round(score.posterior.mean),
      lo: round(score.posterior.lo),
      hi: round(score.posterior.hi),
    },
    probabilityAboveLine: score.probabilityAboveLine === null ? null : round(score.probabilityAboveLine),
    reason: score.reason,
  };
}

type AccountContextAt = { targets: DecisionTargets; prior: AccountPrior | null };

/** Targets and prior as of a decision day, from every ad set's rows in the 30 days before it. */
function accountContextAt(
  byEntity: ReadonlyMap<string, readonly DayReading[]>,
  asOf: IsoDate,
  rules: EngineRules,
): AccountContextAt {
  const before = baselineWindow(asOf, CONTEXT_DAYS);
  const sums = sumWindow([...byEntity.values()].flat(), before);
  const spend = microsToNumber(sums.spendMicros);
  const revenue = microsToNumber(sums.revenueMicros);
  const aov = sums.purchases > 0 ? revenue / sums.purchases : null;
  const resolved = resolveTargets(rules.targets, { aov });
  return {
    targets: resolved,
    prior:
      aov !== null && spend > 0 && aov > 0
        ? {
            purchasesPerUnitSpend: sums.purchases / spend,
            aov,
            dispersion: dailyDispersion(byEntity.values(), before),
          }
        : null,
  };
}

type Counts = Omit<MeasureSummary, 'accounts' | 'notes'>;

function emptyCounts(): Counts {
  return {
    considered: 0,
    stored: 0,
    revised: 0,
    unchanged: 0,
    pending: 0,
    skipped: 0,
    verdicts: { hit: 0, miss: 0, inconclusive: 0 },
  };
}

async function measureAccount(
  db: Db,
  account: AccountRow,
  options: MeasureOptions & {
    horizons: readonly number[];
    rulesFor: (id: number) => Promise<EngineRules | null>;
  },
  notes: Set<string>,
): Promise<Counts> {
  const counts = emptyCounts();
  const { now, horizons, truth } = options;
  const today = todayIn(account.timezone, now);
  const candidates = await outcomeCandidates(
    db,
    account.id,
    { since: new Date(now.getTime() - MAX_RECOMMENDATION_AGE_DAYS * DAY_MS), until: now },
    horizons,
  );
  if (candidates.length === 0) return counts;

  const existing = new Map(
    (
      await storedOutcomes(
        db,
        candidates.map((c) => c.id),
      )
    ).map((o) => [`${o.recommendationId}:${o.horizonDays}`, o]),
  );
  const days = candidates.map((c) => decisionDay(c, account.timezone));
  const longest = Math.max(...horizons);
  const from = addDays(
    days.reduce((a, b) => (a < b ? a : b)),
    -CONTEXT_DAYS,
  );
  const lastNeeded = addDays(
    days.reduce((a, b) => (a > b ? a : b)),
    longest - 1,
  );
  const to = lastNeeded < today ? lastNeeded : today;
  const curve: CompletenessCurve = (await accountLagCurve(db, account.id, today)).curve;
  const through = await completeThrough(db, account.id, from);
  const adsetRows = await adsetDayRows(db, account.id, { from, to });
  const adIds = [...new Set(candidates.filter((c) => c.level === 'ad').map((c) => c.entityId))];
  const readings = {
    adset: toReadings(adsetRows),
    ad: toReadings(await adDayRows(db, adIds, { from, to })),
  };
  const applied = await appliedActions(
    db,
    candidates.map((c) => c.id),
  );
  const contexts = new Map<string, AccountContextAt>();

  const upserts: OutcomeUpsert[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const asOf = days[index] ?? today;
    for (const horizonDays of horizons) {
      const stored = existing.get(`${candidate.id}:${horizonDays}`);
      if (stored?.observed.final === true) continue;
      counts.considered += 1;
      if (candidate.level === 'campaign') {
        counts.skipped += 1;
        notes.add('campaign-level recommendations are not scored (their ad sets are)');
        continue;
      }
      const window = horizonWindow(asOf, horizonDays);
      if (window.to >= today || through === null || through < window.to) {
        counts.pending += 1;
        continue;
      }
      const entityRows = readings[candidate.level].get(candidate.entityId) ?? [];
      const evidence = windowEvidence(entityRows, window, curve);
      if (evidence.spendMicros > 0n && evidence.completeness < MIN_WINDOW_COMPLETENESS) {
        counts.pending += 1;
        continue;
      }
      const rules = await options.rulesFor(candidate.settingsVersion);
      if (rules === null) {
        counts.skipped += 1;
        notes.add(
          `settings version ${candidate.settingsVersion} no longer validates: its recommendations are not scored`,
        );
        continue;
      }
      // A verdict taken from the truth stands until a run that knows the truth again says otherwise.
      if (truth === undefined && stored?.observed.basis === 'truth') {
        counts.unchanged += 1;
        continue;
      }
      const contextKey = `${asOf}:${candidate.settingsVersion}`;
      const context = contexts.get(contextKey) ?? accountContextAt(readings.adset, asOf, rules);
      contexts.set(contextKey, context);

      const input = {
        action: candidate.action,
        scalePercent: candidate.scalePercent,
        targets: context.targets,
        evidence: {
          purchases: evidence.purchases,
          exposure: evidence.exposure,
          revenue: microsToNumber(evidence.revenueMicros),
        },
        prior: context.prior,
        truthRoas: null,
      };
      let score = scoreOutcome(input);
      let truthSeen: { source: string; roas: number } | null = null;
      if (score.basis === 'none' && truth !== undefined) {
        const roas = await truth.roas(
          { accountId: account.id, level: candidate.level, entityId: candidate.entityId },
          window,
        );
        if (roas !== null && Number.isFinite(roas)) {
          truthSeen = { source: truth.source, roas };
          score = scoreOutcome({ ...input, truthRoas: roas });
        }
      }

      const baselineSums = sumWindow(entityRows, baselineWindow(asOf));
      const budget = candidate.inputs.budget as { dailyBudgetMinor?: unknown } | null | undefined;
      upserts.push({
        recommendationId: candidate.id,
        horizonDays,
        baseline: {
          asOf,
          ...sumsView(baselineSums),
          dailyBudgetMinor: typeof budget?.dailyBudgetMinor === 'string' ? budget.dailyBudgetMinor : null,
          decisionRoas: candidate.inputs.roas ?? null,
          targets: {
            breakEvenRoas: context.targets.breakEvenRoas,
            targetRoas: context.targets.targetRoas,
            targetCpa: context.targets.targetCpa === null ? null : round(context.targets.targetCpa, 6),
          },
          settingsVersion: candidate.settingsVersion,
          dispersion: context.prior === null ? null : round(context.prior.dispersion),
        },
        observed: observedView(evidence, baselineSums, score, {
          applied: applied.get(candidate.id),
          truth: truthSeen,
          // Too thin to judge and no truth asked: a later run that knows the truth may still judge it.
          isFinal: evidence.isFinal && (score.basis !== 'none' || truth !== undefined),
        }),
        verdict: score.verdict,
      });
    }
  }
  const written = await upsertOutcomes(db, upserts, now);
  for (const row of written) {
    if (row.inserted) counts.stored += 1;
    else counts.revised += 1;
    counts.verdicts[row.verdict] += 1;
  }
  counts.unchanged += upserts.length - written.length;
  return counts;
}

/**
 * Measures what happened 3 and 7 days after every recommendation, applied or not: the entity's
 * spend, revenue, purchases and ROAS over the horizon window (the decision day and the days after it)
 * against the week before, scored by `scoreOutcome`. A window is measured once its days are synced
 * and mostly mature on the account's lag curve; an outcome is revised on later runs while late
 * conversions still move its numbers, and left alone once final. Running it twice on the same data
 * changes nothing.
 */
export async function measureOutcomes(db: Db, options: MeasureOptions): Promise<MeasureSummary> {
  const horizons = options.horizons ?? OUTCOME_HORIZONS;
  for (const h of horizons) {
    if (!Number.isInteger(h) || h < 1 || h > 28)
      throw new RangeError(`horizons: ${h} is not a whole number of days from 1 to 28`);
  }
  const accounts =
    options.accountId === undefined
      ? await listAccounts(db)
      : [await resolveOutcomeAccount(db, options.accountId)];
  const rules = new Map<number, EngineRules | null>();
  const rulesFor = async (id: number): Promise<EngineRules | null> => {
    if (id === 0) return DEFAULT_RULES;
    if (!rules.has(id)) {
      const row = await findSettingsVersion(db, id);
      const parsed = row ? parseEngineRules(row.data) : null;
      rules.set(id, parsed?.ok ? parsed.rules : null);
    }
    return rules.get(id) ?? null;
  };
  const notes = new Set<string>();
  const total: MeasureSummary = { accounts: accounts.length, ...emptyCounts(), notes: [] };
  for (const account of accounts) {
    const counts = await measureAccount(db, account, { ...options, horizons, rulesFor }, notes);
    total.considered += counts.considered;
    total.stored += counts.stored;
    total.revised += counts.revised;
    total.unchanged += counts.unchanged;
    total.pending += counts.pending;
    total.skipped += counts.skipped;
    for (const verdict of ['hit', 'miss', 'inconclusive'] as const)
      total.verdicts[verdict] += counts.verdicts[verdict];
  }
  total.notes = [...notes];
  return total;
}
