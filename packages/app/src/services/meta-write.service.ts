import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../adapters/db/database.ts';
import {
  claimAttempt,
  deleteAction,
  findActionByKey,
  insertAction,
  recordObjectWrite,
  setRecommendationOutcome,
  updateAction,
  type ActionRow,
} from '../adapters/db/repositories/action-log.repository.ts';
import { actions } from '../adapters/db/schema.ts';
import type { GraphClient } from '../adapters/meta/graph-client.ts';
import {
  CircuitOpenError,
  GraphApiError,
  GraphNetworkError,
  GraphShapeError,
} from '../adapters/meta/graph-errors.ts';
import { adCopySchema, adSchema, successSchema } from '../adapters/meta/graph-schemas.ts';

/** How a change came about: a person's approval, the auto-safe allow-list, or `roas undo`. */
export type WriteMode = 'approve' | 'auto-safe' | 'undo';

/** What a write sets, with what the object had before it: read-back compares against both. */
export type WriteChange =
  | { kind: 'budget'; dailyBudgetMinor: bigint; priorDailyBudgetMinor: bigint | null }
  | { kind: 'status'; status: 'ACTIVE' | 'PAUSED'; priorStatus: string | null }
  | { kind: 'promote'; sourceAdId: string; targetAdsetId: string; priorCopies: readonly string[] };

export type PlannedWrite = {
  accountId: string;
  recommendationId: string | null;
  undoesActionId: string | null;
  /** One per action: a retried apply finds the action it started instead of starting another. */
  idempotencyKey: string;
  /** The object written: the ad set, its campaign (CBO budgets), or the ad copied or paused. */
  target: { level: 'campaign' | 'adset' | 'ad'; id: string };
  change: WriteChange;
  mode: WriteMode;
  approvedBy: string | null;
};

/** Exactly what goes to Meta (the token and appsecret_proof left out). */
export type SentRequest = { method: 'POST'; path: string; params: Record<string, string> };

export type WriteOutcome = {
  /**
   * confirmed / rejected (Meta's reason in `reason`) / unknown (answer lost and not settled by
   * reading back) / deferred (nothing was applied: throttled, token refused; try again later) /
   * busy (another process holds the idempotency key right now).
   */
  status: 'confirmed' | 'rejected' | 'unknown' | 'deferred' | 'busy';
  action: ActionRow | null;
  request: SentRequest;
  reason: string | null;
  /** The key already had this outcome before the call: nothing was sent now. */
  already: boolean;
  /** Send nothing more for this account in this run (account throttled, token refused, breaker open). */
  stopAccount: boolean;
};

export type WriteDeps = { db: Db; graph: GraphClient; now(): Date };

/** What read-back saw: the object's budget and configured status, or the copies of a promoted ad. */
type Observed = { dailyBudgetMinor?: string | null; status?: string | null; copies?: string[] };

/**
 * How long a claimed send counts as in flight: longer than the client may pace and wait for one
 * answer, so another apply never settles (and resends) a write still on its way.
 */
export const SEND_LEASE_MS = 20 * 60_000;
const BUSY = 'another apply is sending this action right now';

const objectStateSchema = z.object({
  id: z.string(),
  status: z.string().optional(),
  daily_budget: z.union([z.string(), z.number()]).optional(),
});

// Writes for one account go out one at a time, in the order they were queued.
const accountQueues = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier queued work of the account has finished (in this process). */
export async function inAccountQueue<T>(accountId: string, work: () => Promise<T>): Promise<T> {
  const previous = accountQueues.get(accountId) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.catch(() => undefined);
  accountQueues.set(accountId, settled);
  try {
    return await run;
  } finally {
    if (accountQueues.get(accountId) === settled) accountQueues.delete(accountId);
  }
}

/** The request a planned write sends. */
export function requestFor(graph: GraphClient, plan: Pick<PlannedWrite, 'target' | 'change'>): SentRequest {
  const { change, target } = plan;
  switch (change.kind) {
    case 'budget':
      return {
        method: 'POST',
        path: graph.versionedPath(target.id),
        params: { daily_budget: change.dailyBudgetMinor.toString() },
      };
    case 'status':
      return { method: 'POST', path: graph.versionedPath(target.id), params: { status: change.status } };
    case 'promote':
      return {
        method: 'POST',
        path: graph.versionedPath(`${change.sourceAdId}/copies`),
        params: { adset_id: change.targetAdsetId, status_option: 'ACTIVE' },
      };
  }
}

