import type { Command } from 'commander';
import {
  measureOutcomes,
  outcomeSummary,
  type HitRate,
  type MeasureSummary,
  type OutcomeSummary,
} from '../../services/outcomes.service.ts';
import { fmt, renderTable } from '../format.ts';
import { runWithContext } from '../run.ts';

type Row = HitRate & { group: string };

const orDash = (value: string | null) => value ?? '-';

function table(title: string, rows: readonly Row[]): string | null {
  if (rows.length === 0) return null;
  return [
    title,
    renderTable<Row>(
      [
        { header: 'Group', value: (r) => r.group, align: 'left' },
        { header: 'After', value: (r) => `${r.horizonDays} d` },
        { header: 'Right', value: (r) => fmt.count(r.hits) },
        { header: 'Wrong', value: (r) => fmt.count(r.misses) },
        { header: 'Unclear', value: (r) => fmt.count(r.inconclusive) },
        { header: 'Hit rate', value: (r) => fmt.percent(r.hitRate, 0) },
      ],
      rows,
    ),
  ].join('\n');
}

function measurementText(m: MeasureSummary): string {
  const lines = [
    `Measured ${m.considered} outcome(s) due in ${m.accounts} account(s): ${m.stored} new, ${m.revised} revised, ${m.unchanged} unchanged, ${m.pending} waiting for their days to pass or mature, ${m.skipped} skipped.`,
  ];
  for (const note of m.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

/** The hit-rate tables as `roas outcomes` prints them. */
export function renderOutcomes(summary: OutcomeSummary, measurement: MeasureSummary | null): string {
  const parts: string[] = [];
  if (measurement) parts.push(measurementText(measurement));
  if (summary.note) {
    parts.push(summary.note);
    return parts.join('\n\n');
  }
  const sections = [
    table(
      'All recommendations',
      summary.overall.map((r) => ({ ...r, group: 'all' })),
    ),
    table(
      'By rule cell (action, bucket, trend)',
      summary.byRuleCell.map((r) => ({ ...r, group: `${r.action} ${orDash(r.bucket)} ${orDash(r.trend)}` })),
    ),
    table(
      'By audience type',
      summary.byAudience.map((r) => ({ ...r, group: r.audienceType })),
    ),
    table(
      'By stage',
      summary.byStage.map((r) => ({ ...r, group: r.stage ?? 'no stage' })),
    ),
  ];
  parts.push(...sections.filter((s): s is string => s !== null));
  parts.push(
    `Hit rate = right / (right + wrong); unclear outcomes (too little data, or too close to the line) are left out.${summary.measuredAt ? ` Last measured ${summary.measuredAt}.` : ''}`,
  );
  return parts.join('\n\n');
}

export function registerOutcomesCommand(program: Command): void {
  program
    .command('outcomes')
    .description(
      'whether past recommendations were right, 3 and 7 days on: hit rates by rule cell, audience type and stage',
    )
    .option('--account <id>', 'only this account (id or name; default: every account)')
    .option(
      '--measure',
      'first measure the outcomes that are due (the outcomes job does this every 12 hours)',
    )
    .option('--json', 'print the hit rates (and the measurement) as JSON')
    .action(async (options: { account?: string; measure?: boolean; json?: boolean }) => {
      await runWithContext(async ({ database }) => {
        const measurement = options.measure
          ? await measureOutcomes(database.db, { now: new Date(), accountId: options.account })
          : null;
        const summary = await outcomeSummary(database.db, options.account);
        console.log(
          options.json
            ? JSON.stringify({ ...summary, measurement }, null, 2)
            : renderOutcomes(summary, measurement),
        );
      });
    });
}
