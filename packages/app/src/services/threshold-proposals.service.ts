import {
  applyThresholdChanges,
  proposeThresholdChanges,
  StaleProposalError,
  type EngineRules,
  type OutcomeCounts,
  type ThresholdProposal,
} from '@roas/core';
import { loadScenario, simulate } from '@roas/sim';
import type { Db } from '../adapters/db/database.ts';
import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import { countOutcomes } from '../adapters/db/repositories/outcomes.repository.ts';
import {
  findProposal,
  insertProposal,
  listProposalRows,
  markProposal,
  setResultingVersion,
  supersedeProposals,
  type ProposalRow,
} from '../adapters/db/repositories/threshold-proposals.repository.ts';
import { ConflictError, NotFoundError, UserError } from '../shared/errors.ts';
import { AUDIT_ACTIONS, recordAudit, type AuditActor } from './audit.service.ts';
import { currentSettings, GLOBAL_SCOPE, updateSettings } from './settings.service.ts';

/** The horizon whose verdicts proposals read: the 7-day one is less noisy than the 3-day one. */
export const PROPOSAL_HORIZON_DAYS = 7;

/** How a proposal's expected effect is measured: the engine with both rule sets on the same markets. */
export type EffectMeasurement = { scenario: string; seeds: number[]; days: number };

/** Seeds disjoint from the decision benchmark's held-out (1–200) and tuning (100000+) seeds. */
export const DEFAULT_EFFECT_MEASUREMENT: EffectMeasurement = {
  scenario: 'default',
  seeds: Array.from({ length: 20 }, (_, i) => 300_001 + i),
  days: 60,
};

export type ExpectedEffect = {
  scenario: string;
  seeds: number;
  days: number;
  /** Mean over seeds of true profit with the proposed rules minus with the current ones (currency units). */
  trueProfitDelta: number;
  /** 95% interval of that mean (paired over seeds). */
  trueProfitDeltaInterval: [number, number];
  /** Share of the equal-split-to-oracle gap the engine closes, before and after. */
  gapClosedBefore: number;
  gapClosedAfter: number;
  /** In words: better, worse, or no clear difference. */
  verdict: string;
};

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** The runs every proposal is compared against: per seed, the engine on the current rules, equal and oracle. */
export type EffectBaseline = {
  measurement: EffectMeasurement;
  runs: { seed: number; before: number; equal: number; oracle: number }[];
};

/** Runs what does not depend on a proposal once, however many proposals are then measured against it. */
export function measureEffectBaseline(current: EngineRules, measurement: EffectMeasurement): EffectBaseline {
  if (measurement.seeds.length < 2) throw new UserError('measuring an effect needs at least 2 seeds');
  const scenario = loadScenario(measurement.scenario);
  return {
    measurement,
    runs: measurement.seeds.map((seed) => ({
      seed,
      before: simulate(scenario, 'engine', seed, measurement.days, current).trueProfit,
      equal: simulate(scenario, 'equal', seed, measurement.days).trueProfit,
      oracle: simulate(scenario, 'oracle', seed, measurement.days).trueProfit,
    })),
  };
}

/**
 * Runs the engine with the current and the proposed rules on the same simulated markets (common
 * random numbers, so the difference is the rules' and not the luck's) and compares true profit.
 */
export function measureExpectedEffect(
  current: EngineRules,
  proposed: EngineRules,
  measurement: EffectMeasurement = DEFAULT_EFFECT_MEASUREMENT,
  baseline: EffectBaseline = measureEffectBaseline(current, measurement),
): ExpectedEffect {
  const scenario = loadScenario(measurement.scenario);
  const deltas: number[] = [];
  let gapBefore = 0;
  let gapAfter = 0;
  let gapTotal = 0;
  for (const { seed, before, equal, oracle } of baseline.runs) {
    const after = simulate(scenario, 'engine', seed, measurement.days, proposed).trueProfit;
    deltas.push(after - before);
    gapBefore += before - equal;
    gapAfter += after - equal;
    gapTotal += oracle - equal;
  }
  const delta = mean(deltas);
  const variance = deltas.reduce((s, d) => s + (d - delta) ** 2, 0) / (deltas.length - 1);
  const half = 1.96 * Math.sqrt(variance / deltas.length);
  const interval: [number, number] = [delta - half, delta + half];
  const verdict =
    interval[0] > 0
      ? 'better: the proposed rules earned more true profit on these markets'
      : interval[1] < 0
        ? 'worse: the proposed rules earned less true profit on these markets'
        : 'no clear difference on these markets';
  return {
    scenario: measurement.scenario,
    seeds: measurement.seeds.length,
    days: measurement.days,
    trueProfitDelta: delta,
    trueProfitDeltaInterval: interval,
    gapClosedBefore: gapTotal === 0 ? 0 : gapBefore / gapTotal,
    gapClosedAfter: gapTotal === 0 ? 0 : gapAfter / gapTotal,
    verdict,
  };
}

export type ProposalView = Omit<ProposalRow, 'createdAt' | 'decidedAt'> & {
  createdAt: string;
  decidedAt: string | null;
};

const toView = (row: ProposalRow): ProposalView => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  decidedAt: row.decidedAt?.toISOString() ?? null,
});

async function checkScope(db: Db, accountId: string | undefined): Promise<string> {
  if (accountId === undefined) return GLOBAL_SCOPE;
  if (!(await findAccountById(db, accountId))) throw new NotFoundError(`no account ${accountId}`);
  return accountId;
}

