// Engine speed: decide 100,000 ad sets with 30 days of history each, data already in memory, on one
// core (this process's main thread). Target: under 5 seconds.
// Run: npm run bench:engine   (BENCH_AD_SETS=n for another size)
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_RULES, addDays, decideAccount, type AccountInput, type EntityFacts } from '@roas/core';
import { Rng, sampleNormal } from '@roas/sim';
import { writeBenchmarkSection } from './benchmarks-doc.ts';

const AD_SETS = Number(process.env.BENCH_AD_SETS ?? 100_000);
const PER_ACCOUNT = 50;
const DAYS = 30;
const AS_OF = '2026-11-01';
const AUDIENCES = ['broad', 'interest', 'lookalike', 'retargeting'] as const;

/** A synthetic account: ad sets with their own ROAS and budget, Poisson-ish purchases, 30 daily rows. */
function account(index: number, size: number): AccountInput {
  const rng = new Rng(1_000 + index);
  const entities: EntityFacts[] = Array.from({ length: size }, (_, i) => {
    const roas = 3 * Math.exp(0.6 * sampleNormal(rng));
    const budget = 50 + Math.floor(rng.next() * 150);
    const aov = 60 * Math.exp(0.15 * sampleNormal(rng));
    const rows = Array.from({ length: DAYS }, (_, d) => {
      const spend = budget * (0.85 + 0.3 * rng.next());
      const purchases = Math.max(0, Math.round((spend * roas) / aov + sampleNormal(rng) * 1.5));
      const revenue = purchases * aov * Math.exp(0.3 * sampleNormal(rng));
      const impressions = Math.round(spend * 100);
      return {
        date: addDays(AS_OF, d - DAYS),
        totals: {
          spend: BigInt(Math.round(spend * 100)) * 10_000n,
          revenue: BigInt(Math.round(revenue * 100)) * 10_000n,
          purchases,
          impressions,
          reach: Math.round(impressions / 1.6),
          linkClicks: Math.round(impressions * 0.012),
          addsToCart: purchases * 3,
          checkoutsInitiated: purchases * 2,
        },
      };
    });
    return {
      entityId: `${index}-${i}`,
      level: 'adset' as const,
      name: `Ad set ${i}`,
      rows,
      audience: { type: AUDIENCES[i % AUDIENCES.length] ?? 'broad', lookalikePercent: 1 },
      stage: null,
      status: 'active' as const,
      state: {
        dailyBudgetMinor: BigInt(budget * 100),
        budgetOwner: 'adset' as const,
        learningStage: 'ACTIVE',
        hoursSinceBudgetChange: 72,
        budgetChangesLastHour: 0,
        increasedTodayMinor: 0n,
        spend: budget * DAYS,
        account: null,
        killSwitch: { tripped: false, reason: null },
      },
      previousActions: ['HOLD'],
    };
  });
  return {
    asOf: AS_OF,
    minorDigits: 2,
    totalDailyBudgetMinor: null,
    metaMinDailyBudgetMinor: 100n,
    entities,
  };
}

const accounts: AccountInput[] = [];
for (let made = 0, index = 0; made < AD_SETS; index++) {
  const size = Math.min(PER_ACCOUNT, AD_SETS - made);
  accounts.push(account(index, size));
  made += size;
}
console.log(`Built ${accounts.length} accounts of up to ${PER_ACCOUNT} ad sets, ${DAYS} days each.`);

// One warm-up account so the timing is of compiled code, as in a long-running server.
decideAccount(accounts[0] as AccountInput, DEFAULT_RULES);
const started = performance.now();
const counts = { SCALE: 0, HOLD: 0, PAUSE: 0, RETEST: 0, PROMOTE: 0 };
for (const input of accounts) {
  for (const decision of decideAccount(input, DEFAULT_RULES).decisions) counts[decision.action]++;
}
const seconds = (performance.now() - started) / 1000;
const line =
  `Decided ${AD_SETS.toLocaleString('en-US')} ad sets x ${DAYS} days in ${seconds.toFixed(2)} s on one core: ` +
  `${Math.round(AD_SETS / seconds).toLocaleString('en-US')} ad sets/s (target: under 5 s for 100,000).`;
console.log(`${line} Actions: ${JSON.stringify(counts)}`);
const [load1] = loadavg();
if (!process.env.BENCH_AD_SETS)
  await writeBenchmarkSection(
    'engine',
    'Decision engine: speed',
    [
      `Command: \`npm run bench:engine\` (synthetic accounts of ${PER_ACCOUNT} ad sets, ${DAYS} days each, data in memory; \`decideAccount\` with the default rules including allocation, one core).`,
      '',
      `${line} Machine load average when measured: ${load1?.toFixed(1)} on ${availableParallelism()} cores.`,
    ].join('\n'),
  );