function actionFields(plan: PlannedWrite, request: SentRequest) {
  const { change } = plan;
  const base = { method: request.method, path: request.path, params: request.params, mode: plan.mode };
  switch (change.kind) {
    case 'budget':
      return {
        request: { ...base, dailyBudgetMinor: change.dailyBudgetMinor.toString() },
        priorState: { dailyBudgetMinor: change.priorDailyBudgetMinor?.toString() ?? null },
      };
    case 'status':
      return { request: { ...base, status: change.status }, priorState: { status: change.priorStatus } };
    case 'promote':
      return {
        request: { ...base, sourceAdId: change.sourceAdId, targetAdsetId: change.targetAdsetId },
        priorState: { copies: [...change.priorCopies] },
      };
  }
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function storedRequest(row: ActionRow): SentRequest {
  const params = row.request.params;
  return {
    method: 'POST',
    path: text(row.request.path) ?? '',
    params:
      typeof params === 'object' && params !== null
        ? Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))
        : {},
  };
}

function graphPath(row: ActionRow): string {
  // The stored path is versioned (/v26.0/...); the client adds its own version.
  return storedRequest(row).path.replace(/^\/v\d+\.\d+\//, '');
}

/** Meta's own words for a refusal, kept on the action and shown to the person. */
function metaError(error: GraphApiError): Record<string, unknown> {
  return {
    code: error.code,
    subcode: error.subcode,
    message: error.message,
    userTitle: error.userTitle,
    userMessage: error.userMessage,
    traceId: error.traceId,
  };
}

/** The reason a person reads for a refusal: Meta's user message when it gave one. */
export function metaReason(error: GraphApiError): string {
  const title = error.userTitle ? `${error.userTitle}: ` : '';
  return error.userMessage
    ? `${title}${error.userMessage} [code ${error.code}${error.subcode ? `/${error.subcode}` : ''}]`
    : error.message;
}

/**
 * Reads the written object back. Reads are safe to retry, so this goes through the client's normal
 * retries; a write never does.
 */
async function readBack(graph: GraphClient, row: ActionRow): Promise<Observed> {
  if (row.kind === 'promote') {
    const source = text(row.request.sourceAdId) ?? row.entityId;
    const target = text(row.request.targetAdsetId);
    const copies: string[] = [];
    for await (const ad of graph.paginate(
      `${source}/copies`,
      { fields: 'id,name,adset_id,status', limit: 100 },
      adSchema,
      'ad copy',
    )) {
      if (ad.adset_id === target && ad.status !== 'DELETED') copies.push(ad.id);
    }
    return { copies };
  }
  const fields = row.level === 'ad' ? 'id,status' : 'id,status,daily_budget';
  const state = await graph.get(row.entityId, { fields }, objectStateSchema, row.level);
  return {
    status: state.status ?? null,
    dailyBudgetMinor:
      state.daily_budget === undefined || String(state.daily_budget) === '0'
        ? null
        : String(state.daily_budget),
  };
}

/** Whether read-back shows the requested value, the prior one, or something else. */
function compare(
  row: ActionRow,
  observed: Observed,
): { seen: 'requested' | 'prior' | 'other'; copy?: string } {
  if (row.kind === 'promote') {
    const prior = new Set(Array.isArray(row.priorState.copies) ? row.priorState.copies.map(String) : []);
    const copy = (observed.copies ?? []).find((id) => !prior.has(id));
    return copy === undefined ? { seen: 'prior' } : { seen: 'requested', copy };
  }
  const field = row.kind === 'budget' ? 'dailyBudgetMinor' : 'status';
  const now = observed[field] ?? null;
  if (now === (text(row.request[field]) ?? null)) return { seen: 'requested' };
  if (now === (text(row.priorState[field]) ?? null)) return { seen: 'prior' };
  return { seen: 'other' };
}

function describeObserved(row: ActionRow, observed: Observed): string {
  if (row.kind === 'promote') return `copies in the target ad set: ${observed.copies?.join(', ') || 'none'}`;
  return row.kind === 'budget'
    ? `daily_budget is ${observed.dailyBudgetMinor ?? 'unset'}`
    : `status is ${observed.status ?? 'unknown'}`;
}

function outcome(
  status: WriteOutcome['status'],
  action: ActionRow | null,
  request: SentRequest,
  extra: Partial<Pick<WriteOutcome, 'reason' | 'already' | 'stopAccount'>> = {},
): WriteOutcome {
  return { status, action, request, reason: null, already: false, stopAccount: false, ...extra };
}

async function confirm(
  deps: WriteDeps,
  row: ActionRow,
  response: Record<string, unknown>,
  already = false,
): Promise<WriteOutcome> {
  const now = deps.now();
  const confirmed = await deps.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const updated = await updateAction(tx, row.id, {
      status: 'confirmed',
      appliedAt: now,
      metaResponse: response,
    });
    if (row.kind === 'budget') {
      const minor = text(row.request.dailyBudgetMinor);
      if (minor !== null)
        await recordObjectWrite(
          tx,
          { level: row.level, id: row.entityId },
          { dailyBudgetMinor: BigInt(minor) },
          now,
        );
    } else if (row.kind === 'status') {
      await recordObjectWrite(
        tx,
        { level: row.level, id: row.entityId },
        { status: text(row.request.status) ?? undefined },
        now,
      );
    }
    if (row.recommendationId !== null)
      await setRecommendationOutcome(tx, row.recommendationId, { status: 'applied', reason: null });
    if (row.undoesActionId !== null)
      await tx.update(actions).set({ status: 'undone' }).where(eq(actions.id, row.undoesActionId));
    return updated;
  });
  return outcome('confirmed', confirmed, storedRequest(row), { already });
}

