import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { importAdsManagerCsv, type ImportSummary } from '../../services/import.service.ts';
import { UserError } from '../../shared/errors.ts';
import { fmt } from '../format.ts';
import { createProgress } from '../progress.ts';
import { runWithContext } from '../run.ts';

export async function readCsvFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`,
    );
  }
}

export function describeImport(summary: ImportSummary): string {
  const t = summary.totals;
  const lines = [
    `Imported ${fmt.count(summary.rows)} rows (${summary.level} level, ${fmt.count(summary.entities)} ${summary.level}s) into "${summary.account.name}" (${summary.account.id})`,
    `  ${summary.dateRange.from} to ${summary.dateRange.to}, ${summary.currency}: spend ${fmt.money(t.spend)}, revenue ${fmt.money(t.revenue)}, ${fmt.count(t.purchases)} purchases, ${fmt.count(t.impressions)} impressions, ${fmt.count(t.clicks)} link clicks`,
    `  stored: ${fmt.count(summary.stored.inserted)} new, ${fmt.count(summary.stored.changed)} updated, ${fmt.count(summary.stored.unchanged)} unchanged`,
  ];
  for (const warning of summary.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('import an Ads Manager CSV export (daily or whole-period; campaign, ad set or ad level)')
    .argument('<file.csv>', 'the exported file')
    .option('--account <name>', 'the account to import into (default: from the file, else the file name)')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: { account?: string; json?: boolean }) => {
      const text = await readCsvFile(file);
      await runWithContext(async ({ database }) => {
        const progress = createProgress('Importing', !options.json);
        try {
          const summary = await importAdsManagerCsv(database.db, {
            text,
            fileName: file,
            accountName: options.account,
            now: new Date(),
            onProgress: progress.update,
          });
          progress.stop();
          console.log(options.json ? JSON.stringify(summary, null, 2) : describeImport(summary));
        } finally {
          progress.stop();
        }
      });
    });
}
