import type { AnalystRun } from './analyst/analyst.service.ts';
import {
  DECISION_ACTIONS,
  type Confidence,
  type DecisionAction,
  type GuardrailCheck,
  type Reason,
  type Stage,
} from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import {
  countRecommendations,
  listRecommendationRows,
  lockRecommendations,
  markReviewed,
  newestRecommendationOf,
  type RecommendationCursor,
  type RecommendationFilter,
  type RecommendationListRow,
} from '../adapters/db/repositories/recommendations.repository.ts';
import type { RECOMMENDATION_STATUSES } from '../adapters/db/schema.ts';
import { ConflictError, NotFoundError, UserError } from '../shared/errors.ts';
import { moneyFromMinorOrNull, type MoneyView } from '../shared/money-view.ts';
import { AUDIT_ACTIONS, recordAudit, type AuditActor } from './audit.service.ts';
import { recommend, type AccountRecommendations } from './recommend.service.ts';

export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];

/** A stored recommendation as the API returns it. */
export type RecommendationItem = {
  id: string;
  runId: string;
  account: { id: string; name: string; currency: string; timezone: string };
  entity: {
    id: string;
    name: string;
    level: 'campaign' | 'adset' | 'ad';
    campaign: { id: string | null; name: string | null };
  };
  action: DecisionAction;
  scalePercent: number | null;
  /** The budget a change applies to (the campaign's under CBO) when it was decided; null for imports. */
  dailyBudget: MoneyView | null;
  newDailyBudget: MoneyView | null;
  appliesTo: 'adset' | 'campaign';
  confidence: Confidence;
  bucket: string | null;
  trend: string | null;
  stage: Stage | null;
  audience: { type: string; lookalikePercent: number | null } | null;
  roas: { mean: number; lo: number; hi: number; probabilityAboveBreakEven: number } | null;
  reasons: Reason[];
  risks: string[];
  guardrails: GuardrailCheck[];
  explanation: string;
  /** What the Claude analyst made of it, when one ran: it can only have added caution. */
  analyst: AnalystSummary | null;
  status: RecommendationStatus;
  /** Why applying it did not go through (stale, held by a guardrail, refused by Meta), when it did not. */
  statusReason: string | null;
  /** The date decided for, in the account's time zone. */
  asOf: string | null;
  createdAt: string;
  reviewedBy: { id: string | null; username: string | null } | null;
  reviewedAt: string | null;
  comment: string | null;
  settingsVersionId: number;
  engineVersion: string;
};

export type RecommendationPage = { items: RecommendationItem[]; nextCursor: string | null; total: number };

export type RecommendationQuery = Omit<RecommendationFilter, 'entity' | 'ids'> & {
  after?: RecommendationCursor | undefined;
  limit: number;
};

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function audienceOf(value: unknown): RecommendationItem['audience'] {
  if (!isRecord(value) || typeof value.type !== 'string') return null;
  return {
    type: value.type,
    lookalikePercent: typeof value.lookalikePercent === 'number' ? value.lookalikePercent : null,
  };
}

function roasOf(value: unknown): RecommendationItem['roas'] {
  if (!isRecord(value)) return null;
  const { mean, lo, hi, probabilityAboveBreakEven } = value;
  if (typeof mean !== 'number' || typeof lo !== 'number' || typeof hi !== 'number') return null;
  return {
    mean,
    lo,
    hi,
    probabilityAboveBreakEven: typeof probabilityAboveBreakEven === 'number' ? probabilityAboveBreakEven : 0,
  };
}

const minor = (value: string | null) => (value === null || !/^-?\d+$/.test(value) ? null : BigInt(value));

