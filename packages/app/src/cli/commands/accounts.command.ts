import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { listAccounts } from '../../adapters/db/repositories/accounts.repository.ts';
import {
  executionOf,
  findAccount,
  setExecutionMode,
  setKillSwitch,
  type AccountExecution,
  type ExecutionMode,
} from '../../services/execution-settings.service.ts';
import { connectWithToken } from '../../services/meta-connect.service.ts';
import { EXECUTION_MODES } from '../../adapters/db/schema.ts';
import { UserError } from '../../shared/errors.ts';
import { renderTable } from '../format.ts';
import { runWithContext } from '../run.ts';
import { cliActor } from './apply.command.ts';

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new UserError(`${name}: "${value}" is not a number`);
  return parsed;
}

function renderExecution(e: AccountExecution): string {
  const lines = [`${e.name} (${e.accountId}): ${e.mode} mode`];
  if (e.mode === 'auto-safe') {
    lines.push(
      `  auto-safe applies by itself: ${e.settings.autoSafeRules.join(', ')}`,
      `  at most ${e.settings.autoSafeMaxPercent}% per budget change and ${e.settings.autoSafeMaxPerDay} change(s) a day`,
    );
  }
  if (e.mode !== 'recommend')
    lines.push(`  approvals older than ${e.settings.approvalMaxAgeHours} h are refused as stale`);
  lines.push(
    e.killSwitchReason === null
      ? '  kill switch: off'
      : `  kill switch: ON (${e.killSwitchReason}): nothing is written until it is cleared`,
  );
  return lines.join('\n');
}

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
          mode: a.executionMode,
          killSwitchReason: a.killSwitchReason,
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
              {
                header: 'Mode',
                value: (r) => (r.killSwitchReason ? `${r.mode} (kill switch on)` : r.mode),
                align: 'left',
              },
              { header: 'Status', value: (r) => r.syncBlockedReason ?? 'ok', align: 'left' },
            ],
            rows,
          ),
        );
      });
    });

  group
    .command('mode')
    .description('show or set how an account applies changes: recommend (never writes), approve, auto-safe')
    .argument('<account>', 'account id or name')
    .argument('[mode]', EXECUTION_MODES.join(' | '))
    .option(
      '--allow <rules>',
      'auto-safe: rule ids it applies by itself, comma-separated (a trailing * matches a prefix)',
    )
    .option('--max-percent <n>', 'auto-safe: the largest budget change it applies by itself, in percent')
    .option('--max-per-day <n>', 'auto-safe: the most changes it applies by itself per day')
    .option('--max-age-hours <n>', 'approvals of decisions older than this are refused as stale (default 24)')
    .option('--json', 'print the account’s execution settings as JSON')
    .action(
      async (
        account: string,
        mode: string | undefined,
        options: {
          allow?: string;
          maxPercent?: string;
          maxPerDay?: string;
          maxAgeHours?: string;
          json?: boolean;
        },
      ) => {
        await runWithContext(async ({ database, meta }) => {
          let execution: AccountExecution;
          if (mode === undefined) {
            execution = executionOf(await findAccount(database.db, account));
          } else {
            execution = await setExecutionMode(
              database.db,
              account,
              {
                mode: mode as ExecutionMode,
                autoSafeRules: options.allow
                  ?.split(',')
                  .map((r) => r.trim())
                  .filter(Boolean),
                autoSafeMaxPercent: numberOption('--max-percent', options.maxPercent),
                autoSafeMaxPerDay: numberOption('--max-per-day', options.maxPerDay),
                approvalMaxAgeHours: numberOption('--max-age-hours', options.maxAgeHours),
              },
              { actor: cliActor(), now: meta.now() },
            );
          }
          console.log(options.json ? JSON.stringify(execution, null, 2) : renderExecution(execution));
        });
      },
    );

  group
    .command('kill-switch')
    .description('freeze every write to Meta for an account (--on "reason"), or clear it (--off)')
    .argument('<account>', 'account id or name')
    .option('--on <reason>', 'trip the kill switch, saying why')
    .option('--off', 'clear the kill switch')
    .option('--json', 'print the account’s execution settings as JSON')
    .action(async (account: string, options: { on?: string; off?: boolean; json?: boolean }) => {
      if ((options.on === undefined) === (options.off !== true))
        throw new UserError('give exactly one of --on "reason" or --off');
      await runWithContext(async ({ database, meta }) => {
        const execution = await setKillSwitch(
          database.db,
          account,
          options.off ? null : (options.on ?? null),
          {
            actor: cliActor(),
            now: meta.now(),
          },
        );
        console.log(options.json ? JSON.stringify(execution, null, 2) : renderExecution(execution));
      });
    });
}
