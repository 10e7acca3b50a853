import { describe, expect, it } from 'vitest';
import { explainDecision, type Decision } from '../decide/decide-entity.ts';
import { applyGuardrails, type GuardrailMoney, type GuardrailState } from '../decide/guardrails.ts';
import { DEFAULT_RULES } from '../rules/defaults.ts';
import type { GuardrailRules } from '../rules/engine-rules.ts';
import {
  CONFIDENCE_LEVELS,
  DECISION_ACTIONS,
  type Confidence,
  type DecisionAction,
} from '../rules/primitives.ts';
import { mulberry32 } from '../stats/test-random.ts';
import type { AnalystReview } from './analyst-review.ts';
import {
  isAllowedAnalystAction,
  mergeAnalystReview,
  percentReaching,
  type GuardrailContext,
} from './merge-review.ts';

type Random = () => number;
const pick = <T>(random: Random, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)] as T;
const int = (random: Random, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const RANK: Record<Confidence, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };

function randomState(random: Random): GuardrailState {
  const owner = random() < 0.2 ? 'campaign' : 'adset';
  const budget = owner === 'campaign' || random() < 0.15 ? null : BigInt(int(random, 50, 2_000_000));
  return {
    dailyBudgetMinor: budget,
    budgetOwner: owner,
    learningStage: pick(random, [null, 'LEARNING', 'ACTIVE', 'LEARNING_LIMITED']),
    hoursSinceBudgetChange: random() < 0.5 ? null : int(random, 0, 100),
    budgetChangesLastHour: int(random, 0, 5),
    increasedTodayMinor: budget === null || random() < 0.6 ? 0n : BigInt(int(random, 0, Number(budget) / 3)),
    spend: random() * 2_000,
    account:
      random() < 0.5 || budget === null
        ? null
        : {
            dailyBudgetMinor: budget * BigInt(int(random, 1, 20)),
            increasedTodayMinor: BigInt(int(random, 0, 500)),
          },
    killSwitch: random() < 0.1 ? { tripped: true, reason: 'daily loss' } : { tripped: false, reason: null },
  };
}

function randomRules(random: Random): GuardrailRules {
  const rules = structuredClone<GuardrailRules>(DEFAULT_RULES.guardrails);
  rules.killSwitch.onTrip = pick(random, ['freezeScaling', 'holdAll'] as const);
  rules.campaignBudget.routeTo = pick(random, ['campaign', 'skip'] as const);
  rules.learningPhaseLock.allowKills = random() < 0.5;
  rules.maxScalePerAction.percent = int(random, 5, 60);
  rules.maxDailyIncrease.adSetPercent = int(random, 5, 60);
  return rules;
}

function randomMoney(random: Random): GuardrailMoney {
  return {
    maxDailyIncrease: random() * 400 + 5,
    noPauseBelowSpend: random() * 300,
    minDailyBudget: random() * 5 + 1,
    minorDigits: pick(random, [0, 2, 2, 2, 3]),
  };
}

/** A decision as the engine leaves it: a proposal, guarded with the entity's state. */
function engineDecision(random: Random, guard: GuardrailContext): Decision {
  // Half of them Scales: the case where a percent and a budget can be pushed.
  const action = random() < 0.5 ? 'SCALE' : pick(random, DECISION_ACTIONS);
  const percent = action === 'SCALE' ? pick(random, [-50, -30, -12.5, 7, 15, 20, 33.3, 60, 100]) : null;
  const guarded = applyGuardrails(
    { action, scalePercent: percent, isKill: action === 'PAUSE' },
    guard.state,
    guard.rules,
    guard.money,
  );
  const decision: Omit<Decision, 'explanation'> = {
    entityId: 'e1',
    level: 'adset',
    name: 'Broad',
    action: guarded.action,
    concludedAction: action,
    scalePercent: guarded.scalePercent,
    newDailyBudgetMinor: guarded.newDailyBudgetMinor,
    appliesTo: guarded.appliesTo,
    confidence: pick(random, CONFIDENCE_LEVELS),
    bucket: 'winner',
    trend: 'stable',
    stage: null,
    roas: { mean: 3, lo: 2, hi: 4, probabilityAboveBreakEven: 0.97 },
    reasons: [],
    risks: [],
    guardrails: guarded.guardrails,
  };
  return { ...decision, explanation: explainDecision(decision) };
}

