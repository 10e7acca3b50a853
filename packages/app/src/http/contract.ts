import { AUDIENCE_TYPES, CONFIDENCE_LEVELS, DECISION_ACTIONS, isIsoDate, STAGES } from '@roas/core';
import { z } from 'zod';
import {
  ACCOUNT_SOURCES,
  ACTION_STATUSES,
  EXECUTION_MODES,
  RECOMMENDATION_STATUSES,
} from '../adapters/db/schema.ts';
import { HEALTH_CHECKS } from '../services/health-findings.ts';
import { decodeHistoryCursor } from '../services/history.service.ts';
import { decodeRecommendationCursor } from '../services/recommendations.service.ts';
import { ROLES } from '../services/users.service.ts';

/**
 * The API's input and output shapes, in one place. Inputs are parsed with these schemas at the edge;
 * outputs document what services return (their types are checked against them at compile time), and
 * `/api/openapi.json` is generated from both.
 */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

function component<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  apiSchemas.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}

// ---------------------------------------------------------------------------------------------- inputs

const isoDate = z.string().refine(isIsoDate, 'must be a date like 2026-03-15');

/** A comma-separated list of allowed values (`action=SCALE,PAUSE`). */
function csvOf<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z
    .string()
    .transform((text, ctx) => {
      const parts = text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      const unknown = parts.filter((part) => !values.includes(part));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `${unknown.map((u) => `"${u}"`).join(', ')} is not one of ${values.join(', ')}`,
        });
        return z.NEVER;
      }
      return parts;
    })
    .optional()
    .meta({ description: `${description} (${values.join(', ')})` });
}

const limit = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .default(fallback)
    .meta({ description: `page size (default ${fallback}, at most ${max})` });

const dayOrInstant = (edge: 'start' | 'end') =>
  z
    .string()
    .refine(
      (text) => isIsoDate(text) || !Number.isNaN(Date.parse(text)),
      'must be a date (2026-03-15) or an ISO date-time',
    )
    .transform((text) => {
      if (!isIsoDate(text)) return new Date(text);
      const start = new Date(`${text}T00:00:00.000Z`);
      return edge === 'start' ? start : new Date(start.getTime() + 86_400_000);
    })
    .optional();

const accountParam = z
  .string()
  .min(1, 'is required')
  .max(200)
  .meta({ description: 'an account id (act_… for Meta)' });
const uuid = z.uuid('must be a UUID');

export const idParams = z.object({ id: z.string().min(1, 'is required').max(200) });
export const uuidParams = z.object({ id: uuid });

export const adsetsQuery = z.object({
  from: isoDate.optional().meta({ description: 'first day (default: 6 days before `to`)' }),
  to: isoDate.optional().meta({ description: "last day (default: the account's newest day with data)" }),
});

export const entityDetailQuery = z.object({
  days: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(400, 'must be at most 400')
    .default(60)
    .meta({ description: 'days of daily metrics, ending on the newest day with data (default 60)' }),
});

/** A keyset cursor as given back in `nextCursor`, decoded; anything else is refused by name. */
function cursorParam<T>(decode: (text: string) => T | null) {
  return z
    .string()
    .max(200)
    .transform((text, ctx) => {
      const cursor = decode(text);
      if (cursor === null) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor from this list (use nextCursor as given)' });
        return z.NEVER;
      }
      return cursor;
    })
    .optional()
    .meta({ description: 'nextCursor of the previous page' });
}

export const recommendationsQuery = z.object({
  account: accountParam.optional(),
  action: csvOf(DECISION_ACTIONS, 'actions, comma-separated: SCALE,PAUSE'),
  confidence: csvOf(CONFIDENCE_LEVELS, 'confidence levels, comma-separated'),
  audience: csvOf(AUDIENCE_TYPES, 'audience types the decision saw, comma-separated'),
  stage: csvOf([...STAGES, 'none'], 'pipeline stages, comma-separated; `none` for ad sets in no stage'),
  status: csvOf(RECOMMENDATION_STATUSES, 'statuses, comma-separated: pending,approved'),
  from: dayOrInstant('start').meta({ description: 'decided on or after this day (UTC) or instant' }),
  to: dayOrInstant('end').meta({ description: 'decided on or before this day (UTC) or before this instant' }),
  cursor: cursorParam(decodeRecommendationCursor),
  limit: limit(50, 200),
});

export const reviewBody = z
  .object({ comment: z.string().max(2000, 'must be at most 2000 characters').optional() })
  .optional()
  .transform((body) => body ?? {});

