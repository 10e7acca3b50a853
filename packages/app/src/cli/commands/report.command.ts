import { WINDOWS, type Window } from '@roas/core';
import { Option, type Command } from 'commander';
import type { InsightLevel } from '../../adapters/db/repositories/insights.repository.ts';
import { buildReport, type Report, type ReportRow } from '../../services/report.service.ts';
import { fmt, renderTable, type Column } from '../format.ts';
import { runWithContext } from '../run.ts';

export function renderReport(report: Report): string {
  const header = `${report.account.name} (${report.account.id}) · ${report.level} level · ${report.window} · ${
    report.dateRange.from ?? '…'
  } to ${report.dateRange.to ?? '…'} · ${report.currency}`;
  if (report.rows.length === 0) return `${header}\n\nNo data in this window.`;
  const columns: Column<ReportRow>[] = [
    { header: 'Name', value: (r) => fmt.truncate(r.name, 40), align: 'left' },
    { header: 'Spend', value: (r) => fmt.money(r.spend) },
    { header: 'Revenue', value: (r) => fmt.money(r.revenue) },
    { header: 'Purch.', value: (r) => fmt.count(r.purchases) },
    { header: 'ROAS', value: (r) => fmt.ratio(r.roas) },
    { header: 'CPA', value: (r) => fmt.ratio(r.cpa) },
    { header: 'CVR', value: (r) => fmt.percent(r.cvr) },
    { header: 'CTR', value: (r) => fmt.percent(r.ctr) },
    { header: 'CPC', value: (r) => fmt.ratio(r.cpc) },
    { header: 'CPM', value: (r) => fmt.ratio(r.cpm) },
    { header: 'AOV', value: (r) => fmt.ratio(r.aov) },
  ];
  const footer: ReportRow = { id: '', name: `Total (${report.rows.length})`, ...report.totals };
  const notes = report.notes.map((note) => `note: ${note}`);
  return [header, '', renderTable(columns, report.rows, footer), ...notes].join('\n');
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('spend, revenue, ROAS, CPA, CVR, CTR, CPC, CPM and AOV per entity over a window')
    .option('--account <name>', 'account name or id (default: the only account)')
    .addOption(
      new Option('--level <level>', 'entity level').choices(['campaign', 'adset', 'ad']).default('adset'),
    )
    .addOption(
      new Option('--window <window>', 'days ending on the latest reported day')
        .choices([...WINDOWS])
        .default('7d'),
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: { account?: string; level: InsightLevel; window: Window; json?: boolean }) => {
      await runWithContext(async ({ database }) => {
        const report = await buildReport(database.db, options);
        console.log(options.json ? JSON.stringify(report, null, 2) : renderReport(report));
      });
    });
}