/** Any schema-valid review, most of them hostile: every action, wild percents, any confidence. */
function hostileReview(random: Random, engine: Decision): AnalystReview {
  const action = random() < 0.4 ? engine.action : pick(random, DECISION_ACTIONS);
  const base = engine.scalePercent ?? 10;
  const scalePercent =
    action !== 'SCALE'
      ? null
      : pick(random, [
          null,
          engine.scalePercent,
          base * 2,
          base + 0.01,
          base - 0.01,
          base / 2,
          -base,
          0,
          100,
          500,
          -100,
          random() * 400 - 200,
        ]);
  return {
    validation: pick(random, ['agree', 'disagree', 'uncertain'] as const),
    action,
    scalePercent,
    reasons: ['one', 'two'],
    riskFlags: [],
    confidence: pick(random, CONFIDENCE_LEVELS),
  };
}

/** The state may have moved since the engine ran (a kill switch tripped, a budget changed): the re-run sees it. */
function drift(random: Random, state: GuardrailState): GuardrailState {
  const moved = { ...state };
  if (random() < 0.3) moved.killSwitch = { tripped: true, reason: 'tripped since' };
  if (random() < 0.3) moved.learningStage = 'LEARNING';
  if (random() < 0.3) moved.hoursSinceBudgetChange = 1;
  if (random() < 0.3 && moved.dailyBudgetMinor !== null)
    moved.increasedTodayMinor = moved.dailyBudgetMinor / BigInt(int(random, 2, 10));
  return moved;
}

const dist = (a: bigint, b: bigint) => (a > b ? a - b : b - a);

