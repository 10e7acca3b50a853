import type { Market } from '../market/market.ts';

/**
 * Scores of one policy on one seed (decision-quality.md 2.6). Money in major units. "Attributed" is
 * what Meta will eventually report once the 7-day lag resolves (purchases after the horizon included);
 * "true" is incremental revenue.
 */
export type RunMetrics = {
  policy: string;
  seed: number;
  days: number;
  spend: number;
  attributedRevenue: number;
  trueRevenue: number;
  /** margin x attributed revenue - spend. */
  profit: number;
  /** margin x true revenue - spend. */
  trueProfit: number;
  roas: number | null;
  trueRoas: number | null;
  /** Spend on ad-set-days whose expected true ROAS at that spend was below break-even. */
  wastedSpend: number;
  /** Spend on ad-set-days whose expected true marginal return was below break-even (m x R' < 1). */
  marginalWastedSpend: number;
  /** First day from which >= 50% of spend sits on the top ceil(N/4) ad sets by true efficiency for 3 days; `days` if never. */
  timeToFindWinners: number;
  /** Learning resets caused by budget edits or resumes (launch excluded). */
  learningResets: number;
  /** Share of delivering ad-set-days spent in LEARNING. */
  learningDayShare: number;
  /** sum |delta budget| / (days x B), paused counting as 0. */
  budgetChurn: number;
  /** 1 - spend / (days x B). */
  unspentShare: number;
  /** Decisions the market corrected (budget under the minimum or over the account total). */
  correctedDecisions: number;
};

const WINNER_SHARE = 0.5;
const WINNER_HOLD_DAYS = 3;

/** Computes a run's metrics from the market's ground truth over its first `days` days. */
export function computeRunMetrics(market: Market, policy: string, days: number): RunMetrics {
  const { scenario, latent, truth } = market;
  const margin = scenario.margin;
  const totalBudget = scenario.dailyBudget;
  const n = latent.length;
  const topCount = Math.ceil(n / 4);
  let spend = 0;
  let attributedRevenue = 0;
  let trueRevenue = 0;
  let wastedSpend = 0;
  let marginalWastedSpend = 0;
  let learningResets = 0;
  let deliveringDays = 0;
  let learningDays = 0;
  let churnCents = 0;
  const previousBudget = latent.map(() => Math.floor((totalBudget * 100) / n));
  const winnerDays: boolean[] = [];

  for (let day = 0; day < days; day++) {
    const efficiency: { index: number; value: number }[] = [];
    let daySpend = 0;
    let winnerSpend = 0;
    for (let i = 0; i < n; i++) {
      const record = truth[i]?.[day];
      const adSet = latent[i];
      if (!record || !adSet) continue;
      efficiency.push({ index: i, value: adSet.incrementality * record.r0 });
      spend += record.spend;
      daySpend += record.spend;
      attributedRevenue += record.attributedRevenue;
      trueRevenue += record.trueRevenue;
      if (record.spend > 0) {
        deliveringDays++;
        if (record.stage === 'LEARNING') learningDays++;
        if (margin * record.expectedTrueRevenue < record.spend) wastedSpend += record.spend;
        if (margin * record.marginalTrueRoas < 1) marginalWastedSpend += record.spend;
      }
      if (record.reset) learningResets++;
      const budget = record.status === 'ACTIVE' ? record.budgetCents : 0;
      churnCents += Math.abs(budget - (previousBudget[i] ?? 0));
      previousBudget[i] = budget;
    }
    efficiency.sort((a, b) => b.value - a.value || a.index - b.index);
    for (const { index } of efficiency.slice(0, topCount)) winnerSpend += truth[index]?.[day]?.spend ?? 0;
    winnerDays.push(daySpend > 0 && winnerSpend / daySpend >= WINNER_SHARE);
  }

  let timeToFindWinners = days;
  for (let day = 0; day + WINNER_HOLD_DAYS <= days; day++) {
    if (winnerDays.slice(day, day + WINNER_HOLD_DAYS).every(Boolean)) {
      timeToFindWinners = day;
      break;
    }
  }

  return {
    policy,
    seed: market.seed,
    days,
    spend: round2(spend),
    attributedRevenue: round2(attributedRevenue),
    trueRevenue: round2(trueRevenue),
    profit: round2(margin * attributedRevenue - spend),
    trueProfit: round2(margin * trueRevenue - spend),
    roas: spend > 0 ? attributedRevenue / spend : null,
    trueRoas: spend > 0 ? trueRevenue / spend : null,
    wastedSpend: round2(wastedSpend),
    marginalWastedSpend: round2(marginalWastedSpend),
    timeToFindWinners,
    learningResets,
    learningDayShare: deliveringDays > 0 ? learningDays / deliveringDays : 0,
    budgetChurn: churnCents / 100 / (days * totalBudget),
    unspentShare: 1 - spend / (days * totalBudget),
    correctedDecisions: market.correctedDecisions,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
