import { toFixed } from '../metrics/fixed.ts';
import { dayNumber, type IsoDate } from '../metrics/window.ts';
import { MICROS_PER_UNIT } from '../money/money.ts';
import type { EngineRules } from '../rules/engine-rules.ts';
import type { ComparisonOp, Stage } from '../rules/primitives.ts';
import type {
  AdvanceRule,
  Condition,
  ConditionMetric,
  KillRule,
  ScaleRule,
  TestingTier,
} from '../rules/stage-rules.ts';
import { resolveCpmThreshold, resolveMoneyThreshold, resolveRoasThreshold } from '../rules/thresholds.ts';
import { completenessAt, type CompletenessCurve } from '../stats/lag.ts';
import type { Reason } from './classify.ts';
import { ageOn, type DailyRow } from './features.ts';

/** One entity in one stage of the Testing -> Validation -> Scaling pipeline, as read on `asOf`. */
export type StageInput = {
  stage: Stage;
  /**
   * The entity's daily rows since it entered the stage (a promotion copies the ad, so a copy's rows
   * start in its new stage); rows on or after `asOf` are still running and ignored.
   */
  rows: readonly DailyRow[];
  asOf: IsoDate;
  curve: CompletenessCurve;
  /**
   * Completeness below which a day with spend and no purchase yet is pending, not a bad day
   * (pass `rules.trend.immature.completenessBelow`).
   */
  immatureBelow: number;
  /** Hours since the entity entered the stage; null when unknown (then a minimum wait blocks advancing). */
  hoursInStage: number | null;
};

/** The account figures relative thresholds resolve against (money in account currency, major units). */
export type StageBasis = {
  targetCpa: number;
  breakEvenRoas: number;
  targetRoas: number;
  /** The account's CPM; null when unknown, which leaves `accountCpm` thresholds unevaluated. */
  accountCpm: number | null;
  /** The account's ROAS; null when unknown, which leaves `normalizedRoas` conditions unevaluated. */
  accountRoas: number | null;
};

/** The testing tier an entity has earned and the spend (account currency) it may reach without a purchase. */
export type EarnedTier = { id: string; spendAllowance: number };

/** What the stage rules conclude; a budget change comes only with the scale outcomes. */
export type StageOutcome =
  | { outcome: 'kill' | 'advance'; ruleId: string; changePercent: null }
  | { outcome: 'scaleUp' | 'scaleDown'; ruleId: string; changePercent: number }
  | { outcome: 'none'; ruleId: null; changePercent: null };

/**
 * The outcome, the earned testing tier (null outside testing) and a reason for every rule evaluated,
 * fired or not. A reason's `passed` means its condition held (a kill fired, an advance qualified).
 */
export type StageVerdict = StageOutcome & { tier: EarnedTier | null; reasons: Reason[] };

/** One complete day, money in major units; `completeness` is the share of its purchases reported yet. */
type Day = {
  date: IsoDate;
  /** Days before the last complete day (0 = the last complete day). */
  back: number;
  spend: number;
  revenue: number;
  purchases: number;
  impressions: number;
  reach: number;
  linkClicks: number;
  addsToCart: number;
  completeness: number;
};

/** Sums over days; `exposure` is spend discounted by completeness (lag correction, as in features.ts). */
type Sums = Omit<Day, 'date' | 'back' | 'completeness'> & { exposure: number; clickExposure: number };

type Evaluated = { ruleId: string; fired: boolean; reasons: Reason[] };

const toMajor = (micros: bigint) => Number(micros) / Number(MICROS_PER_UNIT);
const money = (value: number) => toFixed(value, 2);
const pct = (value: number) => `${toFixed(value * 100, 2)}%`;
const finite = (value: number | null) => (value !== null && Number.isFinite(value) ? value : null);

const COMPARE: Record<ComparisonOp, (a: number, b: number) => boolean> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
};
const OP_WORDS: Record<ComparisonOp, string> = { gt: 'above', gte: 'at least', lt: 'below', lte: 'at most' };

// Reported purchases and revenue lag; counts, clicks, impressions and spend do not.
const LAG_AFFECTED = new Set<ConditionMetric>(['roas', 'normalizedRoas', 'cpa', 'cvr', 'purchases']);

