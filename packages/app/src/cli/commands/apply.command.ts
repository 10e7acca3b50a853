import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { AuditActor } from '../../services/audit.service.ts';
import {
  applyRecommendations,
  type AccountApplyResult,
  type ApplyItem,
} from '../../services/apply.service.ts';
import type { SentRequest } from '../../services/meta-write.service.ts';
import { undoAction, type UndoResult } from '../../services/undo.service.ts';
import { fmt, renderTable } from '../format.ts';
import { runWithContext } from '../run.ts';

/** The person at the terminal, for the audit trail. */
export function cliActor(): AuditActor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // Some containers run as a uid with no passwd entry.
  }
  return { kind: 'system', name: `cli:${name}` };
}

/** `POST /v26.0/<id> daily_budget=24000`: the request as sent, without the token. */
export function requestText(request: SentRequest | null): string {
  if (request === null) return '-';
  const params = Object.entries(request.params)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return `${request.method} ${request.path} ${params}`.trim();
}

function renderApply(result: AccountApplyResult): string {
  const head = `${result.account.name} (${result.account.id}), ${result.account.mode} mode${result.dryRun ? ', dry run: nothing sent' : ''}`;
  if (result.blocked !== null) return `${head}\n  ${result.blocked}`;
  const lines = [head];
  if (result.items.length > 0) {
    lines.push(
      renderTable<ApplyItem>(
        [
          { header: 'Outcome', value: (i) => i.outcome.toUpperCase(), align: 'left' },
          { header: 'Action', value: (i) => i.action, align: 'left' },
          { header: 'Ad set', value: (i) => fmt.truncate(i.name, 28), align: 'left' },
          { header: 'Via', value: (i) => i.via, align: 'left' },
          { header: 'Request', value: (i) => requestText(i.request), align: 'left' },
        ],
        result.items,
      ),
    );
    for (const item of result.items.filter((i) => i.reason !== null))
      lines.push(`  ${item.name}: ${item.reason ?? ''}`);
  }
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

function renderUndo(result: UndoResult): string {
  const sent = requestText(result.request);
  if (result.dryRun)
    return `Dry run: undoing ${result.actionId} would send ${sent}${result.reason ? ` (${result.reason})` : ''}`;
  return `Undo of ${result.actionId}: ${result.outcome.toUpperCase()}, ${sent}${result.reason ? `\n  ${result.reason}` : ''}${result.undoActionId ? `\n  undo action: ${result.undoActionId}` : ''}`;
}

export function registerApplyCommand(program: Command): void {
  program
    .command('apply')
    .description(
      'apply recommendations to Meta by each account’s mode (approve: approved ones; auto-safe: also allow-listed ones)',
    )
    .option('--account <id>', 'only this account (id or name; default: every connected Meta account)')
    .option(
      '--dry-run',
      'read Meta and check everything, print exactly what would be sent, send and store nothing',
    )
    .option('--json', 'print the outcome as JSON')
    .action(async (options: { account?: string; dryRun?: boolean; json?: boolean }) => {
      await runWithContext(async ({ meta, accountLocks }) => {
        const results = await applyRecommendations(meta, {
          accountId: options.account,
          dryRun: options.dryRun ?? false,
          actor: cliActor(),
          accountLocks,
        });
        if (options.json) {
          console.log(JSON.stringify(options.account === undefined ? results : results[0], null, 2));
          return;
        }
        console.log(results.map(renderApply).join('\n\n'));
      });
    });

  program
    .command('undo')
    .description(
      'restore what an applied action changed (itself an action; refused if the object changed since)',
    )
    .argument('<action-id>', 'the action to undo (its id, from roas apply --json)')
    .option('--dry-run', 'print what would be sent, send nothing')
    .option('--json', 'print the outcome as JSON')
    .action(async (actionId: string, options: { dryRun?: boolean; json?: boolean }) => {
      await runWithContext(async ({ meta, accountLocks }) => {
        const result = await undoAction(meta, actionId, {
          dryRun: options.dryRun ?? false,
          actor: cliActor(),
          accountLocks,
        });
        console.log(options.json ? JSON.stringify(result, null, 2) : renderUndo(result));
        if (!result.dryRun && result.outcome !== 'confirmed') process.exitCode = 1;
      });
    });
}
