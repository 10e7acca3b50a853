import {
  applyGuardrails,
  decideAccount,
  formatMicros,
  minorUnitsToMicros,
  resolveMoneyThreshold,
  STAGES,
  type EngineRules,
  type GuardrailMoney,
  type GuardrailState,
  type Stage,
} from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import {
  adsetsWithCampaigns,
  adsWithResults,
  applyCandidates,
  autoSafeActionTimes,
  confirmedBudgetChangesSince,
  findActionByKey,
  newerRecommendation,
  setRecommendationOutcome,
  type ApplyCandidate,
} from '../adapters/db/repositories/action-log.repository.ts';
import {
  findAccountById,
  listAccounts,
  type AccountRow,
} from '../adapters/db/repositories/accounts.repository.ts';
import type { GraphClient } from '../adapters/meta/graph-client.ts';
import { CircuitOpenError, GraphApiError, GraphNetworkError } from '../adapters/meta/graph-errors.ts';
import { adSchema, adSetSchema, campaignSchema } from '../adapters/meta/graph-schemas.ts';
import { metaMinorDigits } from '../shared/currency.ts';
import { todayIn } from '../shared/dates.ts';
import { UserError } from '../shared/errors.ts';
import { recordAudit, type AuditActor } from './audit.service.ts';
import { decidingRuleId, matchesRule } from './deciding-rule.ts';
import {
  executionOf,
  findAccount,
  type ExecutionMode,
  type ResolvedExecutionSettings,
} from './execution-settings.service.ts';
import { accountToken, type MetaConnectDeps } from './meta-connect.service.ts';
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
import { notifyAppliedActions, type NotifyContext } from './notifications.service.ts';
import { loadAccountFacts, type AccountFacts } from './recommend-facts.service.ts';
import { currentSettings } from './settings.service.ts';
import { stageFromCampaignName } from './stage-tags.ts';
import type { JobLocks } from '../jobs/locks.ts';
import { accountBusyText, withAccountLock } from './account-lock.ts';

/**
 * What applying needs: the database, the account tokens and a Graph client per token, and the clock;
 * with `notify`, what was sent to Meta is also queued for Slack.
 */
export type ApplyDeps = Pick<MetaConnectDeps, 'db' | 'secrets' | 'graphFor' | 'now'> & {
  notify?: NotifyContext | undefined;
};

/**
 * confirmed / rejected / unknown: a write was sent (or an earlier one settled); deferred: nothing
 * applied yet, it waits (Meta's hourly budget limit, throttling) and the approval stands; refused:
 * not applied and not to be (stale approval, a guardrail holds it); skipped: auto-safe left it for a
 * person; dry-run: what would be sent.
 */
export type ApplyOutcome =
  'confirmed' | 'rejected' | 'unknown' | 'deferred' | 'refused' | 'skipped' | 'dry-run';

export type ApplyItem = {
  recommendationId: string;
  entityId: string;
  name: string;
  action: string;
  /** Applied because a person approved it, or by auto-safe's allow-list. */
  via: 'approve' | 'auto-safe';
  /** The rule that decided the recommendation (what auto-safe's allow-list matches). */
  ruleId: string | null;
  outcome: ApplyOutcome;
  /** Why it was refused, deferred, rejected (Meta's words) or left unknown; null when it went through. */
  reason: string | null;
  /** What was (or on a dry run would be) sent to Meta. */
  request: SentRequest | null;
  actionId: string | null;
};

export type AccountApplyResult = {
  account: { id: string; name: string; mode: ExecutionMode; killSwitchReason: string | null };
  dryRun: boolean;
  /** Why nothing at all was done for the account (recommend mode, kill switch, no connection). */
  blocked: string | null;
  items: ApplyItem[];
  notes: string[];
};

