import {
  DEFAULT_COMPLETENESS,
  DEFAULT_RULES,
  learnCompletenessCurve,
  type CompletenessCurve,
  decideAccount,
  type DailyRow,
  type EngineRules,
  type EntityFacts,
  type DecisionAction,
  type EvidenceModels,
  predictModelEvidence,
  snapshotFromAccountInput,
  type AccountInput,
} from '@roas/core';
import type { AdSetDecision, AdSetObservation, Observation, ReportedRow } from '../market/types.ts';
import type { Policy, PolicyContext } from './types.ts';

/** Cents to micro-units: the simulator reports integer cents, the engine counts micros. */
const MICROS_PER_CENT = 10_000n;

function toDailyRow(row: ReportedRow): DailyRow {
  return {
    date: row.date,
    totals: {
      spend: BigInt(row.spendCents) * MICROS_PER_CENT,
      revenue: BigInt(row.purchaseValueCents) * MICROS_PER_CENT,
      purchases: row.purchases,
      impressions: row.impressions,
      reach: row.reach,
      linkClicks: row.linkClicks,
      addsToCart: row.addsToCart,
      checkoutsInitiated: row.checkoutsInitiated,
    },
  };
}

/**
 * Learns the attribution-lag curve the way the product does from re-synced insights: each ad set-day's
 * purchases as first seen at every age, against the count once it has matured.
 */
class LagTracker {
  private readonly seen = new Map<string, number[]>();
  private readonly observed: number[] = [];
  private readonly final: number[] = [];
  constructor(private readonly ages: number) {}

  record(adSetId: string, rows: readonly ReportedRow[], observationDay: number): void {
    for (let r = rows.length - 1; r >= 0; r--) {
      const row = rows[r];
      if (!row) continue;
      const age = observationDay - 1 - row.day;
      if (age >= this.ages) break;
      const key = `${adSetId}:${row.day}`;
      const readings = this.seen.get(key) ?? [];
      readings[age] = row.purchases;
      this.seen.set(key, readings);
      if (age === this.ages - 1) {
        for (let a = 0; a < this.ages - 1; a++) {
          this.observed[a] = (this.observed[a] ?? 0) + Math.min(readings[a] ?? row.purchases, row.purchases);
          this.final[a] = (this.final[a] ?? 0) + row.purchases;
        }
        this.seen.delete(key);
      }
    }
  }

  curve(): CompletenessCurve {
    const observations = Array.from({ length: this.ages }, (_, age) => ({
      ageDays: age,
      observed: this.observed[age] ?? 0,
      final: this.final[age] ?? 0,
    }));
    return learnCompletenessCurve(observations).curve;
  }
}

/** What the policy remembers between days, as the product keeps it in its database. */
type Memory = { lastBudgetChangeDay: number | null; actions: DecisionAction[] };

function toFacts(adSet: AdSetObservation, day: number, memory: Memory): EntityFacts {
  const spendCents = adSet.rows.reduce((sum, r) => sum + r.spendCents, 0);
  return {
    entityId: adSet.id,
    level: 'adset',
    name: adSet.name,
    rows: adSet.rows.map(toDailyRow),
    audience: { type: adSet.audienceType, lookalikePercent: null },
    stage: null,
    status: adSet.status === 'ACTIVE' ? 'active' : 'paused',
    state: {
      dailyBudgetMinor: BigInt(adSet.dailyBudgetCents),
      budgetOwner: 'adset',
      learningStage: adSet.learning.stage,
      hoursSinceBudgetChange:
        memory.lastBudgetChangeDay === null ? null : (day - memory.lastBudgetChangeDay) * 24,
      budgetChangesLastHour: 0,
      increasedTodayMinor: 0n,
      spend: spendCents / 100,
      account: null,
      killSwitch: { tripped: false, reason: null },
    },
    previousActions: [...memory.actions].reverse(),
  };
}

export type EnginePolicyOptions = {
  /** Trained models whose predictions enter each decision as evidence (the `engine+ml` policy). */
  models?: EvidenceModels;
  /** The policy's name in results (default `engine`). */
  name?: string;
};

/**
 * The product's engine as a simulator policy: each day the lagged observation becomes the same plain
 * facts the app reads from its database, `decideAccount` (core) decides, and its Scale / Pause
 * decisions become budgets and statuses. The policy keeps only what the product stores: the day of
 * each applied budget change (cooldown) and earlier actions (hysteresis).
 */
export function createEnginePolicy(
  context: PolicyContext,
  rules: EngineRules = DEFAULT_RULES,
  options: EnginePolicyOptions = {},
): Policy {
  const memory = new Map<string, Memory>();
  const total = BigInt(context.totalDailyBudgetCents);
  const lag = new LagTracker(DEFAULT_COMPLETENESS.length);
  const models = options.models;
  return {
    kind: 'observation',
    name: options.name ?? 'engine',
    decide(observation: Observation): AdSetDecision[] {
      const { day } = observation;
      for (const adSet of observation.adSets) lag.record(adSet.id, adSet.rows, day);
      const memories = observation.adSets.map((adSet) => {
        let remembered = memory.get(adSet.id);
        if (!remembered) {
          remembered = { lastBudgetChangeDay: null, actions: [] };
          memory.set(adSet.id, remembered);
        }
        return remembered;
      });
      const input: AccountInput = {
        asOf: observation.date,
        minorDigits: 2,
        curve: lag.curve(),
        totalDailyBudgetMinor: total,
        metaMinDailyBudgetMinor: BigInt(observation.minDailyBudgetCents),
        entities: observation.adSets.map((adSet, i) => toFacts(adSet, day, memories[i] as Memory)),
      };
      // The models read the snapshot the app builds from the same input (ad sets only, all of them here).
      if (models) {
        const evidence = predictModelEvidence(snapshotFromAccountInput(input), models);
        input.entities = input.entities.map((facts, i) => ({ ...facts, models: evidence[i] ?? {} }));
      }
      const result = decideAccount(input, rules);
      const byId = new Map(result.decisions.map((d) => [d.entityId, d]));
      return observation.adSets.map((adSet): AdSetDecision => {
        const decision = byId.get(adSet.id);
        const remembered = memory.get(adSet.id);
        if (decision && remembered) {
          remembered.actions.push(decision.concludedAction);
          if (remembered.actions.length > 10) remembered.actions.shift();
        }
        if (decision?.action === 'PAUSE')
          return { adSetId: adSet.id, status: 'PAUSED', dailyBudgetCents: adSet.dailyBudgetCents };
        if (decision?.action === 'SCALE' && decision.newDailyBudgetMinor !== null) {
          if (remembered) remembered.lastBudgetChangeDay = day;
          return {
            adSetId: adSet.id,
            status: adSet.status,
            dailyBudgetCents: Number(decision.newDailyBudgetMinor),
          };
        }
        return { adSetId: adSet.id, status: adSet.status, dailyBudgetCents: adSet.dailyBudgetCents };
      });
    },
  };
}
