import { z } from 'zod';
import {
  confirmedBudgetChangesSince,
  getAction,
  laterConfirmedAction,
  findActionByKey,
  type ActionRow,
} from '../adapters/db/repositories/action-log.repository.ts';
import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import { GraphApiError } from '../adapters/meta/graph-errors.ts';
import { ConflictError, NotFoundError, UserError } from '../shared/errors.ts';
import type { ApplyDeps } from './apply.service.ts';
import { recordAudit, type AuditActor } from './audit.service.ts';
import { accountToken } from './meta-connect.service.ts';
import {
  executeWrite,
  inAccountQueue,
  metaReason,
  requestFor,
  resumeWrite,
  startedAction,
  type PlannedWrite,
  type SentRequest,
  type WriteOutcome,
} from './meta-write.service.ts';
import { currentSettings } from './settings.service.ts';
import type { JobLocks } from '../jobs/locks.ts';
import { accountBusyText, withAccountLock } from './account-lock.ts';

export type UndoResult = {
  /** The action undone. */
  actionId: string;
  accountId: string;
  dryRun: boolean;
  /** confirmed / rejected / unknown as for any write; deferred when Meta was not reachable; dry-run. */
  outcome: WriteOutcome['status'] | 'dry-run';
  reason: string | null;
  /** What was (or would be) sent. */
  request: SentRequest | null;
  /** The undo's own action (it is an action like any other, with its own idempotency key). */
  undoActionId: string | null;
};

const HOUR_MS = 3_600_000;
const stateSchema = z.object({
  id: z.string(),
  status: z.string().optional(),
  daily_budget: z.union([z.string(), z.number()]).optional(),
});
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The write that puts back what the action changed, checked against the object as it is now. */
async function planUndo(
  deps: ApplyDeps,
  action: ActionRow,
  graph: ReturnType<ApplyDeps['graphFor']>,
  actor: AuditActor | null,
): Promise<PlannedWrite> {
  const base = {
    accountId: action.accountId,
    recommendationId: null,
    undoesActionId: action.id,
    idempotencyKey: `undo:${action.id}`,
    mode: 'undo' as const,
    approvedBy: actor?.kind === 'user' ? actor.id : null,
  };
  const read = async (level: ActionRow['level'], id: string) => {
    try {
      return await graph.get(
        id,
        { fields: level === 'ad' ? 'id,status' : 'id,status,daily_budget' },
        stateSchema,
        level,
      );
    } catch (error) {
      if (error instanceof GraphApiError && error.kind === 'not-found')
        throw new ConflictError(`the ${level} ${id} no longer exists on Meta: nothing to undo`);
      throw error;
    }
  };
  if (action.kind === 'budget') {
    const set = str(action.request.dailyBudgetMinor);
    const prior = str(action.priorState.dailyBudgetMinor);
    if (set === null || prior === null)
      throw new ConflictError('the action did not record the budget before it, so it cannot be restored');
    const now = await read(action.level, action.entityId);
    const current = now.daily_budget === undefined ? null : String(now.daily_budget);
    if (current !== set)
      throw new ConflictError(
        `the budget changed since: daily_budget is ${current ?? 'unset'} now, the action set ${set}; undo refused`,
      );
    const rules = (await currentSettings(deps.db, action.accountId)).rules;
    const limit = rules.guardrails.maxBudgetChangesPerHour;
    const target = { level: action.level, id: action.entityId };
    const recent = await confirmedBudgetChangesSince(
      deps.db,
      target,
      new Date(deps.now().getTime() - HOUR_MS),
    );
    if (recent.length >= limit) {
      const next = new Date((recent[recent.length - limit] ?? deps.now()).getTime() + HOUR_MS);
      throw new ConflictError(
        `${recent.length} budget change(s) in the last hour (Meta allows ${limit}): undo after ${next.toISOString()}`,
      );
    }
    return {
      ...base,
      target,
      change: { kind: 'budget', dailyBudgetMinor: BigInt(prior), priorDailyBudgetMinor: BigInt(set) },
    };
  }
  if (action.kind === 'status') {
    const set = str(action.request.status);
    const prior = str(action.priorState.status);
    if (set === null || (prior !== 'ACTIVE' && prior !== 'PAUSED'))
      throw new ConflictError(`the status before the action (${prior ?? 'unknown'}) cannot be restored`);
    const now = await read(action.level, action.entityId);
    if ((now.status ?? null) !== set)
      throw new ConflictError(
        `the status changed since: it is ${now.status ?? 'unknown'} now, the action set ${set}; undo refused`,
      );
    return {
      ...base,
      target: { level: action.level, id: action.entityId },
      change: { kind: 'status', status: prior, priorStatus: set },
    };
  }
  // A promotion is undone by pausing its copy (Meta keeps the ad; delete it in Ads Manager if wanted).
  const copy = str(action.metaResponse?.copied_ad_id);
  if (copy === null) throw new ConflictError('the promotion did not record the copy it made');
  const now = await read('ad', copy);
  if ((now.status ?? null) !== 'ACTIVE')
    throw new ConflictError(
      `the copy ${copy} is ${now.status ?? 'in an unknown state'} now, not ACTIVE as promoted; undo refused`,
    );
  return {
    ...base,
    target: { level: 'ad', id: copy },
    change: { kind: 'status', status: 'PAUSED', priorStatus: 'ACTIVE' },
  };
}