export type ApplyOptions = {
  /** An account id (with or without `act_`) or name; every connected Meta account when absent. */
  accountId?: string | undefined;
  /** Only these recommendations (the dashboard's approve button passes the one just approved). */
  recommendationIds?: readonly string[] | undefined;
  /**
   * Take each account's job lock first: work a person started must not overlap a scheduled job of the
   * account (the jobs hold the lock already and leave this out). A busy account is reported blocked.
   */
  accountLocks?: JobLocks | undefined;
  /** Read Meta and check everything, send nothing and store nothing. */
  dryRun: boolean;
  actor?: AuditActor | null | undefined;
};

const HOUR_MS = 3_600_000;
const WRITABLE = new Set(['SCALE', 'PAUSE', 'PROMOTE']);
const GONE = new Set(['ARCHIVED', 'DELETED']);
const PAUSED = new Set(['PAUSED', 'CAMPAIGN_PAUSED', 'ADSET_PAUSED']);
const ADSET_FIELDS = 'id,name,campaign_id,status,effective_status,daily_budget,learning_stage_info';
const CAMPAIGN_FIELDS = 'id,name,status,effective_status,daily_budget';

type FreshState = {
  adset: {
    status: string | null;
    effectiveStatus: string | null;
    dailyBudgetMinor: bigint | null;
    learningStage: string | null;
  };
  campaign: { id: string; dailyBudgetMinor: bigint | null } | null;
  owner: 'adset' | 'campaign';
};

/** Stops this account's run: every remaining candidate is deferred with the reason. */
class StopAccount extends Error {
  constructor(
    readonly reason: string,
    /** The item of the candidate that stopped it, when a write did. */
    readonly item: ApplyItem | null = null,
  ) {
    super(reason);
  }
}

/** A candidate's fate decided before (or instead of) a write. */
type Verdict =
  | { kind: 'write'; plan: PlannedWrite }
  | { kind: 'refused' | 'deferred' | 'rejected' | 'skipped'; reason: string };

const positive = (value: bigint | undefined | null) =>
  value !== undefined && value !== null && value > 0n ? value : null;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function money(minor: bigint | null, digits: number): string {
  return minor === null ? 'none' : formatMicros(minorUnitsToMicros(minor, digits), digits);
}

function hoursAgo(from: Date, now: Date): number {
  return (now.getTime() - from.getTime()) / HOUR_MS;
}

function clock(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(date);
}

/** Everything one account's run reads once, or again after a budget change it made. */
class AccountRun {
  private facts: AccountFacts | null = null;
  private money: GuardrailMoney | null | undefined = undefined;
  readonly digits: number;
  autoApplied = 0;

  constructor(
    readonly deps: ApplyDeps,
    readonly account: AccountRow,
    readonly settings: ResolvedExecutionSettings,
    readonly rules: EngineRules,
    readonly graph: GraphClient,
    readonly dryRun: boolean,
  ) {
    this.digits = metaMinorDigits(account.currency);
  }

  /** The clock, read each time: changes this run applied count in the guardrails of the next ones. */
  get now(): Date {
    return this.deps.now();
  }

  get db(): Db {
    return this.deps.db;
  }

  /** The guardrail facts, read again after each change this run made (cooldowns, hourly counts). */
  async guardrailFacts(): Promise<AccountFacts> {
    this.facts ??= await loadAccountFacts(this.db, this.account, { now: this.now });
    return this.facts;
  }

  changed(): void {
    this.facts = null;
  }

  /** The money thresholds of the guardrails, resolved from the account's target CPA as the engine does. */
  async guardrailMoney(): Promise<GuardrailMoney | null> {
    if (this.money !== undefined) return this.money;
    const facts = await this.guardrailFacts();
    const targetCpa = facts.hasData ? decideAccount(facts.input, this.rules).targets.targetCpa : null;
    const { guardrails } = this.rules;
    this.money =
      targetCpa === null
        ? null
        : {
            maxDailyIncrease: resolveMoneyThreshold(guardrails.maxDailyIncrease.adSetAmount, targetCpa),
            noPauseBelowSpend: resolveMoneyThreshold(guardrails.noPauseBelowMinSpend.minSpend, targetCpa),
            minDailyBudget: resolveMoneyThreshold(guardrails.minDailyBudget, targetCpa),
            minorDigits: this.digits,
          };
    return this.money;
  }
}

