import { DEFAULT_POLICIES, runBenchmark, ScenarioError, type BenchmarkResult } from '@roas/sim';
import type { Command } from 'commander';
import { loadRulesFile } from '../../adapters/rules/rules-file.ts';
import { loadSimulationModels } from '../../services/simulation-models.service.ts';
import { UserError } from '../../shared/errors.ts';
import { fmt, renderTable } from '../format.ts';
import { createProgress } from '../progress.ts';
import { parseSeeds } from '../seeds.ts';

type PolicyRow = { name: string } & BenchmarkResult['policies'][string];

/** The per-policy table `roas simulate` and `npm run bench:simulate` print. */
export function renderBenchmark(result: BenchmarkResult, format: 'table' | 'markdown' = 'table'): string {
  const rows: PolicyRow[] = Object.entries(result.policies).map(([name, summary]) => ({ name, ...summary }));
  const gap = (r: PolicyRow) =>
    r.gapClosed === null
      ? '-'
      : `${fmt.percent(r.gapClosed.mean, 0)} [${fmt.percent(r.gapClosed.lo, 0)}, ${fmt.percent(r.gapClosed.hi, 0)}]`;
  const columns = [
    { header: 'Policy', value: (r: PolicyRow) => r.name, align: 'left' as const },
    { header: 'Profit (reported)', value: (r: PolicyRow) => fmt.money(r.profit) },
    { header: 'True profit', value: (r: PolicyRow) => fmt.money(r.trueProfit) },
    { header: 'ROAS', value: (r: PolicyRow) => fmt.ratio(r.roas) },
    { header: 'Gap closed [95% CI]', value: gap },
    { header: 'Wasted spend', value: (r: PolicyRow) => fmt.money(r.wastedSpend) },
    { header: 'Days to winners', value: (r: PolicyRow) => fmt.ratio(r.timeToFindWinners, 1) },
    { header: 'Learning resets', value: (r: PolicyRow) => fmt.ratio(r.learningResets, 1) },
    { header: 'Budget churn', value: (r: PolicyRow) => fmt.percent(r.budgetChurn, 1) },
  ];
  const title = `Scenario ${result.scenario}: ${result.seeds.length} seeds x ${result.days} days (means over seeds)`;
  if (format === 'markdown') {
    const head = `| ${columns.map((c) => c.header).join(' | ')} |`;
    const rule = `|${columns.map((c) => (c.align === 'left' ? '---' : '---:')).join('|')}|`;
    const body = rows.map((r) => `| ${columns.map((c) => c.value(r)).join(' | ')} |`);
    return [`**${title}**`, '', head, rule, ...body].join('\n');
  }
  return [title, '', renderTable(columns, rows)].join('\n');
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('benchmark budget policies on the simulated market, all on the same seeds')
    .requiredOption(
      '--scenario <preset|file.json>',
      'a preset name (default, low-volume, ...) or a scenario file',
    )
    .option('--policies <list>', 'comma-separated policies', DEFAULT_POLICIES.join(','))
    .option('--seeds <range>', 'seeds, e.g. 1-200 or 1,5,9', '1-20')
    .option('--days <n>', 'days to simulate (default: the scenario horizon)')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--rules <file.yaml>', "the engine policy's rules file (default: the bundled defaults)")
    .option(
      '--models <dir>',
      "the engine+ml policy's cold-start models folder (default: the shipped packages/app/models/cold-start)",
    )
    .option('--json', 'print the result as JSON')
    .action(
      async (options: {
        scenario: string;
        policies: string;
        seeds: string;
        days?: string;
        workers?: string;
        rules?: string;
        models?: string;
        json?: boolean;
      }) => {
        const positive = (flag: string, value: string | undefined, allowZero = false) => {
          if (value === undefined) return undefined;
          const n = Number(value);
          if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
            throw new UserError(`${flag} "${value}": expected a whole number${allowZero ? '' : ' above 0'}`);
          return n;
        };
        const policies = options.policies
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p !== '');
        const engineRules = options.rules ? await loadRulesFile(options.rules) : undefined;
        const workers = positive('--workers', options.workers, true);
        if (options.models && !policies.includes('engine+ml'))
          throw new UserError('--models is read by the engine+ml policy only: add it to --policies');
        const engineModels = policies.includes('engine+ml')
          ? await loadSimulationModels(options.models)
          : undefined;
        const progress = createProgress('Simulating', !options.json);
        let result: BenchmarkResult;
        try {
          result = await runBenchmark(
            {
              scenario: options.scenario,
              policies,
              seeds: parseSeeds(options.seeds),
              days: positive('--days', options.days),
              workers,
              ...(engineRules ? { engineRules } : {}),
              ...(engineModels ? { engineModels } : {}),
            },
            ({ done, total }) => progress.update(done, total),
          );
        } catch (error) {
          if (error instanceof RangeError || error instanceof ScenarioError) {
            throw new UserError(error.message);
          }
          throw error;
        } finally {
          progress.stop();
        }
        console.log(options.json ? JSON.stringify(result, null, 2) : renderBenchmark(result));
      },
    );
}