async function reject(deps: WriteDeps, row: ActionRow, error: GraphApiError): Promise<WriteOutcome> {
  const reason = metaReason(error);
  const rejected = await deps.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const updated = await updateAction(tx, row.id, {
      status: 'rejected',
      metaResponse: { ...row.metaResponse, error: metaError(error) },
    });
    if (row.recommendationId !== null)
      await setRecommendationOutcome(tx, row.recommendationId, {
        status: 'expired',
        reason: `Meta refused the change: ${reason}`,
      });
    return updated;
  });
  return outcome('rejected', rejected, storedRequest(row), { reason });
}

/** Nothing was applied: forget the action, so a later apply plans it afresh from the state then. */
async function notApplied(
  deps: WriteDeps,
  row: ActionRow,
  reason: string,
  stopAccount: boolean,
): Promise<WriteOutcome> {
  await deleteAction(deps.db, row.id);
  if (row.recommendationId !== null)
    await setRecommendationOutcome(deps.db, row.recommendationId, { reason: `waiting: ${reason}` });
  return outcome('deferred', null, storedRequest(row), { reason, stopAccount });
}

async function unknown(
  deps: WriteDeps,
  row: ActionRow,
  reason: string,
  observed?: Observed,
): Promise<WriteOutcome> {
  const updated = await updateAction(deps.db, row.id, {
    status: 'unknown',
    metaResponse: { ...row.metaResponse, unknown: reason, ...(observed ? { observed } : {}) },
  });
  if (row.recommendationId !== null)
    await setRecommendationOutcome(deps.db, row.recommendationId, { reason: `outcome unknown: ${reason}` });
  return outcome('unknown', updated, storedRequest(row), { reason });
}

/** Sends the action's write once (claiming the attempt first), and settles whatever comes back. */
async function send(deps: WriteDeps, pending: ActionRow): Promise<WriteOutcome> {
  const row = await claimAttempt(deps.db, pending.id, pending.attempts, deps.now());
  if (!row) return outcome('busy', pending, storedRequest(pending), { reason: BUSY });
  const request = storedRequest(row);
  try {
    const schema = row.kind === 'promote' ? adCopySchema : successSchema;
    const body = await deps.graph.write(graphPath(row), request.params, schema, `${row.kind} write`);
    return await confirm(deps, row, { ...body });
  } catch (error) {
    if (error instanceof GraphApiError) {
      if (error.kind === 'throttled') {
        // Meta's per-ad-set budget limit stops that ad set only; any other throttle stops the account.
        const isBudgetLimit = error.code === 17 && row.kind === 'budget';
        return notApplied(deps, row, `Meta is throttling: ${metaReason(error)}`, !isBudgetLimit);
      }
      if (error.kind === 'token')
        return notApplied(
          deps,
          row,
          `Meta refused the token (${error.message}); reconnect the account`,
          true,
        );
      if (error.kind === 'transient')
        return settle(deps, row, `Meta answered with a transient error (${error.message})`);
      return reject(deps, row, error);
    }
    if (error instanceof CircuitOpenError) return notApplied(deps, row, error.message, true);
    if (error instanceof GraphNetworkError) return settle(deps, row, error.message);
    if (error instanceof GraphShapeError)
      return settle(deps, row, `the answer was not understood (${error.message})`);
    throw error;
  }
}