/** A read from Meta that failed: the object is gone (refuse), or the account cannot be reached now (stop). */
function readFailure(error: unknown, what: string): Verdict {
  if (error instanceof GraphApiError) {
    if (error.kind === 'not-found') return { kind: 'refused', reason: `${what} no longer exists on Meta` };
    if (error.kind === 'token')
      throw new StopAccount(`Meta refused the token (${error.message}); reconnect the account`);
    if (error.kind === 'throttled')
      throw new StopAccount(`Meta is throttling the account: ${metaReason(error)}`);
    if (error.kind === 'transient')
      throw new StopAccount(`Meta did not answer the read of ${what}: ${error.message}`);
    return { kind: 'refused', reason: `reading ${what} failed: ${metaReason(error)}` };
  }
  if (error instanceof GraphNetworkError || error instanceof CircuitOpenError)
    throw new StopAccount(`Meta could not be reached: ${error.message}`);
  throw error;
}

async function readFresh(run: AccountRun, candidate: ApplyCandidate): Promise<FreshState | Verdict> {
  let adset;
  try {
    adset = await run.graph.get(candidate.entityId, { fields: ADSET_FIELDS }, adSetSchema, 'ad set');
  } catch (error) {
    return readFailure(error, `ad set ${candidate.entityId}`);
  }
  let campaign = null;
  try {
    const c = await run.graph.get(adset.campaign_id, { fields: CAMPAIGN_FIELDS }, campaignSchema, 'campaign');
    campaign = { id: c.id, dailyBudgetMinor: positive(c.daily_budget) };
  } catch (error) {
    return readFailure(error, `campaign ${adset.campaign_id}`);
  }
  return {
    adset: {
      status: adset.status ?? null,
      effectiveStatus: adset.effective_status ?? adset.status ?? null,
      dailyBudgetMinor: positive(adset.daily_budget),
      learningStage: adset.learning_stage_info?.status ?? null,
    },
    campaign,
    owner: campaign.dailyBudgetMinor !== null ? 'campaign' : 'adset',
  };
}

/** The budget the decision saw on the object a change applies to, in minor units (null when unknown). */
function decisionBudget(candidate: ApplyCandidate): bigint | null {
  const inputs = candidate.inputs;
  const budget = inputs.budget as { dailyBudgetMinor?: unknown } | null | undefined;
  const recorded = str(budget?.dailyBudgetMinor);
  if (recorded !== null) return BigInt(recorded);
  if (inputs.appliesTo === 'campaign') return candidate.campaignDailyBudgetMinor;
  const state = inputs.state as { dailyBudgetMinor?: unknown } | null | undefined;
  const own = str(state?.dailyBudgetMinor);
  return own === null ? null : BigInt(own);
}

/** Why an approval no longer holds: too old, or the ad set's status or budget moved since the decision. */
function staleness(run: AccountRun, candidate: ApplyCandidate, fresh: FreshState): string | null {
  const age = hoursAgo(candidate.generatedAt, run.now);
  const maxAge = run.settings.approvalMaxAgeHours;
  if (age > maxAge)
    return `stale: decided ${Math.floor(age)} h ago, more than the ${maxAge} h an approval stays valid; recommend again`;
  const effective = fresh.adset.effectiveStatus;
  if (effective !== null && GONE.has(effective)) return `the ad set is ${effective.toLowerCase()} now`;
  const decided = str(candidate.inputs.status);
  const now = effective === null ? null : PAUSED.has(effective) ? 'paused' : 'active';
  if (decided !== null && now !== null && decided !== now)
    return `stale: the ad set was ${decided} when decided and is ${now} now (${effective})`;
  const owner = str(candidate.inputs.appliesTo);
  if (owner !== null && owner !== fresh.owner)
    return `stale: the budget moved to the ${fresh.owner === 'campaign' ? 'campaign (CBO)' : 'ad set'} since the decision`;
  const before = decisionBudget(candidate);
  const current =
    fresh.owner === 'campaign' ? (fresh.campaign?.dailyBudgetMinor ?? null) : fresh.adset.dailyBudgetMinor;
  if (before !== null && current !== null && before !== current)
    return `stale: the ${fresh.owner === 'campaign' ? 'campaign' : 'ad set'} budget changed since the decision (${money(before, run.digits)} then, ${money(current, run.digits)} now)`;
  return null;
}