/** Shapes a stored row for the API: money in the account currency, dates as ISO strings. */
export function toRecommendationItem(row: RecommendationListRow): RecommendationItem {
  return {
    id: row.id,
    runId: row.runId,
    account: { id: row.accountId, name: row.accountName, currency: row.currency, timezone: row.timezone },
    entity: {
      id: row.entityId,
      name: row.entityName,
      level: row.level,
      campaign: { id: row.campaignId, name: row.campaignName },
    },
    action: row.action as DecisionAction,
    scalePercent: row.scalePercent === null ? null : Number(row.scalePercent),
    dailyBudget: moneyFromMinorOrNull(minor(row.dailyBudgetMinor), row.currency),
    newDailyBudget: moneyFromMinorOrNull(minor(row.newDailyBudgetMinor), row.currency),
    appliesTo: row.appliesTo === 'campaign' ? 'campaign' : 'adset',
    confidence: row.confidence as Confidence,
    bucket: row.bucket,
    trend: row.trend,
    stage: row.stage as Stage | null,
    audience: audienceOf(row.audience),
    roas: roasOf(row.roas),
    reasons: (row.reasons ?? []) as Reason[],
    risks: (row.risks ?? []) as string[],
    guardrails: (row.guardrails ?? []) as GuardrailCheck[],
    explanation: row.explanation,
    analyst: analystSummaryOf(row.analyst),
    status: row.status as RecommendationStatus,
    statusReason: row.statusReason,
    asOf: row.asOf,
    createdAt: new Date(row.generatedAt).toISOString(),
    reviewedBy:
      row.reviewedBy === null && row.reviewedAt === null
        ? null
        : { id: row.reviewedBy, username: row.reviewerName },
    reviewedAt: iso(row.reviewedAt),
    comment: row.reviewComment,
    settingsVersionId: row.settingsVersion,
    engineVersion: row.engineVersion,
  };
}

