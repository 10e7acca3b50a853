import type { Command } from 'commander';
import type { Holdout } from '../../services/models/model-registry.service.ts';
import {
  trainModels,
  type AccountTraining,
  type KindTraining,
} from '../../services/models/model-training.service.ts';
import { fmt, renderTable } from '../format.ts';
import { runWithContext } from '../run.ts';

type Registered = Extract<KindTraining, { status: 'registered' }>;

/** The model's holdout error beside each baseline: `MAE 0.71 (last7Roas 0.93, coldStart 0.75)`. */
function accuracyText(holdout: Holdout): string {
  const name = holdout.metric === 'mae' ? 'MAE' : 'Brier';
  const others = Object.entries(holdout.baselines)
    .map(([baseline, value]) => `${baseline} ${fmt.ratio(value, 4)}`)
    .join(', ');
  return `${name} ${fmt.ratio(holdout.model, 4)} (${others})`;
}

/** One account's training for people: a table of the registered models, then what was skipped. */
export function renderTraining(run: AccountTraining): string {
  const head = `${run.account.name} (${run.account.id}) · as of ${run.asOf} · ${run.days} day(s) with known outcomes, ${fmt.count(run.rows)} ad set-day(s) · ${run.seconds.toFixed(1)} s`;
  const lines = [head];
  const registered = run.kinds.filter((k): k is Registered => k.status === 'registered');
  if (registered.length > 0)
    lines.push(
      renderTable<Registered>(
        [
          { header: 'Model', value: (k) => k.label, align: 'left' },
          { header: 'Used', value: (k) => (k.isActive ? 'yes' : 'no'), align: 'left' },
          { header: 'Holdout', value: (k) => `${k.holdoutFrom} to ${k.holdoutTo}`, align: 'left' },
          { header: 'Rows', value: (k) => fmt.count(k.holdout.rows) },
          { header: 'Accuracy on the holdout', value: (k) => accuracyText(k.holdout), align: 'left' },
          { header: 'Rank corr.', value: (k) => fmt.ratio(k.holdout.rankCorrelation, 3) },
        ],
        registered,
      ),
    );
  for (const k of registered) lines.push(`  ${k.label}: ${k.isActive ? 'used' : 'not used'}: ${k.reason}`);
  for (const k of run.kinds)
    if (k.status === 'skipped') lines.push(`  ${k.kind}: nothing registered: ${k.reason}`);
  return lines.join('\n');
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description(
      'train the learning models on each account’s history (from the cold start), measure them on its last days, and register them',
    )
    .option('--account <id>', 'only this account (id or name; default: every account)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { account?: string; json?: boolean }) => {
      await runWithContext(async ({ database }) => {
        const runs = await trainModels(database.db, { accountId: options.account, now: new Date() });
        if (options.json) {
          console.log(JSON.stringify(options.account === undefined ? runs : runs[0], null, 2));
          return;
        }
        console.log(runs.map(renderTraining).join('\n\n'));
      });
    });
}