/** Meta allows 4 budget changes per ad set per hour: a change past that waits for the next slot. */
async function budgetSlot(run: AccountRun, target: PlannedWrite['target']): Promise<string | null> {
  const limit = run.rules.guardrails.maxBudgetChangesPerHour;
  const recent = await confirmedBudgetChangesSince(run.db, target, new Date(run.now.getTime() - HOUR_MS));
  if (recent.length < limit) return null;
  const oldest = recent[recent.length - limit] ?? run.now;
  const next = new Date(oldest.getTime() + HOUR_MS);
  return `${recent.length} budget change(s) on this ${target.level === 'campaign' ? 'campaign' : 'ad set'} in the last hour (limit ${limit}): queued until ${clock(next, run.account.timezone)} (${run.account.timezone})`;
}

async function checkGuardrails(
  run: AccountRun,
  candidate: ApplyCandidate,
  fresh: FreshState,
): Promise<{ verdict: Verdict } | { newBudget: bigint | null; current: bigint | null }> {
  const facts = await run.guardrailFacts();
  const base = facts.input.entities.find((e) => e.entityId === candidate.entityId)?.state;
  const money = await run.guardrailMoney();
  if (!base || money === null)
    return {
      verdict: {
        kind: 'refused',
        reason: 'the ad set has no data to check the guardrails on now (sync, then recommend again)',
      },
    };
  const current =
    fresh.owner === 'campaign' ? (fresh.campaign?.dailyBudgetMinor ?? null) : fresh.adset.dailyBudgetMinor;
  const state: GuardrailState = {
    ...base,
    budgetOwner: fresh.owner,
    dailyBudgetMinor: current,
    learningStage: fresh.adset.learningStage ?? base.learningStage,
  };
  const action = candidate.action as 'SCALE' | 'PAUSE' | 'PROMOTE';
  const guarded = applyGuardrails(
    { action, scalePercent: candidate.scalePercent, isKill: action === 'PAUSE' },
    state,
    run.rules.guardrails,
    money,
  );
  if (guarded.action !== action) {
    const held = guarded.guardrails.filter((g) => !g.passed);
    const text = held.map((g) => g.text).join('; ');
    if (held.every((g) => g.id === 'guardrail.changesPerHour'))
      return { verdict: { kind: 'deferred', reason: `queued: ${text}` } };
    return { verdict: { kind: 'refused', reason: `guardrails hold it now: ${text}` } };
  }
  if (action !== 'SCALE') return { newBudget: null, current };
  let target = guarded.newDailyBudgetMinor;
  const approved = fresh.owner === 'adset' ? candidate.newDailyBudgetMinor : null;
  if (approved !== null && current !== null) {
    const capped = guarded.guardrails.some((g) => g.changed);
    // The approved amount, unless a guardrail now cuts it: then the more cautious of the two.
    if (!capped || target === null) target = approved;
    else {
      const distance = (value: bigint) => (value > current ? value - current : current - value);
      target = distance(target) < distance(approved) ? target : approved;
    }
  }
  return { newBudget: target, current };
}

function nextStage(stage: Stage): Stage | null {
  return STAGES[STAGES.indexOf(stage) + 1] ?? null;
}

