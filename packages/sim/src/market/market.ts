import { addDays, type IsoDate } from '@roas/core';
import { rngFor, STREAMS } from '../random/prng.ts';
import {
  sampleFromCdf,
  sampleGamma,
  sampleNormal,
  sampleOrderValue,
  samplePoisson,
  type WhaleTail,
} from '../random/samplers.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { delayCdf, OUTSIDE_WINDOW } from './lag.ts';
import { drawAdSetLatent, drawDriftEvents } from './latent.ts';
import {
  endDay,
  enterDay,
  INITIAL_LEARNING,
  learningEntry,
  learningMultiplier,
  type LearningParams,
  type LearningState,
} from './learning.ts';
import {
  addEvent,
  EVENT,
  eventsAll,
  eventsUpTo,
  isFinal,
  newDayRecord,
  reportedRow,
  type DayRecord,
} from './report.ts';
import type {
  AdObservation,
  AdSetDayTruth,
  AdSetDecision,
  AdSetLatent,
  AdSetObservation,
  AdSetStatus,
  DriftEvent,
  ExpectedDay,
  LearningInfo,
  LearningStage,
  Observation,
  ReportedRow,
} from './types.ts';

type AdState = { exposure: number; ageDays: number };

type AdSetState = {
  status: AdSetStatus;
  budgetCents: number;
  learning: LearningState;
  /** AR(1) log-CPM deviation of the last simulated day. */
  cpmDeviation: number;
  /** Random walk in ln r0 up to the last simulated day. */
  walk: number;
  ads: AdState[];
};

type RowCache = { final: ReportedRow[]; nextDay: number };

type ExpectationBase = { day: number; shares: number[]; cpm: number; cvr: number };

/** What the oracle may read: everything the market knows about the coming day except its noise. */
export interface MarketTruthView {
  readonly scenario: Scenario;
  readonly latent: readonly AdSetLatent[];
  readonly day: number;
  /** Learning stage each ad set is in now (null before launch). */
  stageOf(adSetIndex: number): LearningStage | null;
  /** Days since launch or the last reset (null before launch). */
  daysSinceReset(adSetIndex: number): number | null;
  /** Expected outcome of the coming day for one ad set at a daily budget (0 = paused). */
  expectedDay(adSetIndex: number, budgetCents: number): ExpectedDay;
  /** Most the ad set can spend on the coming day before its audience is saturated (major units). */
  expectedCapacity(adSetIndex: number): number;
}

/**
 * The simulated ad account. Deterministic: its whole history is a function of (scenario, seed, the
 * decisions passed to `step`). Every random draw comes from a stream keyed by (seed, component, ad set,
 * ad, day), so one ad set's noise never depends on what happened to another (common random numbers).
 */
export class Market implements MarketTruthView {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly latent: readonly AdSetLatent[];
  readonly driftEvents: readonly DriftEvent[];
  /** Decisions the market had to correct (budget below the minimum or over the account total). */
  correctedDecisions = 0;

  private dayIndex = 0;
  private readonly states: AdSetState[];
  private readonly adSetRecords: (DayRecord | null)[][];
  private readonly adRecords: (DayRecord | null)[][][];
  private readonly truthLog: AdSetDayTruth[][];
  private readonly learningAfter: LearningState[][];
  private readonly cdfs: Float64Array[];
  private readonly outsideShare: number[];
  private readonly learningParams: LearningParams;
  private readonly dates: IsoDate[] = [];
  private readonly dowCpm: number[] = [];
  private readonly dowCvr: number[] = [];
  private readonly adSetRowCache: RowCache[];
  private readonly adRowCache: RowCache[][];
  private readonly indexById: Map<string, number>;
  private readonly whale: WhaleTail | undefined;
  private readonly baseCache: (ExpectationBase | undefined)[] = [];