export const bulkReviewBody = z.object({
  ids: z.array(uuid).min(1, 'give at least one id').max(1000, 'at most 1000 ids at once'),
  decision: z.enum(['approve', 'reject'], { error: 'must be approve or reject' }),
  comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
});

export const runBody = z
  .object({ accountId: accountParam.optional() })
  .optional()
  .transform((body) => body ?? {});

export const historyQuery = z.object({
  account: accountParam.optional(),
  from: dayOrInstant('start').meta({ description: 'on or after this day (UTC) or instant' }),
  to: dayOrInstant('end').meta({ description: 'on or before this day (UTC) or before this instant' }),
  cursor: cursorParam(decodeHistoryCursor),
  limit: limit(50, 200),
});

export const accountQuery = z.object({ account: accountParam.optional() });

export const validateSettingsBody = z.object({
  yaml: z.string().max(1_000_000, 'must be at most 1 MB'),
});

export const updateSettingsBody = z
  .object({
    yaml: z
      .string()
      .max(1_000_000, 'must be at most 1 MB')
      .optional()
      .meta({ description: 'a whole rules file' }),
    document: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'a whole rules document as JSON (instead of yaml)' }),
    comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
    account: accountParam.optional().meta({ description: 'save for this account only (default: global)' }),
  })
  .refine((body) => (body.yaml === undefined) !== (body.document === undefined), {
    message: 'give exactly one of yaml or document',
    path: ['yaml'],
  });

export const settingsDiffQuery = z.object({
  from: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0).meta({
    description: 'settings version id (0 = the bundled defaults)',
  }),
  to: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0).meta({
    description: 'settings version id (0 = the bundled defaults)',
  }),
});

export const loginBody = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});
export const newUserBody = z.object({
  username: z.string().min(1).max(64),
  role: z.enum(ROLES),
  password: z.string().max(1024),
});
export const usernameParams = z.object({ username: z.string().min(1).max(256) });
export const metaStartQuery = z.object({ returnTo: z.string().optional() });
export const metaCallbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_reason: z.string().optional(),
  error_description: z.string().optional(),
});

// --------------------------------------------------------------------------------------------- outputs

const dateTime = z.string().meta({ format: 'date-time' });
const date = z.string().meta({ format: 'date', description: 'YYYY-MM-DD' });
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

export const errorResponse = component(
  'Error',
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z
        .array(
          z.object({
            path: z.string().nullable(),
            line: z.number().nullable(),
            column: z.number().nullable(),
            message: z.string(),
          }),
        )
        .optional(),
    }),
  }),
  'Every error: a stable code and a message in words; invalid settings add their issues.',
);

export const money = component(
  'Money',
  z.object({
    minor: z.string().meta({ description: 'integer minor units as Meta counts them ("24000" = 240.00 USD)' }),
    amount: z.string().meta({ description: 'exact decimal in major units ("240.00")' }),
    formatted: z.string().meta({ description: 'for display ("$240.00")' }),
    currency: z.string(),
  }),
  'An exact amount of money in the account currency.',
);

const accountRef = component(
  'AccountRef',
  z.object({ id: z.string(), name: z.string(), currency: z.string(), timezone: z.string() }),
);

const campaignRef = z.object({ id: z.string().nullable(), name: z.string().nullable() });
const userRef = z.object({ id: z.string().nullable(), username: z.string().nullable() });

export const accountSummary = component(
  'Account',
  z.object({
    id: z.string(),
    name: z.string(),
    source: z.enum(ACCOUNT_SOURCES),
    currency: z.string(),
    timezone: z.string(),
    status: z.string().nullable(),
    executionMode: z.enum(EXECUTION_MODES),
    lastSyncedAt: nullable(dateTime),
    tokenExpiresAt: nullable(dateTime),
    syncBlockedReason: z.string().nullable(),
    killSwitch: z.object({ isOn: z.boolean(), reason: z.string().nullable() }),
  }),
);

export const accountsResponse = component('AccountList', z.object({ accounts: z.array(accountSummary) }));

const reason = component(
  'Reason',
  z.object({
    ruleId: z.string(),
    metric: z.string(),
    observed: z.number().nullable(),
    threshold: z.number().nullable(),
    passed: z.boolean(),
    text: z.string(),
  }),
  'One check behind a decision: the rule, what was observed against what threshold, and whether it passed.',
);