async function planPromotion(run: AccountRun, candidate: ApplyCandidate): Promise<Verdict> {
  const stage = candidate.stage ?? stageFromCampaignName(candidate.campaignName);
  if (stage === null)
    return {
      kind: 'rejected',
      reason: 'the ad set is in no pipeline stage (its campaign name has no stage tag)',
    };
  const next = nextStage(stage);
  if (next === null)
    return { kind: 'rejected', reason: `${stage} is the last stage: there is no next stage to promote into` };
  const audience = candidate.audienceType;
  const targets = (await adsetsWithCampaigns(run.db, run.account.id))
    .filter(
      (a) =>
        a.id !== candidate.entityId &&
        !GONE.has(a.status ?? '') &&
        (a.stage ?? stageFromCampaignName(a.campaignName)) === next,
    )
    // Prefer the same audience type, then one that delivers.
    .sort(
      (a, b) =>
        Number(b.audienceType === audience) - Number(a.audienceType === audience) ||
        Number(PAUSED.has(a.status ?? '')) - Number(PAUSED.has(b.status ?? '')),
    );
  const target = targets[0];
  if (!target)
    return {
      kind: 'rejected',
      reason: `no ad set to promote into: no live ad set in a campaign tagged for the ${next} stage (${next === 'validation' ? '[VAL] / [VALIDATION]' : '[SCALE] / [SCALING]'} in its name)`,
    };
  const ads = (await adsWithResults(run.db, candidate.entityId)).sort(
    (a, b) =>
      b.purchases - a.purchases || b.revenue - a.revenue || b.spend - a.spend || a.id.localeCompare(b.id),
  );
  const best = ads[0];
  if (!best) return { kind: 'rejected', reason: 'the ad set has no ads to copy' };
  const copies: string[] = [];
  try {
    for await (const ad of run.graph.paginate(
      `${best.id}/copies`,
      { fields: 'id,name,adset_id,status', limit: 100 },
      adSchema,
      'ad copy',
    ))
      if (ad.adset_id === target.id && ad.status !== 'DELETED') copies.push(ad.id);
  } catch (error) {
    return readFailure(error, `the copies of ad ${best.id}`);
  }
  if (copies.length > 0)
    return {
      kind: 'refused',
      reason: `already promoted: ad ${copies.join(', ')} in ${target.name} is a copy of ${best.name}`,
    };
  return {
    kind: 'write',
    plan: {
      accountId: run.account.id,
      recommendationId: candidate.id,
      undoesActionId: null,
      idempotencyKey: `recommendation:${candidate.id}`,
      target: { level: 'ad', id: best.id },
      change: { kind: 'promote', sourceAdId: best.id, targetAdsetId: target.id, priorCopies: copies },
      mode: 'approve',
      approvedBy: candidate.reviewedBy,
    },
  };
}

/** Decides what to do with one candidate: the write to send, or why not. */
async function planCandidate(
  run: AccountRun,
  candidate: ApplyCandidate,
  via: ApplyItem['via'],
): Promise<Verdict> {
  const newer = await newerRecommendation(run.db, candidate);
  if (newer)
    return {
      kind: 'refused',
      reason: `stale: a newer decision (${newer.id}) replaced it; apply that one instead`,
    };
  const fresh = await readFresh(run, candidate);
  if (!('owner' in fresh)) return fresh;
  const stale = staleness(run, candidate, fresh);
  if (stale !== null) return { kind: 'refused', reason: stale };
  const base = {
    accountId: run.account.id,
    recommendationId: candidate.id,
    undoesActionId: null,
    idempotencyKey: `recommendation:${candidate.id}`,
    mode: via,
    approvedBy: via === 'approve' ? candidate.reviewedBy : null,
  } as const;
  if (candidate.action === 'SCALE') {
    const target =
      fresh.owner === 'campaign' && fresh.campaign
        ? { level: 'campaign' as const, id: fresh.campaign.id }
        : { level: 'adset' as const, id: candidate.entityId };
    const wait = await budgetSlot(run, target);
    if (wait !== null) return { kind: 'deferred', reason: wait };
    const checked = await checkGuardrails(run, candidate, fresh);
    if ('verdict' in checked) return checked.verdict;
    const { newBudget, current } = checked;
    if (newBudget === null || current === null || newBudget === current)
      return { kind: 'refused', reason: 'no budget change is left to make' };
    return {
      kind: 'write',
      plan: {
        ...base,
        target,
        change: { kind: 'budget', dailyBudgetMinor: newBudget, priorDailyBudgetMinor: current },
      },
    };
  }
  const checked = await checkGuardrails(run, candidate, fresh);
  if ('verdict' in checked) return checked.verdict;
  if (candidate.action === 'PAUSE') {
    if (fresh.adset.status === 'PAUSED') return { kind: 'refused', reason: 'the ad set is already paused' };
    return {
      kind: 'write',
      plan: {
        ...base,
        target: { level: 'adset', id: candidate.entityId },
        change: { kind: 'status', status: 'PAUSED', priorStatus: fresh.adset.status },
      },
    };
  }
  const promotion = await planPromotion(run, candidate);
  return promotion.kind === 'write'
    ? { kind: 'write', plan: { ...promotion.plan, mode: via, approvedBy: base.approvedBy } }
    : promotion;
}