  constructor(scenario: Scenario, seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be a non-negative integer (${seed})`);
    this.scenario = scenario;
    this.seed = seed;
    this.latent = Array.from({ length: scenario.adSets }, (_, i) => drawAdSetLatent(scenario, seed, i));
    this.driftEvents = drawDriftEvents(scenario, seed);
    const initialBudget = Math.floor((scenario.dailyBudget * 100) / scenario.adSets);
    this.states = this.latent.map((adSet) => ({
      status: 'ACTIVE',
      budgetCents: initialBudget,
      learning: INITIAL_LEARNING,
      cpmDeviation: 0,
      walk: 0,
      ads: adSet.ads.map(() => ({ exposure: 0, ageDays: 0 })),
    }));
    this.adSetRecords = this.latent.map(() => []);
    this.adRecords = this.latent.map((adSet) => adSet.ads.map(() => []));
    this.truthLog = this.latent.map(() => []);
    this.learningAfter = this.latent.map(() => []);
    this.cdfs = this.latent.map((adSet) => delayCdf(scenario.lag[adSet.lagProfile], scenario.effects.lag));
    this.outsideShare = this.latent.map((adSet) =>
      scenario.effects.lag ? scenario.lag[adSet.lagProfile].outsideWindow : 0,
    );
    this.learningParams = { ...scenario.learning, isEnabled: scenario.effects.learning };
    this.adSetRowCache = this.latent.map(() => ({ final: [], nextDay: 0 }));
    this.adRowCache = this.latent.map((adSet) => adSet.ads.map(() => ({ final: [], nextDay: 0 })));
    this.indexById = new Map(this.latent.map((adSet) => [adSet.id, adSet.index]));
    const { whaleShare, whaleParetoAlpha } = scenario.orderValue;
    this.whale = whaleShare > 0 ? { share: whaleShare, paretoAlpha: whaleParetoAlpha } : undefined;
  }

  /** Number of days simulated so far; the next `step` simulates this day. */
  get day(): number {
    return this.dayIndex;
  }

  get horizon(): number {
    return this.scenario.horizonDays;
  }

  /** Calendar date of a day index. */
  dateOf(day: number): IsoDate {
    this.ensureCalendar(day);
    return this.dates[day] ?? addDays(this.scenario.startDate, day);
  }

  /** What the Graph API reports now, before the next day starts. */
  observe(): Observation {
    return this.report(this.dayIndex);
  }

  /**
   * What the Graph API would have reported at the start of day `asOf` (rows for days before it, with
   * only the purchases attributed by then). `asOf` beyond today shows late attributions landing.
   */
  report(asOf: number): Observation {
    if (!Number.isInteger(asOf) || asOf < 0)
      throw new RangeError(`asOf must be a non-negative integer (${asOf})`);
    const statusDay = Math.min(asOf, this.dayIndex);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the lazy getters below need the market, not the row object.
    const market = this;
    const adSets: AdSetObservation[] = this.latent.map((adSet, i) => {
      const truth = statusDay > 0 ? this.truthLog[i]?.[statusDay - 1] : undefined;
      const state = this.states[i] as AdSetState;
      const learning =
        statusDay === this.dayIndex
          ? state.learning
          : (this.learningAfter[i]?.[statusDay - 1] ?? INITIAL_LEARNING);
      // Rows are built on first read: most policies never look at ad-level rows, some not at rows at all.
      let rows: ReportedRow[] | undefined;
      let ads: AdObservation[] | undefined;
      return {
        id: adSet.id,
        name: adSet.name,
        audienceType: adSet.audienceType,
        status: statusDay === this.dayIndex ? state.status : (truth?.status ?? 'ACTIVE'),
        dailyBudgetCents:
          statusDay === this.dayIndex ? state.budgetCents : (truth?.budgetCents ?? state.budgetCents),
        learning: this.learningInfo(i, learning, asOf),
        get rows(): ReportedRow[] {
          rows ??= market.rows(market.adSetRecords[i] ?? [], market.adSetRowCache[i], asOf);
          return rows;
        },
        get ads(): AdObservation[] {
          ads ??= adSet.ads.map((ad, j) => {
            let adRows: ReportedRow[] | undefined;
            return {
              id: ad.id,
              name: ad.name,
              get rows(): ReportedRow[] {
                adRows ??= market.rows(market.adRecords[i]?.[j] ?? [], market.adRowCache[i]?.[j], asOf);
                return adRows;
              },
            };
          });
          return ads;
        },
      };
    });
    return {
      day: asOf,
      date: this.dateOf(asOf),
      currency: this.scenario.currency,
      totalDailyBudgetCents: Math.round(this.scenario.dailyBudget * 100),
      minDailyBudgetCents: Math.round(this.scenario.minDailyBudget * 100),
      adSets,
    };
  }

  /** Ground truth per ad set per simulated day (index [adSet][day]). */
  get truth(): readonly (readonly AdSetDayTruth[])[] {
    return this.truthLog;
  }

  stageOf(adSetIndex: number): LearningStage | null {
    return this.states[adSetIndex]?.learning.stage ?? null;
  }

  daysSinceReset(adSetIndex: number): number | null {
    const resetDay = this.states[adSetIndex]?.learning.resetDay;
    return resetDay === null || resetDay === undefined ? null : this.dayIndex - resetDay;
  }

  expectedCapacity(adSetIndex: number): number {
    const adSet = this.latentAt(adSetIndex);
    const state = this.stateAt(adSetIndex);
    const cpm =
      adSet.cpm * this.dowCpmAt(this.dayIndex) * Math.exp(this.scenario.noise.cpmRho * state.cpmDeviation);
    return (this.scenario.funnel.maxDailyFrequency * adSet.audienceSize * cpm) / 1000;
  }

  expectedDay(adSetIndex: number, budgetCents: number): ExpectedDay {
    const state = this.stateAt(adSetIndex);
    if (budgetCents <= 0) {
      return { spend: 0, attributedRevenue: 0, trueRevenue: 0, stage: state.learning.stage, resets: false };
    }
    const entry = learningEntry(state.learning, this.dayIndex, budgetCents, this.learningParams);
    const stage: LearningStage | null =
      entry === null ? state.learning.stage : this.learningParams.isEnabled ? 'LEARNING' : 'ACTIVE';
    const spend = Math.min(budgetCents / 100, this.expectedCapacity(adSetIndex));
    const expected = this.expectedAt(adSetIndex, spend, stage, this.dayIndex);
    return { spend, ...expected, stage, resets: entry === 'budget-edit' || entry === 'resume' };
  }

  /**
   * Applies the decisions for the coming day and simulates it. Ad sets without a decision keep their
   * budget and status. Budgets are integer cents; an active budget below the minimum is raised to it,
   * and active budgets over the account's total are scaled down (both counted in `correctedDecisions`).
   */
  step(decisions: readonly AdSetDecision[]): void {
    const day = this.dayIndex;
    this.ensureCalendar(day + 1);
    this.applyDecisions(decisions);
    for (let i = 0; i < this.latent.length; i++) this.simulateAdSet(i, day);
    for (let i = 0; i < this.latent.length; i++) {
      const state = this.stateAt(i);
      state.learning = endDay(
        state.learning,
        day,
        (from) => this.attributedSince(i, from, day + 1),
        this.learningParams,
      );
      this.learningAfter[i]?.push(state.learning);
    }
    this.dayIndex = day + 1;
  }

  private latentAt(i: number): AdSetLatent {
    const adSet = this.latent[i];
    if (!adSet) throw new RangeError(`no ad set ${i}`);
    return adSet;
  }

  private stateAt(i: number): AdSetState {
    const state = this.states[i];
    if (!state) throw new RangeError(`no ad set ${i}`);
    return state;
  }

  private ensureCalendar(day: number): void {
    const { startDate, dayOfWeek, effects } = this.scenario;
    while (this.dates.length <= day) {
      const date = addDays(startDate, this.dates.length);
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      this.dates.push(date);
      // Dearest auctions at the weekend (Saturday peak), best conversion early in the week (Monday peak).
      this.dowCpm.push(
        effects.dayOfWeek ? 1 + dayOfWeek.cpmAmplitude * Math.cos((2 * Math.PI * (weekday - 6)) / 7) : 1,
      );
      this.dowCvr.push(
        effects.dayOfWeek ? 1 + dayOfWeek.cvrAmplitude * Math.cos((2 * Math.PI * (weekday - 1)) / 7) : 1,
      );
    }
  }

  private dowCpmAt(day: number): number {
    this.ensureCalendar(day);
    return this.dowCpm[day] ?? 1;
  }

  private dowCvrAt(day: number): number {
    this.ensureCalendar(day);
    return this.dowCvr[day] ?? 1;
  }

  private driftMultiplier(i: number, day: number): number {
    let multiplier = 1;
    for (const event of this.driftEvents)
      if (event.adSetIndex === i && event.day <= day) multiplier *= event.multiplier;
    return multiplier;
  }

  private applyDecisions(decisions: readonly AdSetDecision[]): void {
    const minCents = Math.round(this.scenario.minDailyBudget * 100);
    const totalCents = Math.round(this.scenario.dailyBudget * 100);
    for (const decision of decisions) {
      const index = this.indexById.get(decision.adSetId);
      if (index === undefined) throw new RangeError(`unknown ad set id ${decision.adSetId}`);
      if (!Number.isFinite(decision.dailyBudgetCents) || decision.dailyBudgetCents < 0) {
        throw new RangeError(
          `ad set ${decision.adSetId}: budget ${decision.dailyBudgetCents} is not a valid amount`,
        );
      }
      const state = this.stateAt(index);
      state.status = decision.status;
      state.budgetCents = Math.round(decision.dailyBudgetCents);
    }
    for (const state of this.states) {
      if (state.status === 'ACTIVE' && state.budgetCents < minCents) {
        state.budgetCents = minCents;
        this.correctedDecisions++;
      }
    }
    this.fitWithinTotal(minCents, totalCents);
  }

  /** Scales active budgets down to the account total, never below the minimum (the schema keeps this feasible). */
  private fitWithinTotal(minCents: number, totalCents: number): void {
    const active = this.states.filter((s) => s.status === 'ACTIVE');
    let sum = active.reduce((total, s) => total + s.budgetCents, 0);
    if (sum <= totalCents) return;
    this.correctedDecisions++;
    let flexible = active.filter((s) => s.budgetCents > minCents);
    for (let round = 0; round < active.length && sum > totalCents && flexible.length > 0; round++) {
      const fixed = active.length - flexible.length;
      const flexibleSum = flexible.reduce((total, s) => total + s.budgetCents, 0);
      const factor = (totalCents - fixed * minCents) / flexibleSum;
      for (const s of flexible) s.budgetCents = Math.max(minCents, Math.floor(s.budgetCents * factor));
      sum = active.reduce((total, s) => total + s.budgetCents, 0);
      flexible = flexible.filter((s) => s.budgetCents > minCents);
    }
  }

  /** Impression shares inside an ad set: Meta favours the creative that currently performs best. */
  private creativeShares(adSet: AdSetLatent, state: AdSetState): number[] {
    const { fatigue, effects } = this.scenario;
    const weights = adSet.ads.map((ad, j) => {
      const adState = state.ads[j] as AdState;
      const fatigueFactor = effects.fatigue
        ? Math.exp(-ad.fatigueBeta * Math.max(0, fatigue.decay * adState.exposure - fatigue.threshold))
        : 1;
      const wear = effects.wearOut ? Math.exp(-ad.wearOut * adState.ageDays) : 1;
      const appeal = ad.quality * fatigueFactor * wear;
      return appeal * appeal;
    });
    const total = weights.reduce((sum, w) => sum + w, 0);
    return weights.map((w) => w / total);
  }

  /** Hill saturation as a CVR multiplier: expected revenue r0 * K * s^a / (s^a + K^a), capped at r0 * s. */
  private saturation(adSet: AdSetLatent, spend: number): number {
    if (!this.scenario.effects.saturation || spend <= 0) return 1;
    const { alpha, k } = adSet;
    const ratio = (k * Math.pow(spend, alpha - 1)) / (Math.pow(spend, alpha) + Math.pow(k, alpha));
    return Math.min(1, ratio);
  }

  private r0Multiplier(i: number, day: number, walk: number): number {
    return this.driftMultiplier(i, day) * Math.exp(walk);
  }

  /**
   * Expected attributed and true revenue for ad set i spending `spend` on `day` in `stage`, from the
   * current state (fatigue, CPM deviation, drift) and no fresh noise.
   */
  /** Parts of an ad set's expectation that depend on the day's starting state only, cached until it changes. */
  private expectationBase(i: number, day: number): ExpectationBase {
    const cached = this.baseCache[i];
    if (cached && cached.day === day) return cached;
    const adSet = this.latentAt(i);
    const state = this.stateAt(i);
    const { effects, drift } = this.scenario;
    const walkMean = effects.drift ? state.walk + (drift.randomWalkSd * drift.randomWalkSd) / 2 : 0;
    const base: ExpectationBase = {
      day,
      shares: this.creativeShares(adSet, state),
      cpm: adSet.cpm * this.dowCpmAt(day),
      cvr: adSet.cvr * this.r0Multiplier(i, day, walkMean) * this.dowCvrAt(day),
    };
    this.baseCache[i] = base;
    return base;
  }

  /**
   * Expected attributed and true revenue for ad set i spending `spend` on `day` in `stage`, from the
   * current state (fatigue, CPM deviation, drift) and no fresh noise.
   */
  private expectedAt(
    i: number,
    spend: number,
    stage: LearningStage | null,
    day: number,
  ): { attributedRevenue: number; trueRevenue: number } {
    if (spend <= 0) return { attributedRevenue: 0, trueRevenue: 0 };
    const adSet = this.latentAt(i);
    const state = this.stateAt(i);
    const base = this.expectationBase(i, day);
    const { noise, fatigue, effects, learning } = this.scenario;
    const noiseScale = stage === 'LEARNING' && effects.learning ? learning.noiseMultiplier : 1;
    const innovationVar = noise.cpmSd * noise.cpmSd * (1 - noise.cpmRho * noise.cpmRho);
    // E[1/CPM] under the AR(1): impressions bought per unit of spend.
    const inverseCpm =
      Math.exp(
        -noiseScale * noise.cpmRho * state.cpmDeviation + (noiseScale * noiseScale * innovationVar) / 2,
      ) / base.cpm;
    const impressions = spend * 1000 * inverseCpm;
    let clicks = 0;
    for (let j = 0; j < adSet.ads.length; j++) {
      const ad = adSet.ads[j];
      const adState = state.ads[j];
      if (!ad || !adState) continue;
      const adImpressions = impressions * (base.shares[j] ?? 0);
      const exposure = fatigue.decay * adState.exposure + adImpressions / adSet.audienceSize;
      const fatigueFactor = effects.fatigue
        ? Math.exp(-ad.fatigueBeta * Math.max(0, exposure - fatigue.threshold))
        : 1;
      const wear = effects.wearOut ? Math.exp(-ad.wearOut * adState.ageDays) : 1;
      clicks += adImpressions * adSet.ctr * ad.quality * fatigueFactor * wear;
    }
    const cvr =
      base.cvr *
      this.saturation(adSet, spend) *
      (effects.learning ? learningMultiplier(stage, learning.penalty) : 1);
    const attributedRevenue = clicks * cvr * adSet.aov;
    const trueRevenue = (attributedRevenue * adSet.incrementality) / (1 - (this.outsideShare[i] ?? 0));
    return { attributedRevenue, trueRevenue };
  }

  private simulateAdSet(i: number, day: number): void {
    const adSet = this.latentAt(i);
    const state = this.stateAt(i);
    const { noise, fatigue, effects, funnel, learning, drift, orderValue } = this.scenario;
    const seed = this.seed;
    const isActive = state.status === 'ACTIVE' && state.budgetCents > 0;
    let entry: ReturnType<typeof enterDay>['entry'] = null;
    if (isActive) {
      const entered = enterDay(state.learning, day, state.budgetCents, this.learningParams);
      state.learning = entered.state;
      entry = entered.entry;
    }
    const stage = state.learning.stage;

    // Action-independent noise paths advance every day, delivering or not.
    const previousDeviation = state.cpmDeviation;
    const cpmInnovation = sampleNormal(rngFor(seed, STREAMS.cpm, i, 0, day));
    state.cpmDeviation =
      noise.cpmRho * previousDeviation +
      noise.cpmSd * Math.sqrt(1 - noise.cpmRho * noise.cpmRho) * cpmInnovation;
    const previousWalk = state.walk;
    if (effects.drift && drift.randomWalkSd > 0) {
      state.walk += drift.randomWalkSd * sampleNormal(rngFor(seed, STREAMS.walk, i, 0, day));
    }

    const noiseScale = stage === 'LEARNING' && effects.learning ? learning.noiseMultiplier : 1;
    const cpm = adSet.cpm * Math.exp(noiseScale * state.cpmDeviation) * this.dowCpmAt(day);
    const capacity = (funnel.maxDailyFrequency * adSet.audienceSize * cpm) / 1000;
    let pacing = 1;
    if (effects.pacing) {
      const [lo, hi] = noise.pacingClip;
      pacing = Math.min(
        hi,
        Math.max(lo, Math.exp(noise.pacingSigma * sampleNormal(rngFor(seed, STREAMS.pacing, i, 0, day)))),
      );
    }
    const spendCents = isActive
      ? Math.round(Math.min((state.budgetCents / 100) * pacing, capacity) * 100)
      : 0;
    const spend = spendCents / 100;

    // Expectations use the state before today's noise, as the oracle saw it.
    const savedDeviation = state.cpmDeviation;
    const savedWalk = state.walk;
    state.cpmDeviation = previousDeviation;
    state.walk = previousWalk;
    const expected = this.expectedAt(i, spend, stage, day);
    const marginal =
      spend > 0 ? this.expectedAt(i, spend + 1, stage, day).trueRevenue - expected.trueRevenue : 0;
    state.cpmDeviation = savedDeviation;
    state.walk = savedWalk;

    const truth: AdSetDayTruth = {
      day,
      status: state.status,
      budgetCents: state.budgetCents,
      spend,
      stage,
      reset: entry === 'budget-edit' || entry === 'resume',
      impressions: 0,
      clicks: 0,
      purchases: 0,
      attributedPurchases: 0,
      attributedRevenue: 0,
      trueRevenue: 0,
      expectedTrueRevenue: expected.trueRevenue,
      marginalTrueRoas: marginal,
      r0: adSet.r0 * this.r0Multiplier(i, day, state.walk),
    };

    if (spendCents <= 0) {
      for (const adState of state.ads) adState.exposure *= fatigue.decay;
      this.adSetRecords[i]?.push(null);
      for (const records of this.adRecords[i] ?? []) records.push(null);
      this.truthLog[i]?.push(truth);
      this.baseCache[i] = undefined;
      return;
    }

    const shares = this.creativeShares(adSet, state);
    const adSpend = splitCents(spendCents, shares);
    const cvr =
      adSet.cvr *
      this.r0Multiplier(i, day, state.walk) *
      this.saturation(adSet, spend) *
      (effects.learning ? learningMultiplier(stage, learning.penalty) : 1) *
      this.dowCvrAt(day);
    const overdispersion = effects.overdispersion
      ? sampleGamma(
          rngFor(seed, STREAMS.overdispersion, i, 0, day),
          noise.overdispersionShape / (noiseScale * noiseScale),
          (noiseScale * noiseScale) / noise.overdispersionShape,
        )
      : 1;
    const outside = this.outsideShare[i] ?? 0;
    const causedCvr = (cvr * overdispersion) / (1 - outside);
    const cdf = this.cdfs[i] as Float64Array;
    const adSetRecord = newDayRecord(day);
    const ctrNoiseMean = -(noise.ctrSd * noise.ctrSd) / 2;

    for (let j = 0; j < adSet.ads.length; j++) {
      const ad = adSet.ads[j];
      const adState = state.ads[j];
      const records = this.adRecords[i]?.[j];
      if (!ad || !adState || !records) continue;
      const cents = adSpend[j] ?? 0;
      if (cents <= 0) {
        adState.exposure *= fatigue.decay;
        records.push(null);
        continue;
      }
      const record = newDayRecord(day);
      record.spendCents = cents;
      record.impressions = Math.max(1, Math.round((cents / 100) * (1000 / cpm)));
      adState.exposure = fatigue.decay * adState.exposure + record.impressions / adSet.audienceSize;
      const fatigueFactor = effects.fatigue
        ? Math.exp(-ad.fatigueBeta * Math.max(0, adState.exposure - fatigue.threshold))
        : 1;
      const wear = effects.wearOut ? Math.exp(-ad.wearOut * adState.ageDays) : 1;
      adState.ageDays++;
      const ctr =
        adSet.ctr *
        ad.quality *
        fatigueFactor *
        wear *
        Math.exp(ctrNoiseMean + noise.ctrSd * sampleNormal(rngFor(seed, STREAMS.ctr, i, j, day)));
      record.linkClicks = Math.min(
        record.impressions,
        samplePoisson(rngFor(seed, STREAMS.clicks, i, j, day), record.impressions * ctr),
      );
      record.reach = Math.min(
        record.impressions,
        Math.round(adSet.audienceSize * (1 - Math.exp(-record.impressions / adSet.audienceSize))),
      );

      const meanPurchases = record.linkClicks * causedCvr;
      const purchases = samplePoisson(rngFor(seed, STREAMS.purchases, i, j, day), meanPurchases);
      const orders = rngFor(seed, STREAMS.orders, i, j, day);
      for (let p = 0; p < purchases; p++) {
        const delay = sampleFromCdf(orders, cdf);
        const valueCents = Math.max(
          1,
          Math.round(sampleOrderValue(orders, adSet.aov, orderValue.sigma, this.whale) * 100),
        );
        addEvent(record, EVENT.purchases, delay);
        addEvent(record, EVENT.valueCents, delay, valueCents);
        addEvent(record, EVENT.checkouts, delay);
        addEvent(record, EVENT.addsToCart, delay);
      }
      // Abandoned checkouts and carts: each purchase implies one of each, the rest come on top.
      const funnelRng = rngFor(seed, STREAMS.funnel, i, j, day);
      const extraCheckouts = samplePoisson(funnelRng, meanPurchases * (funnel.checkoutsPerPurchase - 1));
      const extraCarts = samplePoisson(
        funnelRng,
        meanPurchases * (funnel.addToCartPerPurchase - funnel.checkoutsPerPurchase),
      );
      for (let e = 0; e < extraCheckouts; e++) {
        const delay = sampleFromCdf(funnelRng, cdf);
        addEvent(record, EVENT.checkouts, delay);
        addEvent(record, EVENT.addsToCart, delay);
      }
      for (let e = 0; e < extraCarts; e++) addEvent(record, EVENT.addsToCart, sampleFromCdf(funnelRng, cdf));

      records.push(record);
      adSetRecord.spendCents += record.spendCents;
      adSetRecord.impressions += record.impressions;
      adSetRecord.linkClicks += record.linkClicks;
      for (let e = 0; e < record.events.length; e++) {
        adSetRecord.events[e] = (adSetRecord.events[e] ?? 0) + (record.events[e] ?? 0);
      }
    }
    adSetRecord.reach = Math.min(
      adSetRecord.impressions,
      Math.round(adSet.audienceSize * (1 - Math.exp(-adSetRecord.impressions / adSet.audienceSize))),
    );
    this.adSetRecords[i]?.push(adSetRecord);

    truth.impressions = adSetRecord.impressions;
    truth.clicks = adSetRecord.linkClicks;
    truth.purchases = eventsAll(adSetRecord, EVENT.purchases);
    truth.attributedPurchases = eventsUpTo(adSetRecord, EVENT.purchases, OUTSIDE_WINDOW - 1);
    truth.attributedRevenue = eventsUpTo(adSetRecord, EVENT.valueCents, OUTSIDE_WINDOW - 1) / 100;
    truth.trueRevenue = (adSet.incrementality * eventsAll(adSetRecord, EVENT.valueCents)) / 100;
    this.truthLog[i]?.push(truth);
    this.baseCache[i] = undefined;
  }

  /** Purchases credited to days from..(asOf - 1), as attributed by the start of day asOf. */
  private attributedSince(i: number, fromDay: number, asOf: number): number {
    const records = this.adSetRecords[i] ?? [];
    let total = 0;
    for (let d = Math.max(0, fromDay); d < Math.min(asOf, records.length); d++) {
      const record = records[d];
      if (record) total += eventsUpTo(record, EVENT.purchases, asOf - 1 - d);
    }
    return total;
  }

  private learningInfo(i: number, learning: LearningState, asOf: number): LearningInfo {
    const stage = learning.stage ?? 'LEARNING';
    const windowStart =
      stage === 'LEARNING'
        ? (learning.resetDay ?? asOf)
        : Math.max(0, asOf - this.scenario.learning.windowDays);
    return {
      stage,
      conversions: this.attributedSince(i, windowStart, asOf),
      lastSignificantEditDay: learning.resetDay,
    };
  }

  private rows(
    records: readonly (DayRecord | null)[],
    cache: RowCache | undefined,
    asOf: number,
  ): ReportedRow[] {
    const lastDay = Math.min(asOf, records.length) - 1;
    const rows: ReportedRow[] = [];
    let firstLive = 0;
    if (cache && asOf === this.dayIndex) {
      // Days past the lag never change again, so their rows are built once and shared.
      while (cache.nextDay <= lastDay) {
        const record = records[cache.nextDay];
        if (record && !isFinal(record, asOf)) break;
        if (record) cache.final.push(reportedRow(record, this.dateOf(record.day), asOf));
        cache.nextDay++;
      }
      rows.push(...cache.final);
      firstLive = cache.nextDay;
    }
    for (let d = firstLive; d <= lastDay; d++) {
      const record = records[d];
      if (record) rows.push(reportedRow(record, this.dateOf(d), asOf));
    }
    return rows;
  }
}

/** Splits integer cents by shares with the largest-remainder method, so the parts add up exactly. */
export function splitCents(totalCents: number, shares: readonly number[]): number[] {
  const raw = shares.map((share) => share * totalCents);
  const parts = raw.map(Math.floor);
  let remainder = totalCents - parts.reduce((sum, part) => sum + part, 0);
  const order = raw.map((value, index) => ({ index, fraction: value - Math.floor(value) }));
  order.sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of order) {
    if (remainder <= 0) break;
    parts[index] = (parts[index] ?? 0) + 1;
    remainder--;
  }
  return parts;
}
