import { toFixed } from '../metrics/fixed.ts';
import { formatMicros, minorUnitsToMicros } from '../money/money.ts';
import type { GuardrailRules } from '../rules/engine-rules.ts';
import type { DecisionAction } from '../rules/primitives.ts';

/** What the entity's state is when a decision is made; every field comes from synced data, not memory. */
export type GuardrailState = {
  /** Daily budget in minor units; null when unknown (CSV imports) or owned by the campaign. */
  dailyBudgetMinor: bigint | null;
  budgetOwner: 'adset' | 'campaign';
  /** Meta's learning stage (LEARNING, LEARNING_LIMITED / FAIL, ACTIVE / SUCCESS); null when unknown. */
  learningStage: string | null;
  /** Hours since the last budget change Meta actually applied; null when there was none. */
  hoursSinceBudgetChange: number | null;
  /** Budget changes applied in the last hour. */
  budgetChangesLastHour: number;
  /** Increase already applied today, in minor units. */
  increasedTodayMinor: bigint;
  /** Spend so far, in major units, for the no-pause-below-minimum-spend rule. */
  spend: number;
  /** Account totals for the account-wide daily increase cap; null when unknown. */
  account: { dailyBudgetMinor: bigint; increasedTodayMinor: bigint } | null;
  killSwitch: { tripped: boolean; reason: string | null };
};

/** Money thresholds of the rules resolved to this account (major units) and its currency's minor digits. */
export type GuardrailMoney = {
  maxDailyIncrease: number;
  noPauseBelowSpend: number;
  minDailyBudget: number;
  minorDigits: number;
};

export type Proposal = { action: DecisionAction; scalePercent: number | null; isKill: boolean };

export type GuardrailCheck = { id: string; passed: boolean; changed: boolean; text: string };

export type GuardedDecision = {
  action: DecisionAction;
  /** The budget change actually proposed after the caps, in percent; null unless SCALE. */
  scalePercent: number | null;
  newDailyBudgetMinor: bigint | null;
  /** Where a budget change would be made: the ad set, or its campaign when the campaign owns the budget. */
  appliesTo: 'adset' | 'campaign';
  guardrails: GuardrailCheck[];
};

const LEARNING = new Set(['LEARNING']);

function toMinor(major: number, digits: number): bigint {
  // Thresholds are whole minor units; a cap is never exceeded by rounding it up.
  return BigInt(Math.floor(major * 10 ** digits));
}

function formatMinor(minor: bigint, digits: number): string {
  return formatMicros(minorUnitsToMicros(minor, digits), digits);
}

/** The proposal as the checks narrow it, and the checks so far. */
type GuardrailRun = { checks: GuardrailCheck[]; action: DecisionAction; percent: number | null };

// Module-level helpers, not closures: applyGuardrails runs for every decision (twice with allocation).
function hold(run: GuardrailRun, id: string, text: string): void {
  run.checks.push({ id, passed: false, changed: run.action !== 'HOLD', text });
  run.action = 'HOLD';
  run.percent = null;
}

function pass(run: GuardrailRun, id: string, text: string): void {
  run.checks.push({ id, passed: true, changed: false, text });
}

const isBudgetChange = (run: GuardrailRun) => run.action === 'SCALE';

/**
 * Runs every guardrail, last and in a fixed order, over a proposed action. Guardrails only make an
 * action more cautious (a smaller change, or Hold); nothing upstream can skip them. Each check is
 * reported whether it passed, and whether it changed the proposal.
 */