/** Auto-safe applies a pending recommendation only when its deciding rule is allowed and the caps leave room. */
async function autoSafeBar(
  run: AccountRun,
  candidate: ApplyCandidate,
  ruleId: string | null,
): Promise<string | null> {
  const { autoSafeRules, autoSafeMaxPercent, autoSafeMaxPerDay } = run.settings;
  if (ruleId === null || !autoSafeRules.some((pattern) => matchesRule(pattern, ruleId)))
    return `not on the auto-safe allow-list (decided by ${ruleId ?? 'no named rule'}): needs a person's approval`;
  const percent = candidate.scalePercent;
  if (candidate.action === 'SCALE' && percent !== null && Math.abs(percent) > autoSafeMaxPercent)
    return `${percent > 0 ? '+' : ''}${percent}% is over auto-safe's ${autoSafeMaxPercent}% cap per change: needs a person's approval`;
  const today = todayIn(run.account.timezone, run.now);
  const started = (
    await autoSafeActionTimes(run.db, run.account.id, new Date(run.now.getTime() - 48 * HOUR_MS))
  ).filter((at) => todayIn(run.account.timezone, at) === today).length;
  // Real runs find their own actions in the table; a dry run counts what it would have sent.
  const used = started + run.autoApplied;
  if (used >= autoSafeMaxPerDay) return `auto-safe's cap of ${autoSafeMaxPerDay} change(s) a day is reached`;
  return null;
}

function itemOf(
  candidate: ApplyCandidate,
  via: ApplyItem['via'],
  ruleId: string | null,
  fields: Pick<ApplyItem, 'outcome' | 'reason'> & Partial<Pick<ApplyItem, 'request' | 'actionId'>>,
): ApplyItem {
  return {
    recommendationId: candidate.id,
    entityId: candidate.entityId,
    name: candidate.name,
    action: candidate.action,
    via,
    ruleId,
    request: null,
    actionId: null,
    ...fields,
  };
}

function itemFromWrite(
  candidate: ApplyCandidate,
  via: ApplyItem['via'],
  ruleId: string | null,
  result: WriteOutcome,
): ApplyItem {
  const outcome: ApplyOutcome = result.status === 'busy' ? 'deferred' : result.status;
  const reason =
    result.already && result.status === 'confirmed'
      ? 'applied earlier under the same idempotency key: not sent again'
      : result.reason;
  return itemOf(candidate, via, ruleId, {
    outcome,
    reason,
    request: result.request,
    actionId: result.action?.id ?? null,
  });
}

