import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { listAccounts } from '../../adapters/db/repositories/accounts.repository.ts';
import { connectWithToken } from '../../services/meta-connect.service.ts';
import { UserError } from '../../shared/errors.ts';
import { renderTable } from '../format.ts';
import { runWithContext } from '../run.ts';

export function registerAccountsCommand(program: Command): void {
  const group = program.command('accounts').description('connected and imported ad accounts');

  group
    .command('add')
    .description('connect Meta ad accounts with an access token (a system-user token is best)')
    .option(
      '--token <token>',
      'the access token (visible to other users of this machine: prefer --token-file)',
    )
    .option('--token-file <path>', 'read the token from a file')
    .option('--account <id>', 'connect only this ad account (act_<id> or <id>)')
    .option('--json', 'print the connected accounts as JSON')
    .action(async (options: { token?: string; tokenFile?: string; account?: string; json?: boolean }) => {
      const token = options.tokenFile
        ? (await readFile(options.tokenFile, 'utf8')).trim()
        : options.token?.trim();
      if (!token) throw new UserError('give the token with --token or --token-file');
      await runWithContext(async ({ meta }) => {
        const connected = await connectWithToken(
          meta,
          token,
          options.account ? { onlyAccount: options.account } : {},
        );
        if (options.json) console.log(JSON.stringify({ accounts: connected }, null, 2));
        else
          for (const a of connected)
            console.log(`Connected ${a.name} (${a.id}, ${a.currency}). Run \`roas sync\` to read its data.`);
      });
    });

  group
    .command('list')
    .description('list accounts with their source, last sync and token expiry')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      await runWithContext(async ({ database }) => {
        const rows = (await listAccounts(database.db)).map((a) => ({
          id: a.id,
          name: a.name,
          source: a.source,
          currency: a.currency,
          timezone: a.timezone,
          lastSyncedAt: a.lastSyncedAt?.toISOString() ?? null,
          tokenExpiresAt: a.tokenExpiresAt?.toISOString() ?? null,
          syncBlockedReason: a.syncBlockedReason,
        }));
        if (options.json) {
          console.log(JSON.stringify({ accounts: rows }, null, 2));
          return;
        }
        if (rows.length === 0) {
          console.log('No accounts yet: `roas accounts add --token ...` or `roas import <file.csv>`.');
          return;
        }
        console.log(
          renderTable(
            [
              { header: 'Account', value: (r) => r.id, align: 'left' },
              { header: 'Name', value: (r) => r.name, align: 'left' },
              { header: 'Source', value: (r) => r.source, align: 'left' },
              { header: 'Currency', value: (r) => r.currency, align: 'left' },
              {
                header: 'Last sync',
                value: (r) => r.lastSyncedAt?.slice(0, 16).replace('T', ' ') ?? '-',
                align: 'left',
              },
              {
                header: 'Token expires',
                value: (r) => (r.source === 'meta' ? (r.tokenExpiresAt?.slice(0, 10) ?? 'never') : '-'),
                align: 'left',
              },
              { header: 'Status', value: (r) => r.syncBlockedReason ?? 'ok', align: 'left' },
            ],
            rows,
          ),
        );
      });
    });
}
