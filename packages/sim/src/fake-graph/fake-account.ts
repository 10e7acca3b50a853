import { addDays, type IsoDate } from '@roas/core';
import { Market, splitCents } from '../market/market.ts';
import type { AdSetDecision, Observation, ReportedRow } from '../market/types.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { buildLayout } from './account-layout.ts';
import type {
  AdNode,
  AdSetNode,
  AudienceNode,
  CampaignNode,
  CreativeNode,
  WriteLogEntry,
} from './graph-nodes.ts';
import { graphId, ID_PREFIX } from './ids.ts';
import { formatGraphTime, HOUR_MS, localMidnightMs, SimClock } from './sim-clock.ts';

export type FakeAccountOptions = {
  scenario: Scenario;
  seed: number;
  timeZone: string;
  /** Put one group of ad sets in a CBO campaign (see `account-layout.ts`). */
  cbo: boolean;
  startDay: number;
  wall?: () => number;
};

/**
 * The simulated ad account behind the fake Graph API: the market plus the Graph objects mapped onto it
 * (campaigns, ad sets, ads, creatives, audiences), their configured budgets and statuses, and the clock.
 */
export class FakeAccount {
  readonly market: Market;
  readonly scenario: Scenario;
  readonly accountId: string;
  readonly name: string;
  readonly timeZone: string;
  readonly clock: SimClock;
  readonly campaigns: Map<string, CampaignNode>;
  readonly adSets: Map<string, AdSetNode>;
  readonly ads: Map<string, AdNode>;
  readonly creatives: Map<string, CreativeNode>;
  readonly audiences: Map<string, AudienceNode>;
  readonly writeLog: WriteLogEntry[] = [];
  private copies = 0;
  private current: { day: number; observation: Observation } | null = null;
  private readonly recentReports = new Map<number, Observation>();

  constructor(options: FakeAccountOptions) {
    const { scenario, seed } = options;
    this.scenario = scenario;
    this.market = new Market(scenario, seed);
    this.accountId = String(100_000_000_000_000 + (seed % 900_000_000_000_000));
    this.name = `ROAS Pilot Demo (${scenario.name}, seed ${seed})`;
    this.timeZone = options.timeZone;
    this.clock = new SimClock(options.timeZone, () => this.today, options.wall);
    const layout = buildLayout({
      latent: this.market.latent,
      initialBudgetCents: this.market.observe().adSets.map((adSet) => adSet.dailyBudgetCents),
      minDailyBudgetCents: this.minDailyBudgetCents,
      createdMs: this.dayStartMs(-2) + 10 * HOUR_MS,
      useCbo: options.cbo,
    });
    this.campaigns = layout.campaigns;
    this.adSets = layout.adSets;
    this.ads = layout.ads;
    this.creatives = layout.creatives;
    this.audiences = layout.audiences;
    this.advanceDays(options.startDay);
  }

  get currency(): string {
    return this.scenario.currency;
  }

  get day(): number {
    return this.market.day;
  }

  /** The date of the simulated day in progress: it has no delivery data yet. */
  get today(): IsoDate {
    return this.market.dateOf(this.market.day);
  }

