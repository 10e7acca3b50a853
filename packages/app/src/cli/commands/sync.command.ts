import { isIsoDate } from '@roas/core';
import type { Command } from 'commander';
import { syncAccounts } from '../../services/sync-accounts.service.ts';
import { UserError } from '../../shared/errors.ts';
import { fmt } from '../format.ts';
import { createProgress } from '../progress.ts';
import { runWithContext } from '../run.ts';

export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description(
      'read Meta accounts: settings, campaigns, ad sets, ads and daily insights (first 90 days, then the last 28)',
    )
    .option('--account <id>', 'only this account (default: every connected Meta account)')
    .option('--since <date>', 'read from this date (YYYY-MM-DD) instead of the incremental start')
    .option('--json', 'print the result as JSON')
    .action(async (options: { account?: string; since?: string; json?: boolean }) => {
      if (options.since !== undefined && !isIsoDate(options.since))
        throw new UserError(`--since "${String(options.since)}": expected a date like 2026-03-01`);
      await runWithContext(async (context) => {
        const progress = createProgress('Syncing', !options.json);
        const results = await syncAccounts(context, {
          accountId: options.account,
          since: options.since,
          onProgress: (_account, done, total) => progress.update(done, total),
          accountLocks: context.accountLocks,
        }).finally(() => progress.stop());
        if (options.json) console.log(JSON.stringify({ results }, null, 2));
        for (const result of options.json ? [] : results) {
          for (const warning of result.warnings)
            console.log(`${result.name} (${result.accountId}): warning: ${warning}`);
          if (result.ok) {
            const s = result.summary;
            console.log(
              `${result.name} (${result.accountId}): ${s.since} to ${s.until}${s.resumed ? ' (resumed)' : ''}; ` +
                `${fmt.count(s.objects.campaigns)} campaigns, ${fmt.count(s.objects.adsets)} ad sets, ${fmt.count(s.objects.ads)} ads; ` +
                `${fmt.count(s.insightRows.adset)} ad set rows, ${fmt.count(s.insightRows.ad)} ad rows ` +
                `(${fmt.count(s.stored.inserted)} new, ${fmt.count(s.stored.changed)} changed)`,
            );
          } else {
            console.log(`${result.name} (${result.accountId}): FAILED: ${result.error}`);
          }
        }
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0)
          throw new UserError(`${failed.length} of ${results.length} account(s) failed to sync`);
      });
    });
}
