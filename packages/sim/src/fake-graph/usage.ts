import { graphErrors, type GraphError, type ThrottleScope } from './graph-error.ts';

export const ACCESS_TIERS = ['development', 'standard'] as const;
export type AccessTier = (typeof ACCESS_TIERS)[number];

export type UsageBucket = 'ads_management' | 'ads_insights';

/** Quotas of meta-graph-api.md 6.2: the score model (reads 1, writes 3, decaying over 300 s) and the hourly BUC formulas. */
const TIERS = {
  development: {
    scoreMax: 60,
    blockMs: 300_000,
    managementBase: 300,
    insightsBase: 600,
    label: 'development_access',
  },
  standard: {
    scoreMax: 9000,
    blockMs: 60_000,
    managementBase: 100_000,
    insightsBase: 190_000,
    label: 'standard_access',
  },
} as const satisfies Record<AccessTier, unknown>;

const DECAY_MS = 300_000;
const HOUR_MS = 3_600_000;
// Platform (x-app-usage) limits do not apply to BUC-governed Marketing calls; the fake shows a rising
// percentage against a nominal 5,000 calls/hour and never enforces it (the document gives no figure).
const APP_CALLS_PER_HOUR = 5000;

const pct = (used: number, limit: number): number => Math.min(100, Math.ceil((used / limit) * 100));
const minutesUntil = (ms: number): number => Math.max(1, Math.ceil(ms / 60_000));

/** Throttle state pinned in the headers of one response (a fault or an organic limit). */
export type UsageOverride = { scope: ThrottleScope; etaMinutes: number };

/**
 * A simple usage model: the Ads Management score (error 17 when over the max, blocked for the tier's
 * block time) and sliding-hour BUC call counts for ads_management (80004) and ads_insights (80000).
 * Real time (wall clock), since rate limits are about call volume, not the simulated market.
 */
export class UsageMeter {
  private score = 0;
  private scoreAt: number;
  private scoreBlockedUntil = 0;
  private readonly calls: Record<UsageBucket, number[]> = { ads_management: [], ads_insights: [] };
  private readonly bucBlockedUntil: Record<UsageBucket, number> = { ads_management: 0, ads_insights: 0 };
  private appCalls: number[] = [];

  constructor(
    readonly tier: AccessTier,
    private readonly activeAds: () => number,
    private readonly now: () => number = Date.now,
  ) {
    this.scoreAt = now();
  }

  private get config(): (typeof TIERS)[AccessTier] {
    return TIERS[this.tier];
  }

  private limit(bucket: UsageBucket): number {
    const ads = this.activeAds();
    return bucket === 'ads_management'
      ? this.config.managementBase + 40 * ads
      : this.config.insightsBase + 400 * ads;
  }

  private refresh(now: number): void {
    const decayed = ((now - this.scoreAt) / DECAY_MS) * this.config.scoreMax;
    this.score = Math.max(0, this.score - decayed);
    this.scoreAt = now;
    const cutoff = now - HOUR_MS;
    for (const bucket of ['ads_management', 'ads_insights'] as const) {
      const list = this.calls[bucket];
      while (list.length > 0 && (list[0] ?? 0) <= cutoff) list.shift();
    }
    while (this.appCalls.length > 0 && (this.appCalls[0] ?? 0) <= cutoff) this.appCalls.shift();
  }

  /** Counts one call; returns the throttle error when it goes over (or arrives during) a block. */
  record(bucket: UsageBucket, isWrite: boolean): GraphError | null {
    const now = this.now();
    this.refresh(now);
    this.appCalls.push(now);
    const isInsights = bucket === 'ads_insights';
    if (bucket === 'ads_management' && now < this.scoreBlockedUntil) {
      return graphErrors.throttle(17, minutesUntil(this.scoreBlockedUntil - now), false);
    }
    if (now < this.bucBlockedUntil[bucket]) {
      return graphErrors.throttle(
        isInsights ? 80000 : 80004,
        minutesUntil(this.bucBlockedUntil[bucket] - now),
        isInsights,
      );
    }
    this.calls[bucket].push(now);
    if (bucket === 'ads_management') {
      this.score += isWrite ? 3 : 1;
      if (this.score > this.config.scoreMax) {
        this.scoreBlockedUntil = now + this.config.blockMs;
        return graphErrors.throttle(17, minutesUntil(this.config.blockMs), false);
      }
    }
    const list = this.calls[bucket];
    if (list.length > this.limit(bucket)) {
      this.bucBlockedUntil[bucket] = (list[0] ?? now) + HOUR_MS;
      return graphErrors.throttle(
        isInsights ? 80000 : 80004,
        minutesUntil(this.bucBlockedUntil[bucket] - now),
        isInsights,
      );
    }
    return null;
  }

