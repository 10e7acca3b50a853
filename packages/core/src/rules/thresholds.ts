import type { TargetsRules } from './engine-rules.ts';
import type { CpmThreshold, MoneyThreshold, RoasThreshold } from './primitives.ts';

/** The account's targets in numbers: ROAS as ratios, CPA in account currency (major units). */
export type ResolvedTargets = {
  breakEvenRoas: number | null;
  targetRoas: number | null;
  targetCpa: number | null;
};

/**
 * Turns the `targets` section into numbers for one account. `aov` is the account's average order
 * value in account currency; a value that needs it is null while it is unknown, and a break-even
 * from COGS per purchase is null when the AOV does not cover the COGS (no ROAS breaks even).
 */
export function resolveTargets(targets: TargetsRules, account: { aov: number | null }): ResolvedTargets {
  const aov = account.aov !== null && account.aov > 0 ? account.aov : null;
  const breakEven = targets.breakEven;
  let breakEvenRoas: number | null;
  switch (breakEven.from) {
    case 'margin':
      breakEvenRoas = 1 / breakEven.margin;
      break;
    case 'cogsShare':
      breakEvenRoas = 1 / (1 - breakEven.cogsShare);
      break;
    case 'cogsPerPurchase':
      breakEvenRoas = aov !== null && aov > breakEven.amount ? aov / (aov - breakEven.amount) : null;
      break;
    case 'roas':
      breakEvenRoas = breakEven.roas;
      break;
  }
  const targetRoas =
    targets.targetRoas.source === 'fixed'
      ? targets.targetRoas.roas
      : breakEvenRoas === null
        ? null
        : breakEvenRoas * targets.targetRoas.multiple;
  const targetCpa =
    targets.targetCpa.source === 'fixed'
      ? targets.targetCpa.amount
      : aov !== null && targetRoas !== null
        ? aov / targetRoas
        : null;
  return { breakEvenRoas, targetRoas, targetCpa };
}

/** A money threshold in account currency (major units), given the account's target CPA. */
export function resolveMoneyThreshold(threshold: MoneyThreshold, targetCpa: number): number {
  return threshold.unit === 'targetCpa' ? threshold.value * targetCpa : threshold.value;
}

/** A ROAS threshold as a plain ROAS, given the account's break-even and target ROAS. */
export function resolveRoasThreshold(
  threshold: RoasThreshold,
  basis: { breakEvenRoas: number; targetRoas: number },
): number {
  switch (threshold.unit) {
    case 'roas':
      return threshold.value;
    case 'breakEven':
      return threshold.value * basis.breakEvenRoas;
    case 'targetRoas':
      return threshold.value * basis.targetRoas;
  }
}

/** A CPM threshold in account currency per 1,000 impressions; null when it is relative and the account CPM is unknown. */
export function resolveCpmThreshold(threshold: CpmThreshold, accountCpm: number | null): number | null {
  if (threshold.unit === 'currency') return threshold.value;
  return accountCpm === null ? null : threshold.value * accountCpm;
}