  get minDailyBudgetCents(): number {
    return Math.round(this.scenario.minDailyBudget * 100);
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  graphTime(epochMs: number): string {
    return formatGraphTime(epochMs, this.timeZone);
  }

  /** Start of a day index in account time, as epoch milliseconds. */
  dayStartMs(day: number): number {
    return localMidnightMs(addDays(this.scenario.startDate, day), this.timeZone);
  }

  /** What the Graph API reports now (days before today, lagged). */
  observation(): Observation {
    if (this.current?.day !== this.market.day) {
      this.current = { day: this.market.day, observation: this.market.report(this.market.day) };
    }
    return this.current.observation;
  }

  /** What was reported at the start of day `asOf` (never later than now); a few recent ones are kept. */
  reportAt(asOf: number): Observation {
    const day = Math.min(asOf, this.market.day);
    if (day === this.market.day) return this.observation();
    let report = this.recentReports.get(day);
    if (!report) {
      report = this.market.report(day);
      if (this.recentReports.size >= 4) {
        const oldest = this.recentReports.keys().next().value;
        if (oldest !== undefined) this.recentReports.delete(oldest);
      }
      this.recentReports.set(day, report);
    }
    return report;
  }

  /** Reported rows of a market ad set (ad undefined) or ad, from an observation. */
  rowsOf(observation: Observation, marketIndex: number, adIndex?: number): readonly ReportedRow[] {
    const adSet = observation.adSets[marketIndex];
    if (!adSet) return [];
    if (adIndex === undefined) return adSet.rows;
    return adSet.ads[adIndex]?.rows ?? [];
  }

  campaignOf(adSet: AdSetNode): CampaignNode {
    const campaign = this.campaigns.get(adSet.campaignId);
    if (!campaign) throw new Error(`ad set ${adSet.id} has no campaign ${adSet.campaignId}`);
    return campaign;
  }

  adSetOf(ad: AdNode): AdSetNode {
    const adSet = this.adSets.get(ad.adSetId);
    if (!adSet) throw new Error(`ad ${ad.id} has no ad set ${ad.adSetId}`);
    return adSet;
  }

  isCbo(campaign: CampaignNode): boolean {
    return campaign.dailyBudgetCents !== null;
  }

  // Parent status propagates to children's effective_status; their own status is unchanged (meta-graph-api.md 7.1).
  campaignEffectiveStatus(campaign: CampaignNode): string {
    return campaign.status;
  }

  adSetEffectiveStatus(adSet: AdSetNode): string {
    if (adSet.status !== 'ACTIVE') return adSet.status;
    return this.campaignOf(adSet).status === 'ACTIVE' ? 'ACTIVE' : 'CAMPAIGN_PAUSED';
  }

  adEffectiveStatus(ad: AdNode): string {
    if (ad.status !== 'ACTIVE') return ad.status;
    const adSet = this.adSetOf(ad);
    if (this.campaignOf(adSet).status !== 'ACTIVE') return 'CAMPAIGN_PAUSED';
    return adSet.status === 'ACTIVE' ? 'ACTIVE' : 'ADSET_PAUSED';
  }

  /**
   * A market ad set delivers when it and its campaign are active and at least one of its market ads is.
   * The market has no per-ad switch: pausing some (not all) ads of an ad set leaves its delivery, and
   * those ads' reported rows, unchanged.
   */
  isDelivering(adSet: AdSetNode): boolean {
    if (adSet.marketIndex === null || this.adSetEffectiveStatus(adSet) !== 'ACTIVE') return false;
    return adSet.adIds.some((id) => {
      const ad = this.ads.get(id);
      return ad !== undefined && ad.marketIndex !== null && ad.status === 'ACTIVE';
    });
  }

  /**
   * The market's budget for each ad set on the coming day. A CBO campaign's budget is split over its
   * delivering ad sets by fixed weights (equal at launch): a simple stand-in for Meta's opaque allocation.
   * The market then raises active budgets to the scenario minimum and scales them down to the scenario's
   * daily total (its guard rails, counted in `correctedDecisions`): reads show the configured budget,
   * ground truth the delivered one. Meta has no such account-wide daily cap.
   */
  decisions(): AdSetDecision[] {
    const observed = this.observation();
    const decisions: AdSetDecision[] = [];
    for (const campaign of this.campaigns.values()) {
      const members = campaign.adSetIds
        .map((id) => this.adSets.get(id))
        .filter((node): node is AdSetNode => node !== undefined && node.marketIndex !== null);
      const delivering = members.filter((node) => this.isDelivering(node));
      const shares =
        campaign.dailyBudgetCents === null || delivering.length === 0
          ? []
          : splitCents(
              campaign.dailyBudgetCents,
              delivering.map((node) => node.cboWeight / delivering.reduce((sum, n) => sum + n.cboWeight, 0)),
            );
      for (const node of members) {
        const index = node.marketIndex as number;
        const previous = observed.adSets[index]?.dailyBudgetCents ?? this.minDailyBudgetCents;
        const share = shares[delivering.indexOf(node)];
        const budget = node.dailyBudgetCents ?? share ?? previous;
        decisions.push({
          adSetId: this.market.latent[index]?.id ?? node.id,
          status: this.isDelivering(node) ? 'ACTIVE' : 'PAUSED',
          dailyBudgetCents: budget,
        });
      }
    }
    return decisions;
  }

  /** Simulates `days` whole days with the configured budgets and statuses. */
  advanceDays(days: number): void {
    for (let i = 0; i < days; i++) this.market.step(this.decisions());
    if (days > 0) this.recentReports.clear();
  }

  /** Moves the clock; crossing midnight simulates the day that ended. */
  advance(by: { days?: number; hours?: number; minutes?: number }): void {
    this.advanceDays(Math.max(0, Math.floor(by.days ?? 0)));
    const ms = Math.max(0, (by.hours ?? 0) * HOUR_MS + (by.minutes ?? 0) * 60_000);
    if (ms > 0) this.advanceDays(this.clock.advanceWithinDay(ms));
  }

  /** Lifetime spend of the account, in minor units. */
  amountSpentCents(fromDay = 0): number {
    let total = 0;
    for (const days of this.market.truth) {
      for (const truth of days) if (truth.day >= fromDay) total += Math.round(truth.spend * 100);
    }
    return total;
  }

  logWrite(entry: Omit<WriteLogEntry, 'simTime' | 'day'>): void {
    this.writeLog.push({ simTime: this.graphTime(this.nowMs()), day: this.market.day, ...entry });
  }

  nextCopyId(kind: 'adset' | 'ad'): string {
    this.copies++;
    return graphId(kind === 'adset' ? ID_PREFIX.adSetCopy : ID_PREFIX.adCopy, this.copies);
  }
}