export function applyGuardrails(
  proposal: Proposal,
  state: GuardrailState,
  rules: GuardrailRules,
  money: GuardrailMoney,
): GuardedDecision {
  const run: GuardrailRun = {
    checks: [],
    action: proposal.action,
    percent: proposal.action === 'SCALE' ? (proposal.scalePercent ?? 0) : null,
  };
  const { checks } = run;
  const appliesTo = state.budgetOwner === 'campaign' ? 'campaign' : 'adset';

  // 1. The account kill switch freezes scaling (or everything) until a person clears it.
  if (rules.killSwitch.enabled && state.killSwitch.tripped) {
    const reason = state.killSwitch.reason ?? 'tripped';
    if (rules.killSwitch.onTrip === 'holdAll' || isBudgetChange(run))
      hold(run, 'guardrail.killSwitch', `account kill switch is on (${reason})`);
    else pass(run, 'guardrail.killSwitch', `account kill switch is on (${reason}); only kills go through`);
  } else pass(run, 'guardrail.killSwitch', 'account kill switch is off');

  // 2. Campaign-owned budgets: advice goes to the campaign, or is skipped.
  if (isBudgetChange(run) && appliesTo === 'campaign') {
    if (rules.campaignBudget.routeTo === 'skip')
      hold(
        run,
        'guardrail.campaignBudget',
        'the campaign owns the budget (CBO); ad set budget advice is skipped',
      );
    else
      pass(
        run,
        'guardrail.campaignBudget',
        'the campaign owns the budget (CBO): the change applies to the campaign budget',
      );
  }

  // 3. No budget edits during Meta's learning phase (they reset it); kills allowed when configured.
  const learning = state.learningStage !== null && LEARNING.has(state.learningStage);
  if (rules.learningPhaseLock.enabled && learning) {
    const blocked =
      isBudgetChange(run) ||
      (run.action === 'PAUSE' && !(rules.learningPhaseLock.allowKills && proposal.isKill));
    if (blocked)
      hold(
        run,
        'guardrail.learningPhase',
        "the ad set is in Meta's learning phase; a change now would reset it",
      );
    else pass(run, 'guardrail.learningPhase', 'in the learning phase, but a kill is allowed');
  } else
    pass(
      run,
      'guardrail.learningPhase',
      learning ? 'learning-phase lock is off' : 'not in the learning phase',
    );

  // 4. Cooldown after the last real budget change (a recommendation nobody applied does not count).
  if (
    isBudgetChange(run) &&
    state.hoursSinceBudgetChange !== null &&
    state.hoursSinceBudgetChange < rules.cooldownHours
  ) {
    hold(
      run,
      'guardrail.cooldown',
      `budget changed ${Math.floor(state.hoursSinceBudgetChange)} h ago; cooldown is ${rules.cooldownHours} h`,
    );
  } else if (isBudgetChange(run)) pass(run, 'guardrail.cooldown', 'no budget change within the cooldown');

  // 5. Meta's limit of budget changes per ad set per hour.
  if (isBudgetChange(run) && state.budgetChangesLastHour >= rules.maxBudgetChangesPerHour) {
    hold(
      run,
      'guardrail.changesPerHour',
      `${state.budgetChangesLastHour} budget changes in the last hour (limit ${rules.maxBudgetChangesPerHour})`,
    );
  } else if (isBudgetChange(run))
    pass(run, 'guardrail.changesPerHour', `${state.budgetChangesLastHour} budget change(s) in the last hour`);

  // 6. No pause before the minimum spend.
  if (run.action === 'PAUSE' && rules.noPauseBelowMinSpend.enabled && state.spend < money.noPauseBelowSpend) {
    hold(
      run,
      'guardrail.noPauseBelowMinSpend',
      `spent ${toFixed(state.spend, 2)}, under the ${toFixed(money.noPauseBelowSpend, 2)} needed before a pause`,
    );
  } else if (run.action === 'PAUSE')
    pass(run, 'guardrail.noPauseBelowMinSpend', 'spent enough to judge a pause');

  // 7-9. The size of a budget change: per action, per day (ad set and account), and the minimum budget.
  let newBudget: bigint | null = null;
  if (isBudgetChange(run) && run.percent !== null) {
    if (run.percent > rules.maxScalePerAction.percent) {
      checks.push({
        id: 'guardrail.maxScalePerAction',
        passed: false,
        changed: true,
        text: `+${run.percent}% capped at +${rules.maxScalePerAction.percent}% per action`,
      });
      run.percent = rules.maxScalePerAction.percent;
    } else if (run.percent < -rules.maxDecreasePerAction.percent) {
      checks.push({
        id: 'guardrail.maxScalePerAction',
        passed: false,
        changed: true,
        text: `${run.percent}% capped at -${rules.maxDecreasePerAction.percent}% per action`,
      });
      run.percent = -rules.maxDecreasePerAction.percent;
    } else
      pass(
        run,
        'guardrail.maxScalePerAction',
        `${run.percent >= 0 ? '+' : ''}${run.percent}% is within the per-action limits`,
      );

    const current = state.dailyBudgetMinor;
    if (current === null) {
      pass(
        run,
        'guardrail.budgetKnown',
        appliesTo === 'campaign'
          ? 'the new campaign budget is set from the campaign'
          : 'no budget known (imported data): the change is given as a percent only',
      );
    } else {
      const digits = money.minorDigits;
      // Floor keeps an increase under every cap; the percent reported is the one actually achieved.
      let target = current + (current * BigInt(Math.round(run.percent * 100))) / 10_000n;
      if (target > current) {
        // How much more may be added now: the ad set's daily caps less what today already added, and the account's.
        const dayStart = current - state.increasedTodayMinor;
        const byPercent =
          (dayStart * BigInt(Math.round(rules.maxDailyIncrease.adSetPercent * 100))) / 10_000n;
        const byAmount = toMinor(money.maxDailyIncrease, digits);
        let remaining = (byPercent < byAmount ? byPercent : byAmount) - state.increasedTodayMinor;
        let why =
          byPercent < byAmount
            ? `${rules.maxDailyIncrease.adSetPercent}% a day`
            : `${formatMinor(byAmount, digits)} a day`;
        if (state.account) {
          const accountRemaining =
            (state.account.dailyBudgetMinor *
              BigInt(Math.round(rules.maxDailyIncrease.accountPercent * 100))) /
              10_000n -
            state.account.increasedTodayMinor;
          if (accountRemaining < remaining) {
            remaining = accountRemaining;
            why = `${rules.maxDailyIncrease.accountPercent}% a day across the account`;
          }
        }
        const allowed = current + (remaining > 0n ? remaining : 0n);
        if (target > allowed) {
          checks.push({
            id: 'guardrail.maxDailyIncrease',
            passed: false,
            changed: true,
            text: `increase capped at ${why} (${formatMinor(allowed, digits)})`,
          });
          target = allowed;
        } else pass(run, 'guardrail.maxDailyIncrease', 'within the daily increase limits');
      }
      const minimum = toMinor(money.minDailyBudget, digits);
      if (target < minimum) {
        checks.push({
          id: 'guardrail.minDailyBudget',
          passed: false,
          changed: true,
          text: `budget raised to the minimum ${formatMinor(minimum, digits)}`,
        });
        target = minimum > current ? current : minimum;
      }
      if (target === current) {
        hold(run, 'guardrail.noRoom', 'the limits leave no room for a change today');
      } else {
        newBudget = target;
        run.percent = Number(((target - current) * 10_000n) / current) / 100;
      }
    }
  }
  return {
    action: run.action,
    scalePercent: run.action === 'SCALE' ? run.percent : null,
    newDailyBudgetMinor: run.action === 'SCALE' ? newBudget : null,
    appliesTo,
    guardrails: checks,
  };
}
