import { randomUUID } from 'node:crypto';
import {
  decideAccount,
  guardrailMoneyFor,
  type Decision,
  type DecisionAction,
  type IsoDate,
  type Stage,
} from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import { listAccounts, type AccountRow } from '../adapters/db/repositories/accounts.repository.ts';
import {
  storeRecommendationRun,
  type NewRecommendation,
} from '../adapters/db/repositories/recommendations.repository.ts';
import { ENGINE_VERSION } from '../shared/engine-version.ts';
import { UserError } from '../shared/errors.ts';
import type { AnalystInput, AnalystNote, AnalystRun } from './analyst/analyst.service.ts';
import {
  accountModelEvidence,
  storeModelPredictions,
  withModelEvidence,
  type AccountModelEvidence,
} from './models/model-predictions.service.ts';
import { loadAccountFacts, type AccountFacts } from './recommend-facts.service.ts';
import { currentSettings, type CurrentSettings } from './settings.service.ts';

export type RecommendOptions = {
  /** An account id (with or without `act_`) or exact name; every account when absent. */
  accountId?: string | undefined;
  /** Only entities in this pipeline stage (from their campaign's name tag). */
  stage?: Stage | undefined;
  /** Decide and return, but store nothing. */
  dryRun: boolean;
  now: Date;
  /** Names the run (one per call, across accounts); storing a run id again stores nothing new. */
  runId?: string | undefined;
  /**
   * The Claude analyst for this run (`AnalystRun`), reviewing each decision after the engine and
   * before storing; absent (no key, `--no-analyst`), the engine's decisions stand as they are.
   */
  analyst?: AnalystRun | undefined;
  /**
   * Use the learning models (their predictions become evidence, and are stored with the run); off
   * when absent. Callers pass the configuration's ML_ENABLED, or false for `--no-ml`.
   */
  ml?: boolean | undefined;
};

/** One decision as `roas recommend` returns it: the engine's decision and what was stored. */
export type Recommendation = Decision & {
  /** The stored row's id; null on a dry run. */
  id: string | null;
  campaign: { id: string | null; name: string | null };
  /** The budget a change applies to now (the ad set's, or the campaign's under CBO), in minor units. */
  dailyBudgetMinor: bigint | null;
  /** The analyst's review and what became of it; null when no analyst ran. */
  analyst: AnalystNote | null;
};