async function applyCandidate(
  run: AccountRun,
  candidate: ApplyCandidate,
  via: ApplyItem['via'],
  actor: AuditActor | null,
): Promise<ApplyItem> {
  const ruleId = decidingRuleId(candidate, run.rules);
  const key = `recommendation:${candidate.id}`;
  const writeDeps = { db: run.db, graph: run.graph, now: run.deps.now };
  const audited = async (result: WriteOutcome): Promise<ApplyItem> => {
    if (!result.already && ['confirmed', 'rejected', 'unknown'].includes(result.status)) {
      await recordAudit(run.db, {
        actor,
        action: 'action.apply',
        target: `recommendation:${candidate.id}`,
        details: {
          outcome: result.status,
          actionId: result.action?.id ?? null,
          request: result.request,
          reason: result.reason,
          via,
        },
        at: run.deps.now(),
      });
    }
    const item = itemFromWrite(candidate, via, ruleId, result);
    if (result.stopAccount) throw new StopAccount(result.reason ?? 'Meta stopped the account', item);
    return item;
  };
  // An action already started for this recommendation is settled by reading back, never planned again.
  if (run.dryRun) {
    const existing = await findActionByKey(run.db, key);
    if (existing && !(existing.status === 'queued' && existing.attempts === 0))
      return itemOf(candidate, via, ruleId, {
        outcome: 'dry-run',
        reason: `action ${existing.id} was started for it already (${existing.status}): a real apply ${existing.status === 'confirmed' || existing.status === 'rejected' ? 'reports that outcome' : 'reads the object back first'} and sends nothing new`,
        actionId: existing.id,
      });
  } else {
    const started = await startedAction(run.db, key);
    if (started) return audited(await resumeWrite(writeDeps, started));
  }
  if (via === 'auto-safe') {
    const bar = await autoSafeBar(run, candidate, ruleId);
    if (bar !== null) return itemOf(candidate, via, ruleId, { outcome: 'skipped', reason: bar });
  }
  const verdict = await planCandidate(run, candidate, via);
  if (verdict.kind !== 'write') {
    const outcome = verdict.kind;
    if (!run.dryRun && outcome !== 'skipped') {
      // A person's approval that cannot hold any more ends; auto-safe's pending ones stay for a person.
      const ends = via === 'approve' && (outcome === 'refused' || outcome === 'rejected');
      await setRecommendationOutcome(run.db, candidate.id, {
        status: ends ? 'expired' : undefined,
        reason: verdict.reason,
      });
    }
    return itemOf(candidate, via, ruleId, { outcome, reason: verdict.reason });
  }
  if (run.dryRun) {
    if (via === 'auto-safe') run.autoApplied++;
    return itemOf(candidate, via, ruleId, {
      outcome: 'dry-run',
      reason: null,
      request: requestFor(run.graph, verdict.plan),
    });
  }
  // The kill switch may have been tripped (by a person or the health check) since the run began.
  const account = await findAccountById(run.db, run.account.id);
  if (account?.killSwitchReason)
    throw new StopAccount(
      `the kill switch was turned on (${account.killSwitchReason}): nothing more is written`,
    );
  const result = await executeWrite(writeDeps, verdict.plan);
  if (result.status === 'confirmed' && verdict.plan.change.kind === 'budget') run.changed();
  return audited(result);
}

/** An account's result before anything is done: `blocked` says why nothing will be, when that is known. */
function accountResult(account: AccountRow, dryRun: boolean, blocked: string | null): AccountApplyResult {
  return {
    account: {
      id: account.id,
      name: account.name,
      mode: executionOf(account).mode,
      killSwitchReason: account.killSwitchReason,
    },
    dryRun,
    blocked,
    items: [],
    notes: [],
  };
}

