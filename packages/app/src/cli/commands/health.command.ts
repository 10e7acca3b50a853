import type { Command } from 'commander';
import { runHealthChecks, type AccountHealthRun } from '../../services/health-checks.service.ts';
import { runWithContext } from '../run.ts';

function renderRun(run: AccountHealthRun): string {
  const head = `${run.name} (${run.accountId})`;
  if (run.error !== null) return `${head}: not checked: ${run.error}`;
  const lines = [run.findings.length === 0 ? `${head}: healthy` : `${head}:`];
  for (const f of run.findings)
    lines.push(
      `  ${f.severity.toUpperCase()} ${f.check}: ${f.message}${f.tripsKillSwitch ? ' [trips the kill switch]' : ''}`,
    );
  if (run.alerted.length > 0) lines.push(`  alerted on Slack: ${run.alerted.join(', ')}`);
  if (run.resolved.length > 0) lines.push(`  resolved: ${run.resolved.join(', ')}`);
  if (run.killSwitchTripped !== null)
    lines.push(
      `  KILL SWITCH TRIPPED: nothing is written until a person clears it (roas accounts kill-switch ${run.accountId} --off)`,
    );
  return lines.join('\n');
}

export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .description(
      'check account health now (status, spend cap, tracking flatline, token, rate limits): alert new problems, trip the kill switch on critical ones',
    )
    .option('--account <id>', 'only this account (id or name)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { account?: string; json?: boolean }) => {
      await runWithContext(async (context) => {
        const runs = await runHealthChecks(context, { now: new Date(), accountId: options.account });
        console.log(options.json ? JSON.stringify(runs, null, 2) : runs.map(renderRun).join('\n'));
        if (runs.some((r) => r.error !== null)) process.exitCode = 1;
      });
    });
}