const guardrail = component(
  'Guardrail',
  z.object({ id: z.string(), passed: z.boolean(), changed: z.boolean(), text: z.string() }),
  'A guardrail the decision went through; `changed` when it altered the action or budget.',
);

export const recommendationItem = component(
  'Recommendation',
  z.object({
    id: z.string(),
    runId: z.string(),
    account: accountRef,
    entity: z.object({
      id: z.string(),
      name: z.string(),
      level: z.enum(['campaign', 'adset', 'ad']),
      campaign: campaignRef,
    }),
    action: z.enum(DECISION_ACTIONS),
    scalePercent: z.number().nullable().meta({ description: 'signed budget change in percent (SCALE only)' }),
    dailyBudget: nullable(money).meta({
      description: 'the budget when decided (null under CBO or for imports)',
    }),
    newDailyBudget: nullable(money).meta({
      description: 'the proposed daily budget (SCALE with a known budget)',
    }),
    appliesTo: z.enum(['adset', 'campaign']),
    confidence: z.enum(CONFIDENCE_LEVELS),
    bucket: z.string().nullable(),
    trend: z.string().nullable(),
    stage: z.enum(STAGES).nullable(),
    audience: z.object({ type: z.string(), lookalikePercent: z.number().nullable() }).nullable(),
    roas: z
      .object({ mean: z.number(), lo: z.number(), hi: z.number(), probabilityAboveBreakEven: z.number() })
      .nullable(),
    reasons: z.array(reason),
    risks: z.array(z.string()),
    guardrails: z.array(guardrail),
    explanation: z.string(),
    analyst: z
      .object({ outcome: z.string(), changed: z.boolean(), model: z.string(), promptVersion: z.string() })
      .nullable()
      .meta({ description: 'the Claude analyst’s review, when one ran (it may only add caution)' }),
    status: z.enum(RECOMMENDATION_STATUSES),
    statusReason: z.string().nullable().meta({ description: 'why applying it did not go through, if so' }),
    asOf: nullable(date).meta({ description: "the date decided for, in the account's time zone" }),
    createdAt: dateTime,
    reviewedBy: nullable(userRef),
    reviewedAt: nullable(dateTime),
    comment: z.string().nullable(),
    settingsVersionId: z.number(),
    engineVersion: z.string(),
  }),
);

export const recommendationPage = component(
  'RecommendationPage',
  z.object({
    items: z.array(recommendationItem),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'pass as `cursor` for the next page; null on the last' }),
    total: z.number().meta({ description: 'recommendations matching the filter, all pages' }),
  }),
);

export const reviewResponse = component(
  'ReviewResult',
  z.object({
    decision: z.enum(['approve', 'reject']),
    reviewedAt: dateTime,
    reviewedBy: z.object({ id: z.string().nullable(), username: z.string() }),
    items: z.array(recommendationItem),
    applied: z
      .array(
        z.object({
          recommendationId: z.string(),
          outcome: z.enum(['confirmed', 'rejected', 'unknown', 'deferred', 'refused', 'skipped', 'dry-run']),
          reason: z.string().nullable(),
          actionId: z.string().nullable(),
        }),
      )
      .meta({
        description: "approved recommendations sent to Meta by the account's mode (approve, auto-safe)",
      }),
    applyNotes: z.array(z.string()).meta({
      description:
        'per account, why an approval was recorded but not sent (recommend mode, kill switch, ...)',
    }),
  }),
);

export const runResponse = component(
  'RunSummary',
  z.object({
    runId: z.string().nullable(),
    generatedAt: dateTime,
    accounts: z.array(
      z.object({
        account: z.object({ id: z.string(), name: z.string(), currency: z.string() }),
        runId: z.string().nullable(),
        asOf: date,
        settingsVersionId: z.number(),
        settingsSource: z.enum(['account', 'global', 'default']),
        engineVersion: z.string(),
        lagCurve: z.enum(['learned', 'default']),
        notes: z.array(z.string()),
        total: z.number(),
        counts: z.object(
          Object.fromEntries(DECISION_ACTIONS.map((a) => [a, z.number()])) as Record<
            (typeof DECISION_ACTIONS)[number],
            z.ZodNumber
          >,
        ),
      }),
    ),
  }),
);

const budget = component(
  'Budget',
  z.object({
    owner: z.enum(['adset', 'campaign']).nullable(),
    daily: nullable(money),
    lifetime: nullable(money),
  }),
  "The budget changes apply to: the ad set's, or its campaign's under CBO; null when unknown (imports).",
);