async function applyAccount(
  deps: ApplyDeps,
  account: AccountRow,
  options: ApplyOptions,
): Promise<AccountApplyResult> {
  const execution = executionOf(account);
  const result = accountResult(account, options.dryRun, null);
  // The demo account is connected too: to the fake Graph API running inside the server.
  if (account.source !== 'meta' && account.source !== 'demo') {
    result.blocked = 'imported from a file: there is no Meta connection to write through';
    return result;
  }
  if (account.killSwitchReason !== null) {
    result.blocked = `the kill switch is on (${account.killSwitchReason}): nothing is written for this account until a person clears it (roas accounts kill-switch ${account.id} --off)`;
    return result;
  }
  if (execution.mode === 'recommend') {
    result.blocked = `recommend mode: nothing is written to Meta (switch with roas accounts mode ${account.id} approve|auto-safe)`;
    return result;
  }
  const ids = options.recommendationIds;
  const approved = await applyCandidates(deps.db, account.id, { statuses: ['approved'], ids });
  const pending =
    execution.mode === 'auto-safe'
      ? await applyCandidates(deps.db, account.id, { statuses: ['pending'], ids })
      : [];
  const queue = [
    ...approved.filter((c) => WRITABLE.has(c.action)).map((c) => ({ candidate: c, via: 'approve' as const })),
    ...pending
      .filter((c) => WRITABLE.has(c.action))
      .map((c) => ({ candidate: c, via: 'auto-safe' as const })),
  ];
  const idle = approved.length - approved.filter((c) => WRITABLE.has(c.action)).length;
  if (idle > 0) result.notes.push(`${idle} approved recommendation(s) need no write (Hold, Retest)`);
  if (queue.length === 0) {
    result.notes.push(
      execution.mode === 'approve' ? 'nothing approved to apply' : 'nothing approved or pending to apply',
    );
    return result;
  }
  let token: string;
  try {
    token = await accountToken(deps, account.id);
  } catch (error) {
    result.blocked = error instanceof Error ? error.message : String(error);
    return result;
  }
  const rules = (await currentSettings(deps.db, account.id)).rules;
  const run = new AccountRun(deps, account, execution.settings, rules, deps.graphFor(token), options.dryRun);
  let stopped: string | null = null;
  for (const { candidate, via } of queue) {
    if (stopped !== null) {
      result.items.push(
        itemOf(candidate, via, decidingRuleId(candidate, rules), { outcome: 'deferred', reason: stopped }),
      );
      continue;
    }
    try {
      result.items.push(await applyCandidate(run, candidate, via, options.actor ?? null));
    } catch (error) {
      if (!(error instanceof StopAccount)) throw error;
      stopped = error.reason;
      result.items.push(
        error.item ??
          itemOf(candidate, via, decidingRuleId(candidate, rules), { outcome: 'deferred', reason: stopped }),
      );
    }
  }
  return result;
}

async function chooseAccounts(deps: ApplyDeps, options: ApplyOptions): Promise<AccountRow[]> {
  if (options.accountId !== undefined) return [await findAccount(deps.db, options.accountId)];
  const all = (await listAccounts(deps.db)).filter((a) => a.source === 'meta' || a.source === 'demo');
  if (all.length === 0)
    throw new UserError(
      'no Meta accounts connected: only connected accounts can apply changes (roas accounts add --token ...)',
    );
  return all;
}

/**
 * Applies recommendations to Meta by each account's execution mode: in `approve`, what a person
 * approved; in `auto-safe`, that plus pending recommendations whose deciding rule is on the
 * allow-list, within its caps; `recommend` never writes, and a tripped kill switch freezes every
 * write. Before each write the ad set (and its campaign) is read fresh from Meta: an approval older
 * than the account's limit, or whose object's status or budget moved since the decision, is refused
 * with the reason; the guardrails run again on fresh data (cooldown and hourly count from applied
 * changes, learning lock); a budget change past Meta's 4 per ad set per hour waits for the next slot.
 * Writes for an account go out one at a time, each under an idempotency key, and end CONFIRMED,
 * REJECTED (Meta's reason kept) or UNKNOWN (settled by reading the object back, resent at most once
 * and only when it still has its prior value). A dry run reads and checks everything and returns
 * exactly what would be sent, storing and sending nothing.
 */
export async function applyRecommendations(
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<AccountApplyResult[]> {
  const accounts = await chooseAccounts(deps, options);
  const results: AccountApplyResult[] = [];
  for (const account of accounts) {
    if (options.dryRun) {
      results.push(await applyAccount(deps, account, options));
      continue;
    }
    const run = await withAccountLock(options.accountLocks, account.id, () =>
      inAccountQueue(account.id, () => applyAccount(deps, account, options)),
    );
    results.push(run.busy ? accountResult(account, false, accountBusyText(account.id)) : run.value);
  }
  // Queued, not sent: Slack being slow or down never holds up or fails an apply.
  if (deps.notify && !options.dryRun) await notifyAppliedActions(deps.notify, results);
  return results;
}