  reset(): void {
    this.score = 0;
    this.scoreBlockedUntil = 0;
    this.calls.ads_management = [];
    this.calls.ads_insights = [];
    this.bucBlockedUntil.ads_management = 0;
    this.bucBlockedUntil.ads_insights = 0;
    this.appCalls = [];
  }

  /** The four usage headers as JSON strings (percentages; eta in minutes, reset_time_duration in seconds). */
  headers(accountId: string, override?: UsageOverride): Record<string, string> {
    const now = this.now();
    this.refresh(now);
    const tierLabel = this.config.label;
    // CPU and wall time are not modelled: they follow the call count at fixed ratios, or read 100 when throttled.
    const share = (used: number, ratio: number): number => (used >= 100 ? 100 : Math.ceil(used * ratio));
    const bucEntry = (type: string, used: number, eta: number): Record<string, unknown> => ({
      type,
      call_count: used,
      total_cputime: share(used, 0.5),
      total_time: share(used, 0.8),
      estimated_time_to_regain_access: eta,
      ads_api_access_tier: tierLabel,
    });
    const bucEta = (bucket: UsageBucket): number => {
      const blocked = Math.max(
        this.bucBlockedUntil[bucket],
        bucket === 'ads_management' ? this.scoreBlockedUntil : 0,
      );
      return blocked > now ? minutesUntil(blocked - now) : 0;
    };
    const bucPct = (bucket: UsageBucket): number =>
      bucEta(bucket) > 0 ? 100 : pct(this.calls[bucket].length, this.limit(bucket));
    const scope = override?.scope;
    const eta = override?.etaMinutes ?? 0;
    const entries = (['ads_management', 'ads_insights'] as const).map((bucket) =>
      scope === bucket ? bucEntry(bucket, 100, eta) : bucEntry(bucket, bucPct(bucket), bucEta(bucket)),
    );
    if (typeof scope === 'object') entries.push(bucEntry(scope.buc, 100, eta));

    const scoreBlocked = this.scoreBlockedUntil > now;
    const accountPct =
      scope === 'account' || scoreBlocked
        ? 100
        : Math.round((this.score / this.config.scoreMax) * 10_000) / 100;
    const resetSeconds =
      scope === 'account'
        ? eta * 60
        : scoreBlocked
          ? Math.ceil((this.scoreBlockedUntil - now) / 1000)
          : Math.ceil((this.score / this.config.scoreMax) * (DECAY_MS / 1000));
    const appPct = scope === 'app' ? 100 : pct(this.appCalls.length, APP_CALLS_PER_HOUR);
    const insightsPct = scope === 'ads_insights' ? 100 : bucPct('ads_insights');
    return {
      'x-business-use-case-usage': JSON.stringify({ [accountId]: entries }),
      'x-ad-account-usage': JSON.stringify({
        acc_id_util_pct: accountPct,
        reset_time_duration: resetSeconds,
        ads_api_access_tier: tierLabel,
      }),
      'x-app-usage': JSON.stringify({
        call_count: appPct,
        total_time: share(appPct, 0.8),
        total_cputime: share(appPct, 0.5),
      }),
      'x-fb-ads-insights-throttle': JSON.stringify({
        app_id_util_pct: scope === 'app' ? 100 : insightsPct,
        acc_id_util_pct: insightsPct,
        ads_api_access_tier: tierLabel,
      }),
    };
  }
}
