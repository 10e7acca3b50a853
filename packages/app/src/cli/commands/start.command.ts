import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { importAdsManagerCsv } from '../../services/import.service.ts';
import { buildReport } from '../../services/report.service.ts';
import { runWithContext } from '../run.ts';
import { describeImport, readCsvFile } from './import.command.ts';
import { renderReport } from './report.command.ts';

export const SAMPLE_EXPORT = fileURLToPath(new URL('../../../assets/sample-export.csv', import.meta.url));
export const SAMPLE_ACCOUNT = 'Sample store (bundled export)';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('first run: import the bundled sample Ads Manager export and print its 7-day ad set report')
    .action(async () => {
      const text = await readCsvFile(SAMPLE_EXPORT);
      await runWithContext(async ({ database }) => {
        const summary = await importAdsManagerCsv(database.db, {
          text,
          fileName: 'sample-export.csv',
          accountName: SAMPLE_ACCOUNT,
          now: new Date(),
        });
        console.log(describeImport(summary));
        console.log('');
        for (const level of ['campaign', 'adset'] as const) {
          console.log(
            renderReport(
              await buildReport(database.db, { account: summary.account.id, level, window: '7d' }),
            ),
          );
          console.log('');
        }
        console.log(`Data is kept in ${database.location} (${database.engine}).`);
        console.log('Next: `npx roas import <your-export.csv>` then `npx roas report --window 14d`.');
      });
    });
}