describe('mergeAnalystReview: never bolder than the engine (property, random decisions and hostile reviews)', () => {
  const CASES = 20_000;

  it('keeps, holds or retests the action; never raises a percent, a budget move or the confidence', () => {
    const random = mulberry32(20260811);
    const seen = { refused: 0, merged: 0, scaleKept: 0, downgraded: 0 };
    for (let i = 0; i < CASES; i++) {
      const guard: GuardrailContext = {
        state: randomState(random),
        rules: randomRules(random),
        money: randomMoney(random),
      };
      const engine = engineDecision(random, guard);
      const review = hostileReview(random, engine);
      const moved = random() < 0.3 ? { ...guard, state: drift(random, guard.state) } : guard;
      const result = mergeAnalystReview(engine, review, moved);
      const merged = result.decision;

      if (!isAllowedAnalystAction(engine.action, review.action)) expect(result.kind).toBe('refused');
      const engineUp = engine.action === 'SCALE' && (engine.scalePercent ?? 0) > 0;
      if (engineUp && review.action === 'SCALE' && (review.scalePercent ?? 0) > (engine.scalePercent ?? 0))
        expect(result.kind).toBe('refused');
      if (result.kind === 'refused') {
        seen.refused++;
        expect(merged).toBe(engine);
        continue;
      }
      seen.merged++;
      expect([engine.action, 'HOLD', 'RETEST']).toContain(merged.action);
      expect(RANK[merged.confidence]).toBeLessThanOrEqual(RANK[engine.confidence]);
      expect(merged.concludedAction).toBe(engine.concludedAction);
      if (merged.action !== engine.action) seen.downgraded++;
      if (merged.action === 'SCALE') {
        seen.scaleKept++;
        const before = engine.scalePercent ?? 0;
        const after = merged.scalePercent ?? 0;
        expect(after * before).toBeGreaterThanOrEqual(0);
        expect(Math.abs(after)).toBeLessThanOrEqual(Math.abs(before));
        if (before > 0) expect(after).toBeLessThanOrEqual(before);
        const current = moved.state.dailyBudgetMinor;
        if (engine.newDailyBudgetMinor === null) expect(merged.newDailyBudgetMinor).toBeNull();
        else if (current !== null && merged.newDailyBudgetMinor !== null) {
          expect(dist(merged.newDailyBudgetMinor, current)).toBeLessThanOrEqual(
            dist(engine.newDailyBudgetMinor, current),
          );
          expect(merged.newDailyBudgetMinor > current).toBe(engine.newDailyBudgetMinor > current);
        }
      } else {
        expect(merged.scalePercent).toBeNull();
        expect(merged.newDailyBudgetMinor).toBeNull();
      }
      // The guardrails ran again with the state the merge was given: what they hold stays held.
      if (result.recheck.action === 'HOLD') expect(merged.action).toBe('HOLD');
      if (merged.action !== 'HOLD') expect(merged.action).toBe(result.recheck.action);
    }
    // The generator reaches every branch often enough for the property to mean something.
    expect(seen.refused).toBeGreaterThan(CASES / 10);
    expect(seen.merged).toBeGreaterThan(CASES / 10);
    expect(seen.scaleKept).toBeGreaterThan(CASES / 100);
    expect(seen.downgraded).toBeGreaterThan(CASES / 20);
  });

  it('leaves a merged decision that passes its own guardrails unchanged (same state)', () => {
    const random = mulberry32(7);
    let scales = 0;
    for (let i = 0; i < CASES; i++) {
      const guard: GuardrailContext = {
        state: randomState(random),
        rules: randomRules(random),
        money: randomMoney(random),
      };
      const engine = engineDecision(random, guard);
      const result = mergeAnalystReview(engine, hostileReview(random, engine), guard);
      if (result.kind !== 'merged') continue;
      const merged = result.decision;
      const current = guard.state.dailyBudgetMinor;
      const percent =
        merged.action === 'SCALE' && current !== null && current > 0n && merged.newDailyBudgetMinor !== null
          ? percentReaching(current, merged.newDailyBudgetMinor)
          : merged.scalePercent;
      const again = applyGuardrails(
        { action: merged.action, scalePercent: percent, isKill: merged.action === 'PAUSE' },
        guard.state,
        guard.rules,
        guard.money,
      );
      expect(again.action).toBe(merged.action);
      expect(again.newDailyBudgetMinor).toBe(merged.newDailyBudgetMinor);
      expect(again.scalePercent).toBe(merged.scalePercent);
      if (merged.action === 'SCALE') scales++;
    }
    expect(scales).toBeGreaterThan(100);
  });

  it('changes nothing but the wording when the analyst agrees and the state is the same', () => {
    const random = mulberry32(99);
    for (let i = 0; i < 5_000; i++) {
      const guard: GuardrailContext = {
        state: randomState(random),
        rules: randomRules(random),
        money: randomMoney(random),
      };
      const engine = engineDecision(random, guard);
      const result = mergeAnalystReview(
        engine,
        {
          validation: 'agree',
          action: engine.action,
          scalePercent: random() < 0.5 ? null : engine.scalePercent,
          reasons: ['a', 'b'],
          riskFlags: [],
          confidence: 'HIGH',
        },
        guard,
      );
      expect(result.kind).toBe('merged');
      expect(result.decision).toEqual(engine);
    }
  });
});