/**
 * Undoes an applied action by writing back the state it recorded before it (a budget, a status; a
 * promotion pauses its copy). The undo is itself an action, under its own idempotency key, settled
 * like any write. Refused while the account's kill switch is on, when the action is not a confirmed
 * change, when a later change to the same object exists, when the object changed since the action
 * (read fresh from Meta), and for budgets when Meta's 4 changes per hour are used up.
 */
export async function undoAction(
  deps: ApplyDeps,
  actionId: string,
  options: {
    dryRun: boolean;
    actor?: AuditActor | null | undefined;
    /** Take the account's job lock first (a person's undo); busy is refused, nothing sent. */
    accountLocks?: JobLocks | undefined;
  },
): Promise<UndoResult> {
  if (!/^[0-9a-f-]{36}$/i.test(actionId)) throw new UserError(`"${actionId}" is not an action id`);
  const action = await getAction(deps.db, actionId);
  if (!action) throw new NotFoundError(`no action ${actionId}`);
  const account = await findAccountById(deps.db, action.accountId);
  if (!account) throw new NotFoundError(`no account ${action.accountId}`);
  if (account.killSwitchReason !== null)
    throw new ConflictError(
      `the kill switch of ${account.name} is on (${account.killSwitchReason}): no writes until a person clears it`,
    );
  const actor = options.actor ?? null;
  const token = await accountToken(deps, account.id);
  const graph = deps.graphFor(token);
  const writeDeps = { db: deps.db, graph, now: deps.now };
  const result = (outcome: WriteOutcome | null, plan: PlannedWrite | null): UndoResult => ({
    actionId,
    accountId: account.id,
    dryRun: options.dryRun,
    outcome: outcome?.status ?? 'dry-run',
    reason: outcome?.reason ?? null,
    request: outcome?.request ?? (plan ? requestFor(graph, plan) : null),
    undoActionId: outcome?.action?.id ?? null,
  });
  const run = async (): Promise<UndoResult> => {
    const key = `undo:${actionId}`;
    if (options.dryRun) {
      const existing = await findActionByKey(deps.db, key);
      if (existing)
        return {
          ...result(null, null),
          reason: `undo ${existing.id} exists already (${existing.status})`,
          undoActionId: existing.id,
        };
    } else {
      const started = await startedAction(deps.db, key);
      if (started) return result(await resumeWrite(writeDeps, started), null);
    }
    if (action.status === 'undone') throw new ConflictError(`action ${actionId} is undone already`);
    if (action.status !== 'confirmed')
      throw new ConflictError(
        `only a change Meta confirmed can be undone; action ${actionId} is ${action.status}`,
      );
    const later = await laterConfirmedAction(deps.db, action);
    if (later)
      throw new ConflictError(
        `the same ${action.level} was changed again since, by action ${later.id}: undo that one first`,
      );
    let plan: PlannedWrite;
    try {
      plan = await planUndo(deps, action, graph, actor);
    } catch (error) {
      if (error instanceof GraphApiError)
        throw new ConflictError(`reading the object from Meta failed: ${metaReason(error)}`);
      throw error;
    }
    if (options.dryRun) return result(null, plan);
    const outcome = await executeWrite(writeDeps, plan);
    await recordAudit(deps.db, {
      actor,
      action: 'action.undo',
      target: `action:${actionId}`,
      details: {
        outcome: outcome.status,
        undoActionId: outcome.action?.id ?? null,
        request: outcome.request,
        reason: outcome.reason,
      },
      at: deps.now(),
    });
    return result(outcome, plan);
  };
  if (options.dryRun) return run();
  const locked = await withAccountLock(options.accountLocks, account.id, () =>
    inAccountQueue(account.id, run),
  );
  if (locked.busy) throw new ConflictError(accountBusyText(account.id));
  return locked.value;
}
