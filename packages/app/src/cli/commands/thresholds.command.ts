import type { Command } from 'commander';
import {
  DEFAULT_EFFECT_MEASUREMENT,
  listThresholdProposals,
  proposeThresholds,
  type ProposalView,
} from '../../services/threshold-proposals.service.ts';
import { UserError } from '../../shared/errors.ts';
import { fmt, renderTable } from '../format.ts';
import { runWithContext } from '../run.ts';

const effectText = (proposal: ProposalView): string => {
  const effect = proposal.expectedEffect;
  if (effect === null) return 'not measured';
  const delta = Number(effect.trueProfitDelta);
  const [low, high] = (effect.trueProfitDeltaInterval as [number, number] | undefined) ?? [
    Number.NaN,
    Number.NaN,
  ];
  return `${delta >= 0 ? '+' : ''}${fmt.money(delta)} true profit [${fmt.money(low)}, ${fmt.money(high)}]`;
};

function render(proposals: readonly ProposalView[]): string {
  if (proposals.length === 0) return 'No threshold proposals.';
  const table = renderTable<ProposalView>(
    [
      { header: 'Id', value: (p) => p.id.slice(0, 8), align: 'left' },
      { header: 'Status', value: (p) => p.status, align: 'left' },
      { header: 'Proposal', value: (p) => fmt.truncate(p.title, 60), align: 'left' },
      {
        header: 'Evidence',
        value: (p) => `${String(p.evidence.hits)} hits / ${String(p.evidence.misses)} misses`,
        align: 'left',
      },
      { header: 'Expected effect (simulator)', value: effectText, align: 'left' },
    ],
    proposals,
  );
  return `${table}\nApprove or reject in the dashboard's Settings page (admins only); an approval saves a new settings version.`;
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 2)
    throw new UserError(`${name} must be an integer of at least 2 (got "${text}")`);
  return value;
}

export function registerThresholdsCommand(program: Command): void {
  const thresholds = program
    .command('thresholds')
    .description(
      'adaptive thresholds: bounded rule changes proposed from outcome hit rates, approved by an admin',
    );
  thresholds
    .command('propose')
    .description(
      'read 7-day outcome hit rates, propose bounded threshold changes and measure each on the simulator',
    )
    .option(
      '--account <id>',
      "one account's rules (default: the global rules, from every account's outcomes)",
    )
    .option('--min-outcomes <n>', 'hits + misses a group needs before it counts', '20')
    .option(
      '--seeds <n>',
      'simulated markets to measure each proposal on',
      String(DEFAULT_EFFECT_MEASUREMENT.seeds.length),
    )
    .option('--no-measure', 'skip the simulator (the expected effect is then unknown)')
    .option('--json', 'print the proposals as JSON')
    .action(
      async (options: {
        account?: string;
        minOutcomes: string;
        seeds: string;
        measure: boolean;
        json?: boolean;
      }) => {
        const minDecided = positiveInteger('--min-outcomes', options.minOutcomes);
        const seeds = positiveInteger('--seeds', options.seeds);
        await runWithContext(async ({ database }) => {
          const result = await proposeThresholds(database.db, {
            accountId: options.account,
            now: new Date(),
            minDecided,
            measurement: options.measure
              ? {
                  ...DEFAULT_EFFECT_MEASUREMENT,
                  seeds: Array.from(
                    { length: seeds },
                    (_, i) => (DEFAULT_EFFECT_MEASUREMENT.seeds[0] ?? 300_001) + i,
                  ),
                }
              : null,
          });
          if (options.json) console.log(JSON.stringify(result, null, 2));
          else
            console.log(
              `Read ${result.outcomesRead} decided 7-day outcomes against settings version ${result.settingsVersion}.\n${render(result.proposals)}`,
            );
        });
      },
    );
  thresholds
    .command('list')
    .description('threshold proposals, newest first')
    .option('--account <id>', "one account's proposals (default: the global ones)")
    .option('--status <status>', 'proposed, approved, rejected or superseded')
    .option('--json', 'print the proposals as JSON')
    .action(async (options: { account?: string; status?: string; json?: boolean }) => {
      const statuses = ['proposed', 'approved', 'rejected', 'superseded'] as const;
      const status = options.status as (typeof statuses)[number] | undefined;
      if (status !== undefined && !statuses.includes(status))
        throw new UserError(`--status must be one of ${statuses.join(', ')} (got "${options.status ?? ''}")`);
      await runWithContext(async ({ database }) => {
        const proposals = await listThresholdProposals(database.db, { accountId: options.account, status });
        console.log(options.json ? JSON.stringify(proposals, null, 2) : render(proposals));
      });
    });
}