const windowMetrics = component(
  'WindowMetrics',
  z.object({
    spend: z.number(),
    revenue: z.number(),
    purchases: z.number(),
    impressions: z.number(),
    clicks: z.number(),
    roas: z.number().nullable(),
    cpa: z.number().nullable(),
  }),
  'Sums over a range; money in major units of the account currency; ratios null when undefined.',
);

const audience = z.object({ type: z.string(), lookalikePercent: z.number().nullable() });

export const adsetListResponse = component(
  'AdsetList',
  z.object({
    account: accountRef,
    range: z.object({ from: date, to: date }).nullable(),
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        campaign: campaignRef,
        status: z.string().nullable(),
        budget,
        audience,
        stage: z.enum(STAGES).nullable(),
        learningStage: z.string().nullable(),
        metrics: windowMetrics,
        latestRecommendation: z
          .object({
            id: z.string(),
            action: z.string(),
            scalePercent: z.number().nullable(),
            confidence: z.string(),
            status: z.string(),
            createdAt: dateTime,
          })
          .nullable(),
      }),
    ),
  }),
);

const actionItem = component(
  'Action',
  z.object({
    id: z.string(),
    recommendationId: z.string().nullable(),
    kind: z.string(),
    status: z.enum(ACTION_STATUSES).or(z.string()),
    request: z.record(z.string(), z.unknown()),
    priorState: z.record(z.string(), z.unknown()),
    metaResponse: z.record(z.string(), z.unknown()).nullable(),
    approvedBy: nullable(userRef),
    createdAt: dateTime,
    appliedAt: nullable(dateTime),
  }),
  'A change sent (or queued) to Meta, with the prior state kept for undo.',
);

const dailyPoint = component(
  'DailyPoint',
  z.object({
    date,
    spend: z.number(),
    revenue: z.number(),
    purchases: z.number(),
    impressions: z.number(),
    clicks: z.number(),
    roas: z.number().nullable(),
    cpa: z.number().nullable(),
    ctr: z.number().nullable().meta({ description: 'a fraction: 0.02 = 2%' }),
    frequency: z.number().nullable(),
    completeness: z.number().meta({ description: "share of the day's eventual purchases reported so far" }),
    immature: z.boolean().meta({ description: 'completeness below 1: late conversions still arriving' }),
  }),
);

export const entityDetailResponse = component(
  'EntityDetail',
  z.object({
    entity: z.object({
      id: z.string(),
      level: z.enum(['adset', 'ad']),
      name: z.string(),
      status: z.string().nullable(),
      account: accountRef,
      campaign: campaignRef,
      adset: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
      budget,
      audience,
      stage: z.enum(STAGES).nullable(),
      learningStage: z.string().nullable(),
      ads: z.array(z.object({ id: z.string(), name: z.string(), status: z.string().nullable() })),
    }),
    range: z.object({ from: date, to: date, days: z.number() }).nullable(),
    asOf: date,
    lagCurve: z.object({ source: z.enum(['learned', 'default']), completeness: z.array(z.number()) }),
    daily: z.array(dailyPoint),
    totals: windowMetrics,
    recommendations: z.array(recommendationItem),
    actions: z.array(actionItem),
  }),
);

export const historyResponse = component(
  'HistoryPage',
  z.object({
    items: z.array(
      z.discriminatedUnion('kind', [
        z.object({
          kind: z.literal('review'),
          id: z.string(),
          at: dateTime,
          recommendation: recommendationItem,
        }),
        z.object({
          kind: z.literal('action'),
          id: z.string(),
          at: dateTime,
          account: z.object({ id: z.string(), name: z.string(), currency: z.string() }),
          entity: z.object({
            id: z.string(),
            name: z.string(),
            level: z.enum(['campaign', 'adset', 'ad']),
            campaign: campaignRef,
          }),
          action: actionItem,
        }),
      ]),
    ),
    nextCursor: z.string().nullable(),
  }),
);

const hitRate = {
  horizonDays: z.number(),
  hits: z.number(),
  misses: z.number(),
  inconclusive: z.number(),
  total: z.number(),
  hitRate: z.number().nullable().meta({ description: 'hits / (hits + misses); null when none' }),
};

