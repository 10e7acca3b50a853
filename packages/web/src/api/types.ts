// The HTTP API's shapes as the dashboard reads them: a copy of packages/app/src/http/contract.ts
// (the web package talks to the server over HTTP only, so it cannot import it).

export const ROLES = ['viewer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type SessionUser = { id?: string; username: string; role: Role };
export type Me = { user: SessionUser; csrfToken: string; expiresAt: string };

export const ACTIONS = ['SCALE', 'PAUSE', 'RETEST', 'PROMOTE', 'HOLD'] as const;
export type Action = (typeof ACTIONS)[number];

export const CONFIDENCES = ['HIGH', 'MEDIUM', 'LOW'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const AUDIENCES = ['broad', 'interest', 'lookalike', 'retargeting', 'unknown'] as const;

export const STAGES = ['testing', 'validation', 'scaling'] as const;
export type Stage = (typeof STAGES)[number];

export const STATUSES = ['pending', 'approved', 'rejected', 'superseded'] as const;

/** An exact amount of money in the account currency. */
export type Money = { minor: string; amount: string; formatted: string; currency: string };

export type AccountRef = { id: string; name: string; currency: string; timezone: string };
export type CampaignRef = { id: string | null; name: string | null };
export type UserRef = { id: string | null; username: string | null };
export type Audience = { type: string; lookalikePercent: number | null };
export type KillSwitch = { isOn: boolean; reason: string | null };

export type Account = {
  id: string;
  name: string;
  source: string;
  currency: string;
  timezone: string;
  status: string | null;
  executionMode: string;
  lastSyncedAt: string | null;
  tokenExpiresAt: string | null;
  syncBlockedReason: string | null;
  killSwitch: KillSwitch;
};

export type RoasEstimate = { mean: number; lo: number; hi: number; probabilityAboveBreakEven: number };

export type Reason = {
  ruleId: string;
  metric: string;
  observed: number | null;
  threshold: number | null;
  passed: boolean;
  text: string;
};

export type GuardrailCheck = { id: string; passed: boolean; changed: boolean; text: string };

export type Recommendation = {
  id: string;
  runId: string;
  account: AccountRef;
  entity: { id: string; name: string; level: 'campaign' | 'adset' | 'ad'; campaign: CampaignRef };
  action: Action;
  scalePercent: number | null;
  dailyBudget: Money | null;
  newDailyBudget: Money | null;
  appliesTo: 'adset' | 'campaign';
  confidence: Confidence;
  bucket: string | null;
  trend: string | null;
  stage: Stage | null;
  audience: Audience | null;
  roas: RoasEstimate | null;
  reasons: Reason[];
  risks: string[];
  guardrails: GuardrailCheck[];
  explanation: string;
  analyst: { outcome: string; changed: boolean; model: string; promptVersion: string } | null;
  status: string;
  asOf: string | null;
  createdAt: string;
  reviewedBy: UserRef | null;
  reviewedAt: string | null;
  comment: string | null;
  settingsVersionId: number;
  engineVersion: string;
};

export type RecommendationPage = { items: Recommendation[]; nextCursor: string | null; total: number };

/** Query parameters of GET /api/recommendations; list filters are comma-separated. */
export type RecommendationFilters = {
  account?: string;
  action?: string;
  confidence?: string;
  audience?: string;
  stage?: string;
  status?: string;
  from?: string;
  to?: string;
};

export type ReviewResult = {
  decision: 'approve' | 'reject';
  reviewedAt: string;
  reviewedBy: { id: string | null; username: string };
  items: Recommendation[];
  /** Approved recommendations the account's mode sent to Meta, with what happened. */
  applied: {
    recommendationId: string;
    outcome: 'confirmed' | 'rejected' | 'unknown' | 'deferred' | 'refused' | 'skipped' | 'dry-run';
    reason: string | null;
    actionId: string | null;
  }[];
  /** Why an approval was recorded but not sent (recommend mode, kill switch, ...). */
  applyNotes: string[];
};

export type RunSummary = {
  runId: string | null;
  generatedAt: string;
  accounts: {
    account: { id: string; name: string; currency: string };
    runId: string | null;
    asOf: string;
    settingsVersionId: number;
    settingsSource: 'account' | 'global' | 'default';
    notes: string[];
    total: number;
    counts: Record<Action, number>;
  }[];
};

export type Budget = { owner: 'adset' | 'campaign' | null; daily: Money | null; lifetime: Money | null };

/** Sums over a range; money in major units of the account currency. */
export type WindowMetrics = {
  spend: number;
  revenue: number;
  purchases: number;
  impressions: number;
  clicks: number;
  roas: number | null;
  cpa: number | null;
};

export type LatestRecommendation = {
  id: string;
  action: string;
  scalePercent: number | null;
  confidence: string;
  status: string;
  createdAt: string;
};

export type AdSetRow = {
  id: string;
  name: string;
  campaign: CampaignRef;
  status: string | null;
  budget: Budget;
  audience: Audience;
  stage: Stage | null;
  learningStage: string | null;
  metrics: WindowMetrics;
  latestRecommendation: LatestRecommendation | null;
};

export type AdSetList = {
  account: AccountRef;
  range: { from: string; to: string } | null;
  items: AdSetRow[];
};

export type DailyPoint = {
  date: string;
  spend: number;
  revenue: number;
  purchases: number;
  impressions: number;
  clicks: number;
  roas: number | null;
  cpa: number | null;
  ctr: number | null;
  frequency: number | null;
  completeness: number;
  immature: boolean;
};

export type ActionRecord = {
  id: string;
  recommendationId: string | null;
  kind: string;
  status: string;
  request: Record<string, unknown>;
  priorState: Record<string, unknown>;
  metaResponse: Record<string, unknown> | null;
  approvedBy: UserRef | null;
  createdAt: string;
  appliedAt: string | null;
};

export type EntityDetail = {
  entity: {
    id: string;
    level: 'adset' | 'ad';
    name: string;
    status: string | null;
    account: AccountRef;
    campaign: CampaignRef;
    adset: { id: string; name: string | null } | null;
    budget: Budget;
    audience: Audience;
    stage: Stage | null;
    learningStage: string | null;
    ads: { id: string; name: string; status: string | null }[];
  };
  range: { from: string; to: string; days: number } | null;
  asOf: string;
  lagCurve: { source: 'learned' | 'default'; completeness: number[] };
  daily: DailyPoint[];
  totals: WindowMetrics;
  recommendations: Recommendation[];
  actions: ActionRecord[];
};

export type HistoryItem =
  | { kind: 'review'; id: string; at: string; recommendation: Recommendation }
  | {
      kind: 'action';
      id: string;
      at: string;
      account: { id: string; name: string; currency: string };
      entity: { id: string; name: string; level: 'campaign' | 'adset' | 'ad'; campaign: CampaignRef };
      action: ActionRecord;
    };

export type HistoryPage = { items: HistoryItem[]; nextCursor: string | null };

export type HitRate = {
  horizonDays: number;
  hits: number;
  misses: number;
  inconclusive: number;
  total: number;
  hitRate: number | null;
};

export type OutcomeSummary = {
  note: string | null;
  /** When the newest outcome was measured (ISO); null before any. */
  measuredAt: string | null;
  overall: HitRate[];
  byAction: (HitRate & { action: string })[];
  byRuleCell: (HitRate & { action: string; bucket: string | null; trend: string | null })[];
  byAudience: (HitRate & { audienceType: string })[];
  byStage: (HitRate & { stage: string | null })[];
};

export type SettingsVersion = {
  id: number;
  scope: string;
  version: number;
  comment: string | null;
  createdBy: { id: string; username: string | null } | null;
  createdAt: string;
};

export type Settings = {
  scope: string;
  source: 'account' | 'global' | 'default';
  versionId: number;
  version: SettingsVersion | null;
  rules: Record<string, unknown>;
  yaml: string;
};

export type ValidationIssue = {
  path: string | null;
  line: number | null;
  column: number | null;
  message: string;
};
export type SettingsValidation = { ok: boolean; issues: ValidationIssue[] };
export type SettingsChange = {
  path: string;
  kind: 'changed' | 'added' | 'removed';
  old: unknown;
  new: unknown;
};
export type SettingsSaved = { version: SettingsVersion; changes: SettingsChange[] };
export type SettingsDiff = {
  from: SettingsVersion | null;
  to: SettingsVersion | null;
  changes: SettingsChange[];
};

export type AccountHealth = {
  account: { id: string; name: string; source: string; status: string | null; disableReason: string | null };
  checkedAt: string;
  token: {
    expiresAt: string | null;
    daysLeft: number | null;
    warning: string | null;
    scopes: string[];
  } | null;
  sync: {
    blockedReason: string | null;
    lastSyncedAt: string | null;
    lastRun: {
      status: 'running' | 'done' | 'failed';
      since: string;
      until: string;
      startedAt: string;
      finishedAt: string | null;
      error: string | null;
      stats: Record<string, number>;
    } | null;
  };
  killSwitch: KillSwitch;
  spend: {
    spendCap: Money | null;
    amountSpent: Money | null;
    /** Owed to Meta and not billed yet. */
    balance: Money | null;
    capUsedPercent: number | null;
    capRemaining: Money | null;
    /** Average daily spend over the last 7 complete days. */
    dailyPace: Money | null;
    capDaysLeft: number | null;
  };
  dataThrough: string | null;
  /** Graph API usage headers as the last sync left them; null before the first sync. */
  rateLimit: { maxPercent: number; regainAccessMinutes: number; observedAt: string; isHigh: boolean } | null;
  tracking: {
    checked: boolean;
    note: string;
    isFlatline: boolean;
    zeroDays: string[];
    expectedPurchases: number | null;
    probability: number | null;
    baseline: { from: string; to: string; purchases: number } | null;
  };
  findings: HealthFinding[];
  alerts: HealthAlert[];
  problems: string[];
};

export type HealthCheckId =
  'account_status' | 'spend_cap' | 'tracking_flatline' | 'rate_limit' | 'token' | 'sync';

export type HealthFinding = {
  check: HealthCheckId;
  severity: 'warning' | 'critical';
  message: string;
  fingerprint: string;
  tripsKillSwitch: boolean;
};

export type HealthAlert = {
  check: string;
  severity: 'warning' | 'critical';
  message: string;
  firstSeenAt: string;
  alertedAt: string | null;
  trippedAt: string | null;
  resolvedAt: string | null;
};

export type ThresholdProposal = {
  id: string;
  scope: string;
  key: string;
  title: string;
  changes: { path: (string | number)[]; from: number; to: number }[];
  evidence: {
    group?: string;
    hits?: number;
    misses?: number;
    hitRate?: number;
    interval?: number[];
    trigger?: string;
  };
  reason: string;
  expectedEffect: {
    scenario?: string;
    seeds?: number;
    days?: number;
    trueProfitDelta?: number;
    trueProfitDeltaInterval?: number[];
    gapClosedBefore?: number;
    gapClosedAfter?: number;
    verdict?: string;
  } | null;
  basedOnSettingsVersion: number;
  status: 'proposed' | 'approved' | 'rejected' | 'superseded';
  decidedBy: string | null;
  decidedAt: string | null;
  resultingSettingsVersion: number | null;
  createdAt: string;
};

export const MODEL_KINDS = ['roas_forecast', 'purchase_probability', 'fatigue_onset'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A model's accuracy on the days it was not trained on, beside the naive baselines (lower is better). */
export type ModelHoldout = {
  metric: 'mae' | 'brier';
  model: number;
  baselines: Record<string, number>;
  gate: string;
  alsoBeat?: string[];
  rows: number;
  rankCorrelation: number | null;
};

export type ModelInfo = {
  id: string;
  accountId: string | null;
  kind: ModelKind;
  version: number;
  label: string;
  scope: 'account' | 'cold-start';
  isActive: boolean;
  inUse: boolean;
  usage: string;
  trainedAt: string;
  trainedFrom: string;
  trainedTo: string;
  holdout: ModelHoldout | null;
  verdict: string | null;
  training: Record<string, unknown>;
};

export type ModelsView = {
  account: { id: string; name: string } | null;
  mlEnabled: boolean;
  models: ModelInfo[];
};