describe('mergeAnalystReview: examples', () => {
  const state: GuardrailState = {
    dailyBudgetMinor: 10_000n,
    budgetOwner: 'adset',
    learningStage: 'ACTIVE',
    hoursSinceBudgetChange: null,
    budgetChangesLastHour: 0,
    increasedTodayMinor: 0n,
    spend: 900,
    account: null,
    killSwitch: { tripped: false, reason: null },
  };
  const guard: GuardrailContext = {
    state,
    rules: DEFAULT_RULES.guardrails,
    money: { maxDailyIncrease: 1_000, noPauseBelowSpend: 50, minDailyBudget: 1, minorDigits: 2 },
  };
  const scale = engineDecision(() => 0, guard); // action SCALE (first), percent -50 (first)
  const up = (() => {
    const guarded = applyGuardrails(
      { action: 'SCALE', scalePercent: 20, isKill: false },
      state,
      guard.rules,
      guard.money,
    );
    const d: Omit<Decision, 'explanation'> = {
      ...scale,
      ...guarded,
      confidence: 'HIGH',
      scalePercent: guarded.scalePercent,
    };
    return { ...d, explanation: explainDecision(d) };
  })();
  const review = (over: Partial<AnalystReview>): AnalystReview => ({
    validation: 'agree',
    action: 'SCALE',
    scalePercent: null,
    reasons: ['ROAS is well above target', 'spend is steady'],
    riskFlags: [],
    confidence: 'HIGH',
    ...over,
  });

  it('refuses a review that turns a Hold into a Scale, or raises the increase', () => {
    const hold = { ...up, action: 'HOLD' as DecisionAction, scalePercent: null, newDailyBudgetMinor: null };
    const upgrade = mergeAnalystReview(hold, review({ action: 'SCALE', scalePercent: 100 }), guard);
    expect(upgrade).toMatchObject({ kind: 'refused', decision: hold });
    if (upgrade.kind === 'refused')
      expect(upgrade.refusal).toMatch(/proposed Scale \+100\.00% where the engine decided Hold/);
    const raise = mergeAnalystReview(up, review({ scalePercent: 25 }), guard);
    expect(raise).toMatchObject({ kind: 'refused', decision: up });
    if (raise.kind === 'refused')
      expect(raise.refusal).toMatch(/raises the increase from \+20\.00% to \+25\.00%/);
    expect(mergeAnalystReview(up, review({ action: 'PAUSE' }), guard).kind).toBe('refused');
    expect(mergeAnalystReview(up, review({ action: 'PROMOTE' }), guard).kind).toBe('refused');
  });

  it('holds a Scale or a Pause, and adds a Retest, with a reason saying why', () => {
    const held = mergeAnalystReview(
      up,
      review({ validation: 'disagree', action: 'HOLD', confidence: 'LOW' }),
      guard,
    );
    expect(held.kind).toBe('merged');
    expect(held.decision).toMatchObject({
      action: 'HOLD',
      scalePercent: null,
      newDailyBudgetMinor: null,
      confidence: 'LOW',
    });
    expect(held.decision.reasons.at(-1)?.text).toMatch(/Scale \+20\.00% became Hold/);
    expect(held.decision.explanation).toMatch(/^Hold Broad \(low confidence\)/);
    const retest = mergeAnalystReview(up, review({ action: 'RETEST' }), guard);
    expect(retest.decision.action).toBe('RETEST');
  });

  it('lets a Scale shrink, and the guardrails size the new budget', () => {
    const smaller = mergeAnalystReview(up, review({ scalePercent: 10 }), guard);
    expect(smaller.decision).toMatchObject({
      action: 'SCALE',
      scalePercent: 10,
      newDailyBudgetMinor: 11_000n,
    });
    expect(up.newDailyBudgetMinor).toBe(12_000n);
  });

  it('runs the guardrails again: a kill switch tripped since the engine ran holds even an agreed Scale', () => {
    const tripped = { ...guard, state: { ...state, killSwitch: { tripped: true, reason: 'daily loss' } } };
    const result = mergeAnalystReview(up, review({}), tripped);
    expect(result.kind).toBe('merged');
    expect(result.decision.action).toBe('HOLD');
    expect(result.decision.guardrails).toContainEqual(
      expect.objectContaining({ id: 'guardrail.killSwitch', passed: false, changed: true }),
    );
    // And a cap that tightened since: the budget moves less than the engine said, never more.
    const capped = { ...guard, state: { ...state, increasedTodayMinor: 1_500n } };
    expect(mergeAnalystReview(up, review({}), capped).decision).toMatchObject({
      action: 'SCALE',
      newDailyBudgetMinor: 10_625n,
    });
  });
});

describe('percentReaching', () => {
  it('finds the percent that lands on the target in the guardrails arithmetic', () => {
    const random = mulberry32(3);
    for (let i = 0; i < 10_000; i++) {
      const current = BigInt(int(random, 1, 5_000_000));
      const percent = Math.round((random() * 150 - 50) * 100) / 100;
      const target = current + (current * BigInt(Math.round(percent * 100))) / 10_000n;
      const found = percentReaching(current, target);
      expect(current + (current * BigInt(Math.round(found * 100))) / 10_000n).toBe(target);
      expect(Math.abs(found)).toBeLessThanOrEqual(Math.abs(percent) + 1e-9);
    }
  });
});