export const outcomesResponse = component(
  'OutcomeSummary',
  z.object({
    note: z.string().nullable(),
    measuredAt: dateTime.nullable().meta({ description: 'when the newest outcome was measured' }),
    overall: z.array(z.object(hitRate)),
    byAction: z.array(z.object({ ...hitRate, action: z.string() })),
    byRuleCell: z.array(
      z.object({
        ...hitRate,
        action: z.string(),
        bucket: z.string().nullable(),
        trend: z.string().nullable(),
      }),
    ),
    byAudience: z.array(z.object({ ...hitRate, audienceType: z.string() })),
    byStage: z.array(z.object({ ...hitRate, stage: z.string().nullable() })),
  }),
);

const settingsVersion = component(
  'SettingsVersion',
  z.object({
    id: z.number(),
    scope: z.string(),
    version: z.number(),
    comment: z.string().nullable(),
    createdBy: z.object({ id: z.string(), username: z.string().nullable() }).nullable(),
    createdAt: dateTime,
  }),
);

const rulesDocument = z
  .record(z.string(), z.unknown())
  .meta({ description: 'the engine rules document (see packages/app/rules/default-rules.yaml)' });

export const settingsResponse = component(
  'Settings',
  z.object({
    scope: z.string(),
    source: z.enum(['account', 'global', 'default']),
    versionId: z.number(),
    version: settingsVersion.nullable(),
    rules: rulesDocument,
    yaml: z.string(),
  }),
);

const settingsIssue = z.object({
  path: z.string().nullable(),
  line: z.number().nullable(),
  column: z.number().nullable(),
  message: z.string(),
});

export const validateSettingsResponse = component(
  'SettingsValidation',
  z.object({ ok: z.boolean(), issues: z.array(settingsIssue) }),
);

const settingsChange = z.object({
  path: z.string(),
  kind: z.enum(['changed', 'added', 'removed']),
  old: z.unknown(),
  new: z.unknown(),
});

export const updateSettingsResponse = component(
  'SettingsSaved',
  z.object({ version: settingsVersion, changes: z.array(settingsChange) }),
);

export const settingsVersionsResponse = component(
  'SettingsVersionList',
  z.object({ versions: z.array(settingsVersion) }),
);

export const settingsDiffResponse = component(
  'SettingsDiff',
  z.object({
    from: settingsVersion.nullable(),
    to: settingsVersion.nullable(),
    changes: z.array(settingsChange),
  }),
);

export const thresholdProposalsQuery = z.object({
  account: accountParam.optional(),
  status: z.enum(['proposed', 'approved', 'rejected', 'superseded']).optional(),
});

const thresholdProposal = z.object({
  id: uuid,
  scope: z.string(),
  key: z.string(),
  title: z.string(),
  changes: z.array(
    z.object({ path: z.array(z.union([z.string(), z.number()])), from: z.number(), to: z.number() }),
  ),
  evidence: z.record(z.string(), z.unknown()),
  reason: z.string(),
  expectedEffect: z.record(z.string(), z.unknown()).nullable(),
  basedOnSettingsVersion: z.number().int(),
  status: z.enum(['proposed', 'approved', 'rejected', 'superseded']),
  decidedBy: z.string().nullable(),
  decidedAt: nullable(dateTime),
  resultingSettingsVersion: z.number().int().nullable(),
  createdAt: dateTime,
});

export const thresholdProposalsResponse = component(
  'ThresholdProposalList',
  z.object({ proposals: z.array(thresholdProposal) }),
  'Bounded threshold changes argued for by outcome hit rates, newest first, with evidence and the expected effect measured on the simulator.',
);

export const thresholdDecisionResponse = component(
  'ThresholdProposalDecision',
  z.object({ proposal: thresholdProposal, settingsVersion: z.number().int().nullable() }),
);