export type AccountRecommendations = {
  account: { id: string; name: string; currency: string; timezone: string; source: AccountRow['source'] };
  /** The date decisions were made for (the account's today; for an export, the day after its last day). */
  asOf: IsoDate;
  generatedAt: Date;
  /** The stored run; null on a dry run. */
  runId: string | null;
  settingsVersionId: number;
  settingsSource: CurrentSettings['source'];
  engineVersion: string;
  minorDigits: number;
  lagCurve: 'learned' | 'default';
  /** The models whose evidence the engine weighed (`roas_forecast@2,...`); null without models. */
  modelVersion: string | null;
  /** What the run could not know or do, in plain words (imported data has no budgets, ...). */
  notes: string[];
  recommendations: Recommendation[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function chooseAccounts(db: Db, wanted: string | undefined): Promise<AccountRow[]> {
  const all = await listAccounts(db);
  if (all.length === 0) {
    throw new UserError(
      'no accounts yet: import an export (`roas import <file.csv>`) or connect Meta (`roas accounts add`)',
    );
  }
  if (wanted === undefined) return all;
  const byId = all.find((a) => a.id === wanted || a.id === `act_${wanted}`);
  if (byId) return [byId];
  const byName = all.filter((a) => a.name === wanted);
  if (byName.length === 1) return byName;
  const known = all.map((a) => `"${a.name}" (${a.id})`).join(', ');
  if (byName.length > 1)
    throw new UserError(`--account "${wanted}": several accounts share that name; use the id: ${known}`);
  throw new UserError(`--account "${wanted}": no such account; known accounts: ${known}`);
}

/**
 * The action the engine concluded before hysteresis and guardrails (a Scale held for confirmation is
 * still a Scale): what the next run's hysteresis counts. Read from the hysteresis reason, whose text
 * starts with that action.
 */
export function concludedAction(decision: Decision): DecisionAction {
  return decision.concludedAction;
}

const text = (value: bigint | null) => (value === null ? null : value.toString());

function storedRow(
  decision: Decision,
  analyst: AnalystNote | null,
  context: {
    runId: string;
    accountId: string;
    facts: AccountFacts;
    settingsVersionId: number;
    now: Date;
    models: AccountModelEvidence | null;
  },
): NewRecommendation {
  const entity = context.facts.input.entities.find((e) => e.entityId === decision.entityId);
  const state = entity?.state;
  const detail = context.facts.details.get(decision.entityId);
  return {
    runId: context.runId,
    accountId: context.accountId,
    level: decision.level,
    entityId: decision.entityId,
    action: decision.action,
    scalePercent: decision.scalePercent === null ? null : decision.scalePercent.toFixed(2),
    newDailyBudgetMinor: decision.newDailyBudgetMinor,
    confidence: decision.confidence,
    bucket: decision.bucket,
    trend: decision.trend,
    stage: decision.stage,
    reasons: decision.reasons,
    risks: decision.risks,
    guardrails: decision.guardrails,
    // The facts the decision rested on (rows excepted: they stay in the insight tables).
    inputs: {
      asOf: context.facts.input.asOf,
      concludedAction: concludedAction(decision),
      name: decision.name,
      appliesTo: decision.appliesTo,
      roas: decision.roas,
      lagCurve: context.facts.lagCurve,
      dataThrough: context.facts.dataThrough,
      status: entity?.status ?? null,
      audience: entity?.audience ?? null,
      previousActions: entity?.previousActions ?? [],
      // The budget a change applies to (the campaign's under CBO): apply refuses the decision once it moved.
      budget: detail ? { owner: detail.budgetOwner, dailyBudgetMinor: text(detail.dailyBudgetMinor) } : null,
      state: state
        ? {
            ...state,
            dailyBudgetMinor: text(state.dailyBudgetMinor),
            increasedTodayMinor: state.increasedTodayMinor.toString(),
            account: state.account && {
              dailyBudgetMinor: state.account.dailyBudgetMinor.toString(),
              increasedTodayMinor: state.account.increasedTodayMinor.toString(),
            },
          }
        : null,
      // The model evidence the engine weighed for this ad set (null without models).
      models: context.models?.evidence.get(decision.entityId) ?? null,
    },
    explanation: decision.explanation,
    analyst,
    settingsVersion: context.settingsVersionId,
    engineVersion: ENGINE_VERSION,
    modelVersion: context.models?.modelVersion ?? null,
    generatedAt: context.now,
  };
}

async function recommendAccount(
  db: Db,
  account: AccountRow,
  options: RecommendOptions & { runId: string },
): Promise<AccountRecommendations & { hasData: boolean }> {
  const settings = await currentSettings(db, account.id);
  const facts = await loadAccountFacts(db, account, { now: options.now });
  const base = {
    account: {
      id: account.id,
      name: account.name,
      currency: account.currency,
      timezone: account.timezone,
      source: account.source,
    },
    asOf: facts.input.asOf,
    generatedAt: options.now,
    settingsVersionId: settings.settingsVersionId,
    settingsSource: settings.source,
    engineVersion: ENGINE_VERSION,
    minorDigits: facts.input.minorDigits,
    lagCurve: facts.lagCurve,
    hasData: facts.hasData,
  };
  if (!facts.hasData)
    return { ...base, modelVersion: null, runId: null, notes: facts.notes, recommendations: [] };

  const models = options.ml
    ? await accountModelEvidence(db, account.id, facts.input, { now: options.now })
    : null;
  const result = decideAccount(models ? withModelEvidence(facts.input, models) : facts.input, settings.rules);
  const notes = [...facts.notes, ...(models?.notes ?? []), ...result.notes];
  const decided = result.decisions.filter((d) => options.stage === undefined || d.stage === options.stage);
  const reviewed = await reviewByAnalyst(
    options,
    account,
    facts,
    settings,
    result.targets.targetCpa,
    decided,
  );
  const decisions = reviewed.map((r) => r.decision);
  if (options.stage !== undefined && decisions.length === 0) {
    notes.push(
      `no ad sets in the ${options.stage} stage (stages come from campaign name tags such as [TEST], [VALIDATION], [SCALE])`,
    );
  }
  let ids = new Map<string, string>();
  let runId: string | null = null;
  if (!options.dryRun && decisions.length > 0) {
    runId = options.runId;
    const rows = reviewed.map(({ decision, analyst }) =>
      storedRow(decision, analyst, {
        runId: options.runId,
        accountId: account.id,
        facts,
        settingsVersionId: settings.settingsVersionId,
        now: options.now,
        models,
      }),
    );
    ids = await storeRecommendationRun(db, { runId, accountId: account.id }, rows);
    if (models) await storeModelPredictions(db, models, runId);
  }
  return {
    ...base,
    modelVersion: models?.modelVersion ?? null,
    runId,
    notes,
    recommendations: reviewed.map(({ decision, analyst }) => {
      const detail = facts.details.get(decision.entityId);
      return {
        ...decision,
        id: ids.get(`${decision.level}:${decision.entityId}`) ?? null,
        campaign: { id: detail?.campaignId ?? null, name: detail?.campaignName ?? null },
        dailyBudgetMinor: detail?.dailyBudgetMinor ?? null,
        analyst,
      };
    }),
  };
}

/**
 * The analyst's pass over an account's decisions, when there is an analyst: each decision is sent
 * with its evidence and the guardrail context it was decided under, so a review is guarded again with
 * the same state, rules and money. Without an analyst, or a decision it cannot guard again, the
 * engine's decision stands unreviewed.
 */
async function reviewByAnalyst(
  options: RecommendOptions & { runId: string },
  account: AccountRow,
  facts: AccountFacts,
  settings: CurrentSettings,
  targetCpa: number | null,
  decisions: Decision[],
): Promise<{ decision: Decision; analyst: AnalystNote | null }[]> {
  const unreviewed = decisions.map((decision) => ({ decision, analyst: null }));
  if (!options.analyst || targetCpa === null || decisions.length === 0) return unreviewed;
  const money = guardrailMoneyFor(settings.rules, {
    targetCpa,
    metaMinDailyBudgetMinor: facts.input.metaMinDailyBudgetMinor,
    minorDigits: facts.input.minorDigits,
  });
  const inputs: AnalystInput[] = [];
  for (const decision of decisions) {
    const entity = facts.input.entities.find(
      (e) => e.entityId === decision.entityId && e.level === decision.level,
    );
    if (!entity) continue;
    const detail = facts.details.get(decision.entityId);
    inputs.push({
      decision,
      campaignName: detail?.campaignName ?? null,
      dailyBudgetMinor: detail?.dailyBudgetMinor ?? null,
      guard: { state: entity.state, rules: settings.rules.guardrails, money },
    });
  }
  const reviewed = await options.analyst.reviewAccount({
    runId: options.runId,
    accountId: account.id,
    currency: account.currency,
    minorDigits: facts.input.minorDigits,
    inputs,
  });
  const byDecision = new Map(inputs.map((input, k) => [input.decision, reviewed[k]]));
  return decisions.map((decision) => byDecision.get(decision) ?? { decision, analyst: null });
}

/**
 * Decides every ad set of one account (or of each account) on its stored data and current settings,
 * and stores the decisions as one run per account, each row recording the settings version and the
 * engine version (unless `dryRun`). With `stage`, only that stage's ad sets are returned and stored;
 * the account's benchmarks still come from all of them.
 */
export async function recommend(db: Db, options: RecommendOptions): Promise<AccountRecommendations[]> {
  if (options.runId !== undefined && !UUID.test(options.runId))
    throw new UserError(`run id "${options.runId}" is not a UUID`);
  const accounts = await chooseAccounts(db, options.accountId);
  const runId = options.runId ?? randomUUID();
  const results: (AccountRecommendations & { hasData: boolean })[] = [];
  for (const account of accounts) results.push(await recommendAccount(db, account, { ...options, runId }));
  if (results.every((r) => !r.hasData)) {
    throw new UserError(
      results
        .map((r) => `no data to decide on in "${r.account.name}" (${r.account.id}): ${r.notes.at(-1) ?? ''}`)
        .join('\n'),
    );
  }
  return results.map(({ hasData: _hasData, ...rest }) => rest);
}