/** An opaque page position: the last row's decision time and id. */
export function encodeRecommendationCursor(cursor: RecommendationCursor): string {
  return Buffer.from(`${cursor.generatedAt.toISOString()}|${cursor.id}`).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor's position, or null when the text is not a cursor this API handed out. */
export function decodeRecommendationCursor(text: string): RecommendationCursor | null {
  const [at, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (at === undefined || id === undefined || rest.length > 0 || !UUID.test(id)) return null;
  const generatedAt = new Date(at);
  return Number.isNaN(generatedAt.getTime()) ? null : { generatedAt, id };
}

async function requireAccount(db: Db, accountId: string | undefined): Promise<void> {
  if (accountId !== undefined && !(await findAccountById(db, accountId)))
    throw new NotFoundError(`no account ${accountId}`);
}

/** One page of recommendations, newest run first, with the total matching the filter. */
export async function listRecommendations(db: Db, query: RecommendationQuery): Promise<RecommendationPage> {
  await requireAccount(db, query.accountId);
  const { after, limit, ...filter } = query;
  const [rows, total] = await Promise.all([
    listRecommendationRows(db, filter, { after, limit: limit + 1 }),
    countRecommendations(db, filter),
  ]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toRecommendationItem),
    nextCursor:
      rows.length > limit && last
        ? encodeRecommendationCursor({ generatedAt: new Date(last.generatedAt), id: last.id })
        : null,
    total,
  };
}

/** One entity's recommendations, newest first. */
export async function recommendationsOfEntity(
  db: Db,
  entity: { level: 'adset' | 'ad'; id: string },
  limit = 50,
): Promise<RecommendationItem[]> {
  return (await listRecommendationRows(db, { entity }, { limit })).map(toRecommendationItem);
}

export type ReviewDecision = 'approve' | 'reject';

export type ReviewResult = {
  decision: ReviewDecision;
  reviewedAt: string;
  reviewedBy: { id: string | null; username: string };
  items: RecommendationItem[];
};

const REVIEWED_STATUS = { approve: 'approved', reject: 'rejected' } as const satisfies Record<
  ReviewDecision,
  RecommendationStatus
>;

async function whyNotReviewable(
  db: Db,
  target: Awaited<ReturnType<typeof lockRecommendations>>[number],
): Promise<string> {
  if (target.status === 'superseded') {
    const newest = await newestRecommendationOf(db, { level: target.level, id: target.entityId });
    const pointer =
      newest && newest.id !== target.id
        ? `; review the newest one instead (${newest.id}, ${newest.status}, decided ${newest.generatedAt.toISOString()})`
        : '';
    return `recommendation ${target.id} was superseded by a newer run${pointer}`;
  }
  if (target.status === 'approved' || target.status === 'rejected') {
    const when = target.reviewedAt ? ` on ${target.reviewedAt.toISOString()}` : '';
    return `recommendation ${target.id} was already ${target.status}${when}`;
  }
  return `recommendation ${target.id} is ${target.status} and can no longer be reviewed`;
}

/**
 * Approves or rejects pending recommendations, all or none, in one transaction: an unknown id is a
 * NotFoundError and one that is not pending (superseded, already reviewed) a ConflictError, and then
 * nothing changes. Each review is audited with who and when. Approval only records the decision.
 */
export async function reviewRecommendations(
  db: Db,
  request: {
    ids: readonly string[];
    decision: ReviewDecision;
    comment?: string | null | undefined;
    actor: AuditActor & { kind: 'user' };
    now: Date;
  },
): Promise<ReviewResult> {
  const ids = [...new Set(request.ids)];
  if (ids.length === 0) throw new UserError('ids: give at least one recommendation id');
  const comment = request.comment?.trim() || null;
  const status = REVIEWED_STATUS[request.decision];
  await db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    const targets = await lockRecommendations(txDb, ids);
    const found = new Set(targets.map((t) => t.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw new NotFoundError(`no recommendation ${missing.join(', ')}; nothing was ${status}`);
    const blocked = targets.filter((t) => t.status !== 'pending');
    if (blocked.length > 0) {
      const reasons = await Promise.all(blocked.slice(0, 5).map((t) => whyNotReviewable(txDb, t)));
      const more = blocked.length > 5 ? ` (and ${blocked.length - 5} more)` : '';
      throw new ConflictError(`${reasons.join('; ')}${more}; nothing was ${status}`);
    }
    const changed = await markReviewed(txDb, ids, {
      status,
      reviewedBy: request.actor.id,
      at: request.now,
      comment,
    });
    if (changed !== ids.length)
      throw new ConflictError(`recommendations changed meanwhile; nothing was ${status}`);
    for (const target of targets) {
      await recordAudit(txDb, {
        actor: request.actor,
        action:
          request.decision === 'approve'
            ? AUDIT_ACTIONS.recommendationApproved
            : AUDIT_ACTIONS.recommendationRejected,
        target: `recommendation:${target.id}`,
        details: {
          accountId: target.accountId,
          entity: `${target.level}:${target.entityId}`,
          action: target.action,
          runId: target.runId,
          comment,
          ...(ids.length > 1 ? { bulk: ids.length } : {}),
        },
        at: request.now,
      });
    }
  });
  const rows = await listRecommendationRows(db, { ids }, { limit: ids.length });
  const order = new Map(ids.map((id, i) => [id, i]));
  rows.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return {
    decision: request.decision,
    reviewedAt: request.now.toISOString(),
    reviewedBy: { id: request.actor.id, username: request.actor.username },
    items: rows.map(toRecommendationItem),
  };
}

export type RunSummary = {
  runId: string | null;
  generatedAt: string;
  accounts: {
    account: { id: string; name: string; currency: string };
    runId: string | null;
    asOf: string;
    settingsVersionId: number;
    settingsSource: 'account' | 'global' | 'default';
    engineVersion: string;
    lagCurve: 'learned' | 'default';
    notes: string[];
    total: number;
    counts: Record<DecisionAction, number>;
  }[];
};

function summarize(run: AccountRecommendations): RunSummary['accounts'][number] {
  const counts = Object.fromEntries(DECISION_ACTIONS.map((a) => [a, 0])) as Record<DecisionAction, number>;
  for (const r of run.recommendations) counts[r.action] += 1;
  return {
    account: { id: run.account.id, name: run.account.name, currency: run.account.currency },
    runId: run.runId,
    asOf: run.asOf,
    settingsVersionId: run.settingsVersionId,
    settingsSource: run.settingsSource,
    engineVersion: run.engineVersion,
    lagCurve: run.lagCurve,
    notes: run.notes,
    total: run.recommendations.length,
    counts,
  };
}

export type AnalystSummary = { outcome: string; changed: boolean; model: string; promptVersion: string };

/** The stored analyst note, reduced to what a reviewer needs; anything unreadable counts as none. */
function analystSummaryOf(value: unknown): AnalystSummary | null {
  if (typeof value !== 'object' || value === null) return null;
  const note = value as Record<string, unknown>;
  if (typeof note.outcome !== 'string' || typeof note.model !== 'string') return null;
  return {
    outcome: note.outcome,
    changed: note.changed === true,
    model: note.model,
    promptVersion: typeof note.promptVersion === 'string' ? note.promptVersion : '',
  };
}

/** Runs the engine on one account (or all) with the current settings, stores the run, and sums it up. */
export async function runRecommendations(
  db: Db,
  request: {
    accountId?: string | undefined;
    now: Date;
    analyst?: AnalystRun | undefined;
    ml?: boolean | undefined;
  },
): Promise<RunSummary> {
  await requireAccount(db, request.accountId);
  const runs = await recommend(db, {
    accountId: request.accountId,
    dryRun: false,
    now: request.now,
    analyst: request.analyst,
    ml: request.ml,
  });
  return {
    runId: runs.find((r) => r.runId !== null)?.runId ?? null,
    generatedAt: request.now.toISOString(),
    accounts: runs.map(summarize),
  };
}