/**
 * Settles a write whose answer was lost by reading the object back, never by sending blindly: the
 * requested value means it was applied (CONFIRMED); the prior value means it was not, and it is sent
 * once more under the same key; anything else stays UNKNOWN with what was seen.
 */
async function settle(deps: WriteDeps, row: ActionRow, why: string): Promise<WriteOutcome> {
  const marked = await updateAction(deps.db, row.id, {
    status: 'unknown',
    metaResponse: { ...row.metaResponse, unknown: why },
  });
  let observed: Observed;
  try {
    observed = await readBack(deps.graph, marked);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return unknown(
      deps,
      marked,
      `${why}; reading the object back failed too (${detail}): the next apply reads it again`,
    );
  }
  const { seen, copy } = compare(marked, observed);
  if (seen === 'requested')
    return confirm(deps, marked, {
      settledBy: 'read-back',
      lost: why,
      observed,
      ...(copy ? { copied_ad_id: copy } : {}),
    });
  if (seen === 'prior') {
    if (marked.attempts < 2) return send(deps, marked);
    return unknown(
      deps,
      marked,
      `${why}; the object still has its prior value after the one resend allowed (${describeObserved(marked, observed)}); it is read again on the next apply, never resent`,
      observed,
    );
  }
  return unknown(
    deps,
    marked,
    `${why}; the object has neither the requested nor the prior value now (${describeObserved(marked, observed)})`,
    observed,
  );
}

/**
 * The action already started under a key: one with an outcome, or one in doubt (sent, answer not
 * settled). An action queued but never sent (a crash before sending) is dropped, so it is planned
 * afresh.
 */
export async function startedAction(db: Db, idempotencyKey: string): Promise<ActionRow | undefined> {
  const row = await findActionByKey(db, idempotencyKey);
  if (row && row.status === 'queued' && row.attempts === 0) {
    await deleteAction(db, row.id);
    return undefined;
  }
  return row;
}

/**
 * Picks up an action already started under its key: an outcome is returned as it is; an action in
 * doubt (queued or unknown) is settled by reading the object back.
 */
export async function resumeWrite(deps: WriteDeps, row: ActionRow): Promise<WriteOutcome> {
  const request = storedRequest(row);
  switch (row.status) {
    case 'confirmed':
    case 'undone':
      return outcome('confirmed', row, request, { already: true });
    case 'rejected': {
      const error = row.metaResponse?.error as Record<string, unknown> | undefined;
      const reason = text(error?.userMessage) ?? text(error?.message) ?? 'Meta refused the change';
      return outcome('rejected', row, request, { already: true, reason });
    }
    case 'queued':
      if (row.sentAt !== null && deps.now().getTime() - row.sentAt.getTime() < SEND_LEASE_MS)
        return outcome('busy', row, request, { reason: BUSY });
      return settle(deps, row, 'the apply that sent it stopped before the answer was recorded');
    case 'unknown':
      return settle(deps, row, text(row.metaResponse?.unknown) ?? 'an earlier answer was lost');
  }
}

/**
 * Applies one planned write under its idempotency key: at most one action per key, written to the
 * actions table before anything is sent, so a crash or a retried apply never applies it twice.
 */
export async function executeWrite(deps: WriteDeps, plan: PlannedWrite): Promise<WriteOutcome> {
  const existing = await startedAction(deps.db, plan.idempotencyKey);
  if (existing) return resumeWrite(deps, existing);
  const request = requestFor(deps.graph, plan);
  const row = await insertAction(deps.db, {
    accountId: plan.accountId,
    recommendationId: plan.recommendationId,
    undoesActionId: plan.undoesActionId,
    level: plan.target.level,
    entityId: plan.target.id,
    kind: plan.change.kind,
    idempotencyKey: plan.idempotencyKey,
    ...actionFields(plan, request),
    status: 'queued',
    approvedBy: plan.approvedBy,
    createdAt: deps.now(),
  });
  if (!row)
    return outcome('busy', null, request, { reason: 'another process is applying this action right now' });
  return send(deps, row);
}