/**
 * Reads the outcomes of a scope (one account, or every account for the global rules), proposes the
 * bounded changes they argue for, measures each on the simulator unless told not to, and stores them
 * as `proposed`. A new proposal for the same lever supersedes an older undecided one.
 */
export async function proposeThresholds(
  db: Db,
  options: {
    accountId?: string | undefined;
    now: Date;
    minDecided?: number;
    /** Null skips the simulator (the expected effect is then unknown). */
    measurement?: EffectMeasurement | null;
  },
): Promise<{ proposals: ProposalView[]; outcomesRead: number; settingsVersion: number }> {
  const scope = await checkScope(db, options.accountId);
  const settings = await currentSettings(db, options.accountId ?? null);
  const counts: OutcomeCounts[] = (await countOutcomes(db, options.accountId)).filter(
    (row) => row.horizonDays === PROPOSAL_HORIZON_DAYS,
  );
  const proposals: ThresholdProposal[] = proposeThresholdChanges(settings.rules, counts, {
    ...(options.minDecided === undefined ? {} : { minDecided: options.minDecided }),
  });
  const measurement = options.measurement === undefined ? DEFAULT_EFFECT_MEASUREMENT : options.measurement;
  // The current rules' runs are the same for every proposal: simulated once, only when there is one.
  const baseline =
    measurement === null || proposals.length === 0
      ? null
      : measureEffectBaseline(settings.rules, measurement);
  const stored: ProposalView[] = [];
  for (const proposal of proposals) {
    const expectedEffect =
      measurement === null || baseline === null
        ? null
        : measureExpectedEffect(
            settings.rules,
            applyThresholdChanges(settings.rules, proposal.changes),
            measurement,
            baseline,
          );
    const row = await db.transaction(async (tx) => {
      const txDb = tx as unknown as Db;
      await supersedeProposals(txDb, scope, proposal.key);
      return insertProposal(txDb, {
        scope,
        key: proposal.key,
        title: proposal.title,
        changes: proposal.changes.map((c) => ({ path: [...c.path], from: c.from, to: c.to })),
        evidence: { ...proposal.evidence, interval: [...proposal.evidence.interval] },
        reason: proposal.reason,
        expectedEffect,
        basedOnSettingsVersion: settings.settingsVersionId,
        createdAt: options.now,
      });
    });
    stored.push(toView(row));
  }
  const outcomesRead = counts.reduce((n, row) => n + row.hits + row.misses, 0);
  return { proposals: stored, outcomesRead, settingsVersion: settings.settingsVersionId };
}

export async function listThresholdProposals(
  db: Db,
  options: { accountId?: string | undefined; status?: ProposalRow['status'] | undefined },
): Promise<ProposalView[]> {
  const scope = await checkScope(db, options.accountId);
  return (await listProposalRows(db, scope, options.status)).map(toView);
}

async function undecided(db: Db, id: string): Promise<ProposalRow> {
  const proposal = await findProposal(db, id);
  if (!proposal) throw new NotFoundError(`no threshold proposal ${id}`);
  if (proposal.status !== 'proposed')
    throw new ConflictError(`threshold proposal ${id} is already ${proposal.status}`);
  return proposal;
}

/**
 * An admin's approval: the proposal's changes are made to the scope's current rules and saved as a
 * new settings version (audited like any settings change). Refused, and nothing saved, when the rules
 * moved since the proposal was made.
 */
export async function approveThresholdProposal(
  db: Db,
  id: string,
  context: { actor: AuditActor & { kind: 'user' }; now: Date },
): Promise<{ proposal: ProposalView; settingsVersion: number }> {
  const proposal = await undecided(db, id);
  const accountId = proposal.scope === GLOBAL_SCOPE ? undefined : proposal.scope;
  const settings = await currentSettings(db, accountId ?? null);
  let next: EngineRules;
  try {
    next = applyThresholdChanges(settings.rules, proposal.changes);
  } catch (error) {
    if (error instanceof StaleProposalError)
      throw new ConflictError(`threshold proposal ${id} no longer fits the rules: ${error.message}`);
    throw error;
  }
  // One transaction: the proposal is claimed (only if still undecided) and the rules saved together.
  return db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    const claimed = await markProposal(txDb, id, {
      status: 'approved',
      decidedBy: context.actor.id,
      decidedAt: context.now,
      resultingSettingsVersion: null,
    });
    if (!claimed) throw new ConflictError(`threshold proposal ${id} was decided by someone else meanwhile`);
    const saved = await updateSettings(
      txDb,
      { document: next, comment: `threshold proposal: ${proposal.title}`, accountId },
      context,
    );
    const marked = await setResultingVersion(txDb, id, saved.version.id);
    return { proposal: toView(marked), settingsVersion: saved.version.id };
  });
}
export async function rejectThresholdProposal(
  db: Db,
  id: string,
  context: { actor: AuditActor & { kind: 'user' }; now: Date },
): Promise<ProposalView> {
  await undecided(db, id);
  const marked = await markProposal(db, id, {
    status: 'rejected',
    decidedBy: context.actor.id,
    decidedAt: context.now,
    resultingSettingsVersion: null,
  });
  if (!marked) throw new ConflictError(`threshold proposal ${id} was decided by someone else meanwhile`);
  await recordAudit(db, {
    actor: context.actor,
    action: AUDIT_ACTIONS.thresholdProposalRejected,
    target: `settings:${marked.scope}`,
    details: { proposalId: id, key: marked.key, title: marked.title },
    at: context.now,
  });
  return toView(marked);
}