function completeDays(rows: readonly DailyRow[], asOf: IsoDate, curve: CompletenessCurve): Day[] {
  const last = dayNumber(asOf) - 1;
  const days: Day[] = [];
  let previous = Infinity;
  for (const { date, totals } of rows) {
    const back = last - dayNumber(date);
    // Rows out of order, sharing a date or unreadable: summed by date and sorted instead.
    if (!(back < previous)) return summedDays(rows, asOf, curve);
    previous = back;
    if (back >= 0) days.push(addDay(newDay(date, back, curve), totals));
  }
  return days;
}

function summedDays(rows: readonly DailyRow[], asOf: IsoDate, curve: CompletenessCurve): Day[] {
  const byDate = new Map<IsoDate, Day>();
  for (const { date, totals } of rows) {
    if (date >= asOf) continue;
    byDate.set(date, addDay(byDate.get(date) ?? newDay(date, ageOn(date, asOf), curve), totals));
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

function newDay(date: IsoDate, back: number, curve: CompletenessCurve): Day {
  // A day's age on asOf is its distance back from the last complete day.
  const completeness = completenessAt(curve, back);
  return {
    date,
    back,
    spend: 0,
    revenue: 0,
    purchases: 0,
    impressions: 0,
    reach: 0,
    linkClicks: 0,
    addsToCart: 0,
    completeness,
  };
}

function addDay(day: Day, totals: DailyRow['totals']): Day {
  day.spend += toMajor(totals.spend);
  day.revenue += toMajor(totals.revenue);
  day.purchases += totals.purchases;
  day.impressions += totals.impressions;
  day.reach += totals.reach;
  day.linkClicks += totals.linkClicks;
  day.addsToCart += totals.addsToCart;
  return day;
}

function sum(days: readonly Day[]): Sums {
  const s: Sums = {
    spend: 0,
    revenue: 0,
    purchases: 0,
    impressions: 0,
    reach: 0,
    linkClicks: 0,
    addsToCart: 0,
    exposure: 0,
    clickExposure: 0,
  };
  for (const d of days) {
    s.spend += d.spend;
    s.revenue += d.revenue;
    s.purchases += d.purchases;
    s.impressions += d.impressions;
    s.reach += d.reach;
    s.linkClicks += d.linkClicks;
    s.addsToCart += d.addsToCart;
    s.exposure += d.spend * d.completeness;
    s.clickExposure += d.linkClicks * d.completeness;
  }
  return s;
}

/**
 * A metric over some days, lag-corrected by discounting exposure rather than inflating purchases.
 * Spend with no purchase is an infinite CPA: it is the limit of spend / purchases and exactly the
 * case a CPA rule exists for, where any finite stand-in would be an invented number.
 */
function read(metric: ConditionMetric, s: Sums, accountRoas: number | null): number | null {
  switch (metric) {
    case 'roas':
      return s.exposure > 0 ? s.revenue / s.exposure : null;
    case 'normalizedRoas':
      return s.exposure > 0 && accountRoas !== null && accountRoas > 0
        ? s.revenue / s.exposure / accountRoas
        : null;
    case 'cpa':
      return s.spend > 0 ? (s.purchases > 0 ? s.exposure / s.purchases : Infinity) : null;
    case 'spend':
      return s.spend;
    case 'cpm':
      return s.impressions > 0 ? (s.spend * 1000) / s.impressions : null;
    case 'ctr':
      return s.impressions > 0 ? s.linkClicks / s.impressions : null;
    case 'cvr':
      return s.clickExposure > 0 ? s.purchases / s.clickExposure : null;
    case 'frequency':
      // Daily reach summed over several days overcounts people: a lower bound, as in reports.
      return s.reach > 0 ? s.impressions / s.reach : null;
    case 'purchases':
      return s.purchases;
    case 'addsToCart':
      return s.addsToCart;
  }
}

function show(metric: ConditionMetric, value: number | null): string {
  if (value === null) return 'unknown';
  if (value === Infinity) return 'unbounded (no purchase)';
  switch (metric) {
    case 'cpa':
    case 'spend':
    case 'cpm':
      return money(value);
    case 'ctr':
    case 'cvr':
      return pct(value);
    case 'roas':
    case 'normalizedRoas':
    case 'frequency':
      return toFixed(value, 2);
    case 'purchases':
    case 'addsToCart':
      return String(value);
  }
}

/** A condition's threshold in the metric's own units; null when the account figure it needs is unknown. */
function threshold(condition: Condition, basis: StageBasis): number | null {
  switch (condition.metric) {
    case 'roas':
      return resolveRoasThreshold(condition.value, basis);
    case 'cpa':
    case 'spend':
      return resolveMoneyThreshold(condition.value, basis.targetCpa);
    case 'cpm':
      return resolveCpmThreshold(condition.value, basis.accountCpm);
    case 'normalizedRoas':
      return basis.accountRoas === null ? null : condition.value;
    case 'ctr':
    case 'cvr':
    case 'frequency':
    case 'purchases':
    case 'addsToCart':
      return condition.value;
  }
}

/** Read on `asOf`: the complete days, oldest first, and the aggregates rules share. */
class StageData {
  readonly days: readonly Day[];
  readonly lifetime: Sums;
  // Several rules read the same window: each is summed once.
  private readonly windows = new Map<number, Sums>();
  private readonly immatureBelow: number;

  constructor(
    input: StageInput,
    readonly basis: StageBasis,
  ) {
    this.days = completeDays(input.rows, input.asOf, input.curve);
    this.lifetime = sum(this.days);
    this.immatureBelow = input.immatureBelow;
  }

  /** The calendar window of `span` days ending on the last complete day. */
  window(span: number | 'lifetime'): Sums {
    if (span === 'lifetime') return this.lifetime;
    const known = this.windows.get(span);
    if (known !== undefined) return known;
    const sums = sum(this.days.filter((d) => d.back <= span - 1));
    this.windows.set(span, sums);
    return sums;
  }

  /**
   * The latest run of up to `count` delivery days, newest first. A day without spend ends the run;
   * for lag-affected metrics a young day with no purchase yet is skipped, neither good nor bad,
   * because lag correction cannot scale a zero and a fresh zero is what late attribution looks like.
   */
  run(count: number, skipPending: boolean): Day[] {
    const picked: Day[] = [];
    // Days are oldest first, one per date: walking back from the last, a gap is a day without delivery.
    for (let back = 0, i = this.days.length - 1; i >= 0 && picked.length < count; back++, i--) {
      const day = this.days[i] as Day;
      if (day.back !== back || day.spend <= 0) break;
      const isPending = day.completeness < this.immatureBelow && day.purchases === 0;
      if (skipPending && isPending) continue;
      picked.push(day);
    }
    return picked;
  }
}

function evaluateCondition(ruleId: string, c: Condition, data: StageData): Reason {
  const limit = threshold(c, data.basis);
  const span = c.days === 'lifetime' ? 'lifetime' : `${c.days}d`;
  const head = `${c.metric} ${OP_WORDS[c.op]} ${show(c.metric, limit)}`;
  if (!c.eachDay) {
    const observed = read(c.metric, data.window(c.days), data.basis.accountRoas);
    const passed = limit !== null && observed !== null && COMPARE[c.op](observed, limit);
    const text =
      limit === null
        ? `${c.metric} threshold needs an account figure that is unknown: not evaluated`
        : `${head} over ${span}: ${show(c.metric, observed)}`;
    return { ruleId, metric: c.metric, observed: finite(observed), threshold: limit, passed, text };
  }
  const wanted = c.days === 'lifetime' ? Number.MAX_SAFE_INTEGER : c.days;
  const values = data
    .run(wanted, LAG_AFFECTED.has(c.metric))
    .map((d) => read(c.metric, sum([d]), data.basis.accountRoas));
  const isFull = c.days === 'lifetime' ? values.length > 0 : values.length === c.days;
  const known = values.filter((v): v is number => v !== null);
  // The day nearest to failing decides whether every day passes.
  const decisive =
    known.length === 0 ? null : c.op === 'gt' || c.op === 'gte' ? Math.min(...known) : Math.max(...known);
  const passed =
    limit !== null &&
    isFull &&
    known.length === values.length &&
    decisive !== null &&
    COMPARE[c.op](decisive, limit);
  const text =
    limit === null
      ? `${c.metric} threshold needs an account figure that is unknown: not evaluated`
      : `${head} on each of ${span === 'lifetime' ? 'the latest run of' : `the last ${c.days}`} delivery day(s): ${values.length} judged, the nearest ${show(c.metric, decisive)}`;
  return { ruleId, metric: c.metric, observed: finite(decisive), threshold: limit, passed, text };
}

function allOf(ruleId: string, conditions: readonly Condition[], data: StageData): Evaluated {
  const reasons = conditions.map((c) => evaluateCondition(ruleId, c, data));
  return { ruleId, fired: reasons.every((r) => r.passed), reasons };
}

function one(ruleId: string, fired: boolean, reason: Omit<Reason, 'ruleId' | 'passed'>): Evaluated {
  return { ruleId, fired, reasons: [{ ruleId, passed: fired, ...reason }] };
}

/** The first tier whose signal the stage's lifetime shows; tiers are ordered strongest first. */
function earnTier(
  tiers: readonly TestingTier[],
  data: StageData,
): { tier: EarnedTier | null; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const ctr = read('ctr', data.lifetime, null);
  for (const tier of tiers) {
    const { signal } = tier;
    const allowance = resolveMoneyThreshold(tier.spendAllowance, data.basis.targetCpa);
    const met =
      signal.kind === 'none' ||
      (signal.kind === 'addsToCart' && data.lifetime.addsToCart >= signal.atLeast) ||
      (signal.kind === 'ctr' && ctr !== null && ctr > signal.above);
    reasons.push({
      ruleId: tier.id,
      metric: signal.kind,
      observed: signal.kind === 'addsToCart' ? data.lifetime.addsToCart : signal.kind === 'ctr' ? ctr : null,
      threshold: signal.kind === 'addsToCart' ? signal.atLeast : signal.kind === 'ctr' ? signal.above : null,
      passed: met,
      text:
        signal.kind === 'none'
          ? `no stronger signal: the catch-all tier allows ${money(allowance)} without a purchase`
          : signal.kind === 'addsToCart'
            ? `${data.lifetime.addsToCart} add-to-cart(s) of the ${signal.atLeast} that allow ${money(allowance)}`
            : `CTR ${show('ctr', ctr)}; above ${pct(signal.above)} allows ${money(allowance)}`,
    });
    if (met) return { tier: { id: tier.id, spendAllowance: allowance }, reasons };
  }
  return { tier: null, reasons };
}

/** One kill rule over the stage's complete days. */
function evaluateKill(rule: KillRule, data: StageData, tier: EarnedTier | null): Evaluated {
  const { basis, lifetime: l } = data;
  const id = rule.id;
  // Kills on "no purchase" read raw spend: the allowances were set knowing purchases arrive late.
  const noPurchase = l.purchases === 0;
  switch (rule.kind) {
    case 'spendNoPurchase': {
      const limit = resolveMoneyThreshold(rule.spend, basis.targetCpa);
      return one(id, noPurchase && l.spend >= limit, {
        metric: 'spend with no purchase',
        observed: l.spend,
        threshold: limit,
        text: noPurchase
          ? `spent ${money(l.spend)} with no purchase; ${money(limit)} kills`
          : `${l.purchases} purchase(s): does not apply`,
      });
    }
    case 'ctrBelow': {
      const after = resolveMoneyThreshold(rule.afterSpend, basis.targetCpa);
      const ctr = read('ctr', l, null);
      return one(id, l.spend >= after && ctr !== null && ctr < rule.ctr, {
        metric: 'ctr',
        observed: ctr,
        threshold: rule.ctr,
        text: `CTR ${show('ctr', ctr)} against a floor of ${pct(rule.ctr)}, judged after ${money(after)} spent (${money(l.spend)} so far)`,
      });
    }
    case 'cpmAbove': {
      const after = resolveMoneyThreshold(rule.afterSpend, basis.targetCpa);
      const limit = resolveCpmThreshold(rule.cpm, basis.accountCpm);
      const cpm = read('cpm', l, null);
      return one(id, limit !== null && l.spend >= after && cpm !== null && cpm > limit, {
        metric: 'cpm',
        observed: cpm,
        threshold: limit,
        text:
          limit === null
            ? `the account CPM is unknown, so a ceiling of ${rule.cpm.value}x it cannot be judged: not evaluated`
            : `CPM ${show('cpm', cpm)} against a ceiling of ${money(limit)}, judged after ${money(after)} spent (${money(l.spend)} so far)`,
      });
    }
    case 'addToCartNoPurchase': {
      const firstCart = data.days.find((d) => d.addsToCart > 0);
      const since = firstCart === undefined ? null : firstCart.back;
      const fired =
        noPurchase && l.addsToCart >= rule.addsToCart && since !== null && since >= rule.afterDays;
      return one(id, fired, {
        metric: 'days since the first add-to-cart',
        observed: since,
        threshold: rule.afterDays,
        text: noPurchase
          ? `${l.addsToCart} add-to-cart(s) (${rule.addsToCart} needed) and no purchase ${since ?? 0} day(s) after the first; ${rule.afterDays} kill`
          : `${l.purchases} purchase(s): does not apply`,
      });
    }
    case 'cpaAbove':
      return streak(
        id,
        { metric: 'cpa', op: 'gt', value: rule.cpa, days: rule.consecutiveDays, eachDay: true },
        data,
      );
    case 'roasBelow':
      return streak(
        id,
        { metric: 'roas', op: 'lt', value: rule.roas, days: rule.consecutiveDays, eachDay: true },
        data,
      );
    case 'tierAllowance':
      return one(id, tier !== null && noPurchase && l.spend > tier.spendAllowance, {
        metric: 'spend with no purchase',
        observed: l.spend,
        threshold: tier?.spendAllowance ?? null,
        text:
          tier === null
            ? 'this stage has no testing tiers: not evaluated'
            : noPurchase
              ? `spent ${money(l.spend)} with no purchase against ${tier.id}'s allowance of ${money(tier.spendAllowance)}`
              : `${l.purchases} purchase(s): the allowance does not apply`,
      });
    case 'conditions':
      return allOf(id, rule.all, data);
  }
}

/** A consecutive-days kill as one daily condition: every day of the latest run must be bad. */
function streak(ruleId: string, condition: Condition, data: StageData): Evaluated {
  const reason = evaluateCondition(ruleId, condition, data);
  return { ruleId, fired: reason.passed, reasons: [reason] };
}

function evaluateAdvance(rule: AdvanceRule, data: StageData): Evaluated {
  const { basis, lifetime: l } = data;
  const id = rule.id;
  switch (rule.kind) {
    case 'purchasesAtLeast': {
      // Purchases are counted as reported (no phantom purchases); CPA and ROAS are lag-corrected.
      const reasons: Reason[] = [
        {
          ruleId: id,
          metric: 'purchases',
          observed: l.purchases,
          threshold: rule.purchases,
          passed: l.purchases >= rule.purchases,
          text: `${l.purchases} purchase(s) of the ${rule.purchases} needed`,
        },
      ];
      if (rule.cpaAtMost !== null) {
        const cpa = read('cpa', l, null);
        const limit = resolveMoneyThreshold(rule.cpaAtMost, basis.targetCpa);
        reasons.push({
          ruleId: id,
          metric: 'cpa',
          observed: finite(cpa),
          threshold: limit,
          passed: cpa !== null && cpa <= limit,
          text: `lag-corrected CPA ${show('cpa', cpa)}, at most ${money(limit)} needed`,
        });
      }
      if (rule.roasAtLeast !== null) {
        const roas = read('roas', l, null);
        const limit = resolveRoasThreshold(rule.roasAtLeast, basis);
        reasons.push({
          ruleId: id,
          metric: 'roas',
          observed: roas,
          threshold: limit,
          passed: roas !== null && roas >= limit,
          text: `lag-corrected ROAS ${show('roas', roas)}, at least ${toFixed(limit, 2)} needed`,
        });
      }
      return { ruleId: id, fired: reasons.every((r) => r.passed), reasons };
    }
    case 'addsToCartAtLeast': {
      const after = resolveMoneyThreshold(rule.afterSpend, basis.targetCpa);
      return one(id, l.spend >= after && l.addsToCart >= rule.addsToCart, {
        metric: 'addsToCart',
        observed: l.addsToCart,
        threshold: rule.addsToCart,
        text: `${l.addsToCart} add-to-cart(s) of the ${rule.addsToCart} needed, judged after ${money(after)} spent (${money(l.spend)} so far)`,
      });
    }
    case 'ctrAtLeast': {
      const after = resolveMoneyThreshold(rule.afterSpend, basis.targetCpa);
      const ctr = read('ctr', l, null);
      return one(id, l.spend >= after && ctr !== null && ctr >= rule.ctr, {
        metric: 'ctr',
        observed: ctr,
        threshold: rule.ctr,
        text: `CTR ${show('ctr', ctr)}, at least ${pct(rule.ctr)} needed, judged after ${money(after)} spent (${money(l.spend)} so far)`,
      });
    }
    case 'conditions':
      return allOf(id, rule.all, data);
  }
}

/** Among the scale rules that fire, the biggest change (the first on a tie). */
function strongest(results: readonly (Evaluated & { changePercent: number })[]) {
  return results
    .filter((r) => r.fired)
    .reduce<(typeof results)[number] | null>(
      (best, r) => (best === null || Math.abs(r.changePercent) > Math.abs(best.changePercent) ? r : best),
      null,
    );
}

function evaluateScale(rules: readonly ScaleRule[], data: StageData) {
  return rules.map((rule) => {
    const { ruleId, fired, reasons } = allOf(rule.id, rule.all, data);
    return { ruleId, fired, reasons, changePercent: rule.changePercent };
  });
}

/**
 * Runs every rule of the entity's stage (kill, the testing tiers, advance, scale-down, scale-up) and
 * keeps each as a reason. A kill is the first kill rule that fires, an advance the first advance rule
 * (any-of) once `minHoursBeforeAdvance` has passed, a scale change the strongest rule that fires.
 * Consecutive-day rules read daily lag-corrected CPA and ROAS over the latest run of delivery days;
 * a young day with no purchase yet is skipped rather than counted as a bad day.
 */
export function evaluateStage(
  input: StageInput,
  stages: EngineRules['stages'],
  basis: StageBasis,
): StageVerdict {
  const data = new StageData(input, basis);
  const rules = stages[input.stage];
  const earned =
    input.stage === 'testing' ? earnTier(stages.testing.tiers, data) : { tier: null, reasons: [] };
  const kills = rules.kill.map((rule) => evaluateKill(rule, data, earned.tier));
  const advances = rules.advance.map((rule) => evaluateAdvance(rule, data));
  const minHours = rules.minHoursBeforeAdvance;
  const hours = input.hoursInStage;
  const hasWaited = minHours === 0 || (hours !== null && hours >= minHours);
  const wait: Reason = {
    ruleId: `${input.stage}.minHoursBeforeAdvance`,
    metric: 'hours in stage',
    observed: hours,
    threshold: minHours,
    passed: hasWaited,
    text:
      minHours === 0
        ? 'no minimum time in the stage before advancing'
        : hours === null
          ? `time in the stage is unknown; ${minHours} h are needed before advancing`
          : `${hours} h in the stage of the ${minHours} h needed before advancing`,
  };
  const downs = evaluateScale(rules.scaleDown, data);
  const ups = evaluateScale(rules.scaleUp, data);
  const reasons = [...earned.reasons];
  for (const evaluated of [kills, advances]) for (const r of evaluated) reasons.push(...r.reasons);
  reasons.push(wait);
  for (const evaluated of [downs, ups]) for (const r of evaluated) reasons.push(...r.reasons);
  const tier = earned.tier;

  // Kill, advance, cut, raise: a loss stops first, a promoted copy has its own budget, losses outweigh gains.
  // (Object literals, not spreads of a shared base: this runs for every staged entity.)
  const kill = kills.find((r) => r.fired);
  if (kill) return { tier, reasons, outcome: 'kill', ruleId: kill.ruleId, changePercent: null };
  const advance = hasWaited ? advances.find((r) => r.fired) : undefined;
  if (advance) return { tier, reasons, outcome: 'advance', ruleId: advance.ruleId, changePercent: null };
  const down = strongest(downs);
  if (down)
    return { tier, reasons, outcome: 'scaleDown', ruleId: down.ruleId, changePercent: down.changePercent };
  const up = strongest(ups);
  if (up) return { tier, reasons, outcome: 'scaleUp', ruleId: up.ruleId, changePercent: up.changePercent };
  return { tier, reasons, outcome: 'none', ruleId: null, changePercent: null };
}