export const healthResponse = component(
  'AccountHealth',
  z.object({
    account: z.object({
      id: z.string(),
      name: z.string(),
      source: z.string(),
      status: z.string().nullable(),
      disableReason: z.string().nullable(),
    }),
    checkedAt: dateTime,
    token: z
      .object({
        expiresAt: nullable(dateTime),
        daysLeft: z.number().nullable(),
        warning: z.string().nullable(),
        scopes: z.array(z.string()),
      })
      .nullable(),
    sync: z.object({
      blockedReason: z.string().nullable(),
      lastSyncedAt: nullable(dateTime),
      lastRun: z
        .object({
          status: z.enum(['running', 'done', 'failed']),
          since: date,
          until: date,
          startedAt: dateTime,
          finishedAt: nullable(dateTime),
          error: z.string().nullable(),
          stats: z.record(z.string(), z.number()),
        })
        .nullable(),
    }),
    killSwitch: z.object({ isOn: z.boolean(), reason: z.string().nullable() }),
    spend: z.object({
      spendCap: nullable(money),
      amountSpent: nullable(money),
      balance: nullable(money).meta({ description: 'owed to Meta and not billed yet' }),
      capUsedPercent: z.number().nullable(),
      capRemaining: nullable(money),
      dailyPace: nullable(money).meta({ description: 'average daily spend over the last 7 complete days' }),
      capDaysLeft: z.number().nullable(),
    }),
    dataThrough: nullable(date),
    rateLimit: z
      .object({
        maxPercent: z.number(),
        regainAccessMinutes: z.number(),
        observedAt: dateTime,
        isHigh: z.boolean(),
      })
      .nullable()
      .meta({ description: 'Graph API usage headers as the last sync left them' }),
    tracking: z.object({
      checked: z.boolean(),
      note: z.string(),
      isFlatline: z.boolean(),
      zeroDays: z.array(date),
      expectedPurchases: z.number().nullable(),
      probability: z.number().nullable(),
      baseline: z.object({ from: date, to: date, purchases: z.number() }).nullable(),
    }),
    findings: z.array(
      z.object({
        check: z.enum(HEALTH_CHECKS),
        severity: z.enum(['warning', 'critical']),
        message: z.string(),
        fingerprint: z.string(),
        tripsKillSwitch: z.boolean(),
      }),
    ),
    alerts: z.array(
      z.object({
        check: z.string(),
        severity: z.enum(['warning', 'critical']),
        message: z.string(),
        firstSeenAt: dateTime,
        alertedAt: nullable(dateTime),
        trippedAt: nullable(dateTime),
        resolvedAt: nullable(dateTime),
      }),
    ),
    problems: z.array(z.string()),
  }),
);

const modelHoldout = z.object({
  metric: z
    .enum(['mae', 'brier'])
    .meta({ description: 'MAE for the ROAS forecast, Brier score for probabilities' }),
  model: z.number(),
  baselines: z
    .record(z.string(), z.number())
    .meta({ description: 'the naive baselines (and, for account models, coldStart) on the same rows' }),
  gate: z.string().meta({ description: 'the baseline a model must beat to be used' }),
  alsoBeat: z.array(z.string()).optional().meta({ description: 'further baselines it must beat' }),
  rows: z.number(),
  rankCorrelation: z.number().nullable().meta({ description: 'Spearman, prediction against outcome' }),
});

export const modelsResponse = component(
  'Models',
  z.object({
    account: z.object({ id: z.string(), name: z.string() }).nullable(),
    mlEnabled: z.boolean().meta({ description: 'whether decisions use the models (ML_ENABLED)' }),
    models: z.array(
      z.object({
        id: z.string(),
        accountId: z.string().nullable().meta({ description: 'null for a cold-start model' }),
        kind: z.enum(['roas_forecast', 'purchase_probability', 'fatigue_onset']),
        version: z.number(),
        label: z.string().meta({ description: 'as recommendations record it: roas_forecast@2, ...@cold-1' }),
        scope: z.enum(['account', 'cold-start']),
        isActive: z.boolean().meta({ description: 'the one of its scope and kind that won its holdout' }),
        inUse: z.boolean().meta({ description: "whether the account's decisions use it now" }),
        usage: z.string().meta({ description: 'why it is or is not used' }),
        trainedAt: dateTime,
        trainedFrom: date,
        trainedTo: date,
        holdout: modelHoldout.nullable(),
        verdict: z.string().nullable(),
        training: z.record(z.string(), z.unknown()),
      }),
    ),
  }),
);

export const serverHealthResponse = z.object({ ok: z.boolean(), database: z.string() });

const sessionUser = z.object({ id: z.string(), username: z.string(), role: z.enum(ROLES) });
export const sessionResponse = component(
  'Session',
  z.object({ user: sessionUser, csrfToken: z.string(), expiresAt: dateTime }),
);
const publicUser = z.object({
  id: z.string(),
  username: z.string(),
  role: z.enum(ROLES),
  createdAt: dateTime,
});
export const usersResponse = z.object({ users: z.array(publicUser) });
export const newUserResponse = z.object({ user: publicUser, reactivated: z.boolean() });
export const connectedAccountsResponse = z.object({
  accounts: z.array(z.object({ id: z.string(), name: z.string(), currency: z.string() })),
});
export const openApiResponse = z.record(z.string(), z.unknown());
export const noBody = z.null().meta({ description: 'no body' });
