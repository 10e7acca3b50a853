import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

// Money: insight amounts are exact decimals (numeric, read back as strings, parsed to bigint micros);
// budgets and account money fields are integer minor units, as Meta sends them.
const money = (name: string) => numeric(name, { precision: 20, scale: 6 }).notNull().default('0');
const minorUnits = (name: string) => bigint(name, { mode: 'bigint' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const ACCOUNT_SOURCES = ['meta', 'csv', 'demo'] as const;
export const BUDGET_OWNERS = ['campaign', 'adset'] as const;
export const AUDIENCE_TYPES = ['broad', 'interest', 'lookalike', 'retargeting', 'unknown'] as const;
export const STAGES = ['testing', 'validation', 'scaling'] as const;
export const EXECUTION_MODES = ['recommend', 'approve', 'auto-safe'] as const;

/**
 * How an account applies changes, beside its mode: the auto-safe allow-list and caps, and how old an
 * approval may get. Validated by `services/execution-settings.service.ts`; absent keys take defaults.
 */
export type ExecutionSettings = {
  /** Rule ids (a trailing `*` matches a prefix) whose recommendations auto-safe applies by itself. */
  autoSafeRules?: string[];
  /** The largest budget change, in percent either way, auto-safe applies by itself. */
  autoSafeMaxPercent?: number;
  /** The most changes auto-safe applies by itself per account per day (the account's time zone). */
  autoSafeMaxPerDay?: number;
  /** An approval of a decision older than this is stale and refused. */
  approvalMaxAgeHours?: number;
};

/** The highest Graph API usage percent in the response headers of an account's last call, and when. */
export type RateLimitReading = {
  maxPercent: number;
  /** Meta's estimated wait before calls are accepted again, in minutes (0 unless throttled). */
  regainAccessMinutes: number;
  observedAt: string;
};

export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  source: text('source', { enum: ACCOUNT_SOURCES }).notNull(),
  externalId: text('external_id'),
  name: text('name').notNull(),
  currency: text('currency').notNull(),
  timezone: text('timezone').notNull().default('UTC'),
  status: text('status'),
  disableReason: text('disable_reason'),
  spendCapMinor: minorUnits('spend_cap_minor'),
  amountSpentMinor: minorUnits('amount_spent_minor'),
  balanceMinor: minorUnits('balance_minor'),
  attributionSetting: text('attribution_setting'),
  executionMode: text('execution_mode', { enum: EXECUTION_MODES }).notNull().default('recommend'),
  executionSettings: jsonb('execution_settings').$type<ExecutionSettings>().notNull().default({}),
  /** While set, nothing is written to Meta for this account, until a person clears it. */
  killSwitchReason: text('kill_switch_reason'),
  tokenCiphertext: text('token_ciphertext'),
  tokenExpiresAt: timestamp('token_expires_at', { withTimezone: true }),
  tokenScopes: jsonb('token_scopes').$type<string[]>(),
  /** Why syncing stopped (for example an expired token); cleared by a successful sync. */
  syncBlockedReason: text('sync_blocked_reason'),
  lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
  /** This account's own Slack incoming webhook (encrypted like the token); null uses SLACK_WEBHOOK_URL. */
  slackWebhookCiphertext: text('slack_webhook_ciphertext'),
  /** The Graph API usage headers as the last sync left them (`services/account-health.service.ts`). */
  rateLimitUsage: jsonb('rate_limit_usage').$type<RateLimitReading>(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const campaigns = pgTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    externalId: text('external_id'),
    name: text('name').notNull(),
    objective: text('objective'),
    status: text('status'),
    budgetOwner: text('budget_owner', { enum: BUDGET_OWNERS }),
    dailyBudgetMinor: minorUnits('daily_budget_minor'),
    lifetimeBudgetMinor: minorUnits('lifetime_budget_minor'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('campaigns_account_idx').on(t.accountId)],
);

export const adsets = pgTable(
  'adsets',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    campaignId: text('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
    externalId: text('external_id'),
    name: text('name').notNull(),
    status: text('status'),
    dailyBudgetMinor: minorUnits('daily_budget_minor'),
    lifetimeBudgetMinor: minorUnits('lifetime_budget_minor'),
    learningStage: text('learning_stage'),
    audienceType: text('audience_type', { enum: AUDIENCE_TYPES }).notNull().default('unknown'),
    lookalikePercent: numeric('lookalike_percent', { precision: 5, scale: 2 }),
    stage: text('stage', { enum: STAGES }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('adsets_account_idx').on(t.accountId), index('adsets_campaign_idx').on(t.campaignId)],
);

export const ads = pgTable(
  'ads',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    campaignId: text('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
    adsetId: text('adset_id').references(() => adsets.id, { onDelete: 'cascade' }),
    externalId: text('external_id'),
    name: text('name').notNull(),
    status: text('status'),
    creativeId: text('creative_id'),
    stage: text('stage', { enum: STAGES }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('ads_account_idx').on(t.accountId), index('ads_adset_idx').on(t.adsetId)],
);

export const INSIGHT_SOURCES = ['csv', 'meta'] as const;

/**
 * The columns every insight table shares. A row covers [date_start, date_stop] in the account's time
 * zone: equal for daily rows, wider for whole-period CSV rows.
 */
const insightColumns = () => ({
  // No foreign key or index here: the entity's key already cascades from the account and reaches its rows
  // through the primary key; each extra check or index per row costs a tenth or more of write speed.
  accountId: text('account_id').notNull(),
  dateStart: date('date_start', { mode: 'string' }).notNull(),
  dateStop: date('date_stop', { mode: 'string' }).notNull(),
  spend: money('spend'),
  revenue: money('revenue'),
  purchases: integer('purchases').notNull().default(0),
  impressions: integer('impressions').notNull().default(0),
  reach: integer('reach').notNull().default(0),
  linkClicks: integer('link_clicks').notNull().default(0),
  addsToCart: integer('adds_to_cart').notNull().default(0),
  checkoutsInitiated: integer('checkouts_initiated').notNull().default(0),
  videoViews: integer('video_views').notNull().default(0),
  attributionSetting: text('attribution_setting'),
  source: text('source', { enum: INSIGHT_SOURCES }).notNull(),
  // When the row was first stored, last confirmed, and last seen with different numbers (late conversions).
  firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
});

export const campaignInsights = pgTable(
  'campaign_insights',
  {
    campaignId: text('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    ...insightColumns(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.dateStart, t.dateStop] })],
);

export const adsetInsights = pgTable(
  'adset_insights',
  {
    adsetId: text('adset_id')
      .notNull()
      .references(() => adsets.id, { onDelete: 'cascade' }),
    ...insightColumns(),
  },
  (t) => [primaryKey({ columns: [t.adsetId, t.dateStart, t.dateStop] })],
);

export const adInsights = pgTable(
  'ad_insights',
  {
    adId: text('ad_id')
      .notNull()
      .references(() => ads.id, { onDelete: 'cascade' }),
    ...insightColumns(),
  },
  (t) => [primaryKey({ columns: [t.adId, t.dateStart, t.dateStop] })],
);

/** One row per CSV import, so a buyer can see what came from which file. */
export const imports = pgTable('imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  fileName: text('file_name').notNull(),
  fileSha256: text('file_sha256').notNull(),
  level: text('level', { enum: ['campaign', 'adset', 'ad'] }).notNull(),
  rows: integer('rows').notNull(),
  dateFrom: date('date_from', { mode: 'string' }).notNull(),
  dateTo: date('date_to', { mode: 'string' }).notNull(),
  warnings: jsonb('warnings').$type<string[]>().notNull().default([]),
  importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
});

export const ENTITY_LEVELS = ['campaign', 'adset', 'ad'] as const;
export const ACTIONS = ['SCALE', 'HOLD', 'PAUSE', 'RETEST', 'PROMOTE'] as const;
export const CONFIDENCES = ['HIGH', 'MEDIUM', 'LOW'] as const;
export const RECOMMENDATION_STATUSES = [
  'pending',
  'approved',
  'rejected',
  'applied',
  'superseded',
  'expired',
] as const;

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['viewer', 'approver', 'admin'] }).notNull(),
  createdAt: createdAt(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

export const sessions = pgTable(
  'sessions',
  {
    // The hash of the cookie token, never the token itself.
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Versioned thresholds and rules; `scope` is 'global' or an account id. */
export const settingsVersions = pgTable(
  'settings_versions',
  {
    id: serial('id').primaryKey(),
    scope: text('scope').notNull().default('global'),
    version: integer('version').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    comment: text('comment'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [unique('settings_scope_version_uq').on(t.scope, t.version)],
);

export const recommendations = pgTable(
  'recommendations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** One `roas recommend` run: storing the same run again changes nothing. */
    runId: uuid('run_id').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    level: text('level', { enum: ENTITY_LEVELS }).notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action', { enum: ACTIONS }).notNull(),
    scalePercent: numeric('scale_percent', { precision: 7, scale: 2 }),
    newDailyBudgetMinor: minorUnits('new_daily_budget_minor'),
    confidence: text('confidence', { enum: CONFIDENCES }).notNull(),
    bucket: text('bucket'),
    trend: text('trend'),
    stage: text('stage', { enum: STAGES }),
    reasons: jsonb('reasons').$type<unknown[]>().notNull(),
    risks: jsonb('risks').$type<unknown[]>().notNull(),
    guardrails: jsonb('guardrails').$type<unknown[]>().notNull(),
    inputs: jsonb('inputs').$type<Record<string, unknown>>().notNull(),
    explanation: text('explanation').notNull(),
    /** The `settings_versions.id` the run used, or 0 for the engine's bundled defaults. */
    settingsVersion: integer('settings_version').notNull(),
    engineVersion: text('engine_version').notNull(),
    modelVersion: text('model_version'),
    /** The Claude analyst's review of this decision (`services/analyst/`); null when no analyst ran. */
    analyst: jsonb('analyst').$type<Record<string, unknown>>(),
    status: text('status', { enum: RECOMMENDATION_STATUSES }).notNull().default('pending'),
    /** Why applying it did not go through (stale, held by a guardrail, refused by Meta, waiting for a slot). */
    statusReason: text('status_reason'),
    reviewedBy: uuid('reviewed_by').references(() => users.id, { onDelete: 'set null' }),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewComment: text('review_comment'),
    generatedAt: timestamp('generated_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // The dashboard's list: newest run first, then id, so a page is read straight off the index (keyset).
    index('recommendations_account_generated_idx').on(t.accountId, t.generatedAt, t.id),
    index('recommendations_generated_idx').on(t.generatedAt, t.id),
    index('recommendations_reviewed_idx')
      .on(t.reviewedAt)
      .where(sql`${t.reviewedAt} is not null`),
    index('recommendations_entity_idx').on(t.entityId),
    unique('recommendations_run_entity_uq').on(t.runId, t.level, t.entityId),
  ],
);

export const ACTION_STATUSES = ['queued', 'confirmed', 'rejected', 'unknown', 'undone'] as const;

export const actions = pgTable(
  'actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recommendationId: uuid('recommendation_id').references(() => recommendations.id, {
      onDelete: 'set null',
    }),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    level: text('level', { enum: ENTITY_LEVELS }).notNull(),
    entityId: text('entity_id').notNull(),
    kind: text('kind', { enum: ['budget', 'status', 'promote'] }).notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    request: jsonb('request').$type<Record<string, unknown>>().notNull(),
    priorState: jsonb('prior_state').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ACTION_STATUSES }).notNull().default('queued'),
    metaResponse: jsonb('meta_response').$type<Record<string, unknown>>(),
    /** Writes sent under this idempotency key: a lost answer is resent at most once. */
    attempts: integer('attempts').notNull().default(0),
    /** When the latest write was claimed for sending: while recent, another apply leaves the action alone. */
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** The action this one reverts (`roas undo`). */
    undoesActionId: uuid('undoes_action_id').references((): AnyPgColumn => actions.id, {
      onDelete: 'set null',
    }),
    approvedBy: uuid('approved_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
  },
  (t) => [index('actions_entity_idx').on(t.entityId, t.createdAt)],
);

export const outcomes = pgTable(
  'outcomes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    recommendationId: uuid('recommendation_id')
      .notNull()
      .references(() => recommendations.id, { onDelete: 'cascade' }),
    horizonDays: integer('horizon_days').notNull(),
    baseline: jsonb('baseline').$type<Record<string, unknown>>().notNull(),
    observed: jsonb('observed').$type<Record<string, unknown>>().notNull(),
    verdict: text('verdict', { enum: ['hit', 'miss', 'inconclusive'] }).notNull(),
    measuredAt: timestamp('measured_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('outcomes_recommendation_horizon_uq').on(t.recommendationId, t.horizonDays)],
);

export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: text('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: ['slack'] }).notNull(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Enqueuing the same event twice (a retried job) queues it once. */
    dedupeKey: text('dedupe_key').unique(),
    /** Not sent before this time: the retry backoff, Slack's Retry-After, or a dispatcher's claim. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('notifications_status_idx').on(t.status, t.createdAt)],
);

export const HEALTH_SEVERITIES = ['warning', 'critical'] as const;

/**
 * The health problems an account has now (or had: `resolved_at`), one row per check, so an hourly
 * check alerts once when a problem appears or changes, and trips the kill switch once.
 */
export const accountHealthAlerts = pgTable(
  'account_health_alerts',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    check: text('check').notNull(),
    severity: text('severity', { enum: HEALTH_SEVERITIES }).notNull(),
    /** What makes two findings the same problem (a changed one alerts again). */
    fingerprint: text('fingerprint').notNull(),
    message: text('message').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    alertedAt: timestamp('alerted_at', { withTimezone: true }),
    /** When this problem tripped the kill switch (once per occurrence: a person may clear it). */
    trippedAt: timestamp('tripped_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.check] })],
);

export const models = pgTable(
  'models',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: text('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['roas_forecast', 'purchase_probability', 'fatigue_onset'] }).notNull(),
    version: integer('version').notNull(),
    features: jsonb('features').$type<string[]>().notNull(),
    trainedFrom: date('trained_from', { mode: 'string' }).notNull(),
    trainedTo: date('trained_to', { mode: 'string' }).notNull(),
    metrics: jsonb('metrics').$type<Record<string, unknown>>().notNull(),
    artifact: jsonb('artifact').$type<Record<string, unknown>>().notNull(),
    isActive: boolean('is_active').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [unique('models_account_kind_version_uq').on(t.accountId, t.kind, t.version)],
);

export const predictions = pgTable(
  'predictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    modelId: uuid('model_id')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    level: text('level', { enum: ENTITY_LEVELS }).notNull(),
    entityId: text('entity_id').notNull(),
    predictedFor: date('predicted_for', { mode: 'string' }).notNull(),
    value: jsonb('value').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('predictions_entity_idx').on(t.entityId, t.predictedFor)],
);

export const PROPOSAL_STATUSES = ['proposed', 'approved', 'rejected', 'superseded'] as const;

/**
 * A bounded threshold change argued for by outcome hit rates (`@roas/core` adaptive.ts), with its
 * expected effect measured on the simulator. It changes nothing until an admin approves it; approval
 * saves the changed rules as a new settings version.
 */
export const thresholdProposals = pgTable(
  'threshold_proposals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** `global` or an account id, as for settings versions. */
    scope: text('scope').notNull(),
    /** The lever and direction (`buckets.winnerAtLeast:up`): a newer proposal supersedes an older one. */
    key: text('key').notNull(),
    title: text('title').notNull(),
    changes: jsonb('changes').$type<{ path: (string | number)[]; from: number; to: number }[]>().notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
    reason: text('reason').notNull(),
    /** The simulator's paired comparison of the current and the proposed rules; null when not measured. */
    expectedEffect: jsonb('expected_effect').$type<Record<string, unknown>>(),
    /** The settings version the proposal was made against (0 for the bundled defaults). */
    basedOnSettingsVersion: integer('based_on_settings_version').notNull(),
    status: text('status', { enum: PROPOSAL_STATUSES }).notNull().default('proposed'),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** The settings version an approval created. */
    resultingSettingsVersion: integer('resulting_settings_version'),
    createdAt: createdAt(),
  },
  (t) => [index('threshold_proposals_scope_idx').on(t.scope, t.status, t.createdAt)],
);

/** Who did what and when: approvals, settings changes, user changes. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    subject: text('subject').notNull(),
    details: jsonb('details')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_events_at_idx').on(t.at)],
);

/**
 * Every reading of an insight row whose numbers differed from the previous one, with when it was
 * read: the attribution-lag curve is learned from how purchases grow with the age of a day.
 */
export const insightRevisions = pgTable(
  'insight_revisions',
  {
    level: text('level', { enum: ENTITY_LEVELS }).notNull(),
    entityId: text('entity_id').notNull(),
    accountId: text('account_id').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    observedAt: timestamp('observed_at', { withTimezone: true }).notNull(),
    spend: money('spend'),
    revenue: money('revenue'),
    purchases: integer('purchases').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.level, t.entityId, t.date, t.observedAt] }),
    index('insight_revisions_account_idx').on(t.accountId, t.date),
  ],
);

export const SYNC_STATUSES = ['running', 'done', 'failed'] as const;

/** One sync of one account; `checkpoint` records the finished steps so a killed sync resumes there. */
export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    status: text('status', { enum: SYNC_STATUSES }).notNull(),
    since: date('since', { mode: 'string' }).notNull(),
    until: date('until', { mode: 'string' }).notNull(),
    checkpoint: jsonb('checkpoint').$type<{ done: string[] }>().notNull().default({ done: [] }),
    stats: jsonb('stats').$type<Record<string, number>>().notNull().default({}),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('sync_runs_account_idx').on(t.accountId, t.startedAt)],
);

/** OAuth `state` values handed out and not yet used; a callback consumes its row, so a replay fails. */
export const oauthStates = pgTable('oauth_states', {
  nonceHash: text('nonce_hash').primaryKey(),
  returnTo: text('return_to'),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export const JOB_RUN_STATUSES = ['running', 'done', 'skipped', 'failed', 'abandoned'] as const;

/**
 * One execution of a scheduled job (`src/jobs/`) by one worker: `roas serve`'s in-process scheduler
 * or a `roas worker`. Written after the job's lock is taken and finished before it is released, so the
 * runs of one account never overlap in time; `abandoned` marks a run whose worker died.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The pg-boss job id, or the in-process scheduler's own id: a retried job keeps it. */
    jobId: text('job_id').notNull(),
    name: text('name').notNull(),
    /** Null for jobs over every account (fan-out, outcomes, health, notifications). */
    accountId: text('account_id'),
    workerId: text('worker_id').notNull(),
    attempt: integer('attempt').notNull().default(1),
    status: text('status', { enum: JOB_RUN_STATUSES }).notNull(),
    summary: jsonb('summary').$type<Record<string, unknown>>(),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('job_runs_account_idx').on(t.accountId, t.startedAt),
    index('job_runs_running_idx')
      .on(t.status)
      .where(sql`status = 'running'`),
  ],
);

export const ANALYST_CALL_OUTCOMES = [
  'ok',
  'malformed',
  'failed',
  'skipped-cost-cap',
  'skipped-unavailable',
] as const;

/**
 * Every Claude analyst call of a recommend run (one batch of recommendations each), including the
 * ones the cost cap or an unreachable endpoint stopped: prompt version, model, tokens, cost, latency,
 * and what became of each recommendation in it. Never the API key.
 */
export const analystCalls = pgTable(
  'analyst_calls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    promptVersion: text('prompt_version').notNull(),
    model: text('model').notNull(),
    outcome: text('outcome', { enum: ANALYST_CALL_OUTCOMES }).notNull(),
    /** Per recommendation: `{ level, entityId, outcome, detail }`. */
    items: jsonb('items').$type<Record<string, unknown>[]>().notNull(),
    stopReason: text('stop_reason'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    /** What the call cost (or, with no usage known, may have cost) in 10^-9 USD. */
    costNanoUsd: bigint('cost_nano_usd', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    latencyMs: integer('latency_ms').notNull().default(0),
    error: text('error'),
    createdAt: createdAt(),
    /** Insertion order: calls a few microseconds apart may share a timestamp (PGlite's clock is coarse). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
  },
  (t) => [index('analyst_calls_run_idx').on(t.runId, t.seq)],
);
