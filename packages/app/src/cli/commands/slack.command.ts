import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { SlackMessage } from '../../adapters/slack/block-kit.ts';
import { startSlackReceiver, type ReceivedMessage } from '../../adapters/slack/slack-receiver.ts';
import { dispatchNotifications } from '../../services/notifications.service.ts';
import { setAccountSlackWebhook } from '../../services/slack-webhooks.service.ts';
import { UserError } from '../../shared/errors.ts';
import { runWithContext } from '../run.ts';
import { cliActor } from './apply.command.ts';

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** A message as plain lines for the terminal: header, then each text, fields and button. */
function messageText(message: SlackMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks) {
    switch (block.type) {
      case 'header':
        lines.push(`# ${block.text.text}`);
        break;
      case 'section':
        if (block.text) lines.push(...block.text.text.split('\n').map((l) => `  ${l}`));
        if (block.fields) lines.push(`  ${block.fields.map((f) => f.text.replace('\n', ': ')).join(' | ')}`);
        if (block.accessory) lines.push(`  [${block.accessory.text.text}] ${block.accessory.url}`);
        break;
      case 'context':
        lines.push(`  (${block.elements.map((e) => e.text).join(' · ')})`);
        break;
      case 'actions':
        lines.push(`  ${block.elements.map((e) => `[${e.text.text}] ${e.url}`).join('  ')}`);
        break;
      case 'divider':
        lines.push('  ---');
        break;
    }
  }
  return lines.join('\n');
}

export function registerSlackCommands(program: Command): void {
  const group = program.command('slack').description('Slack notifications (incoming webhooks)');

  group
    .command('webhook')
    .description(
      'give an account its own Slack incoming webhook (stored encrypted), or --clear it to use SLACK_WEBHOOK_URL',
    )
    .argument('<account>', 'account id or name')
    .option('--url <url>', 'the webhook URL (visible to other users of this machine: prefer --url-file)')
    .option('--url-file <path>', 'read the webhook URL from a file')
    .option('--clear', 'remove the account’s own webhook')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        account: string,
        options: { url?: string; urlFile?: string; clear?: boolean; json?: boolean },
      ) => {
        const given = [options.url, options.urlFile, options.clear].filter((o) => o !== undefined).length;
        if (given !== 1) throw new UserError('give exactly one of --url URL, --url-file PATH or --clear');
        const url = options.urlFile
          ? (await readFile(options.urlFile, 'utf8')).trim()
          : (options.url ?? null);
        await runWithContext(async (context) => {
          const result = await setAccountSlackWebhook(
            { db: context.database.db, secrets: context.secrets, config: context.config },
            account,
            options.clear ? null : url,
            { actor: cliActor(), now: new Date() },
          );
          if (options.json) console.log(JSON.stringify(result, null, 2));
          else
            console.log(
              `${result.name} (${result.accountId}): Slack messages go to ${
                result.target === 'account'
                  ? 'its own webhook'
                  : result.target === 'default'
                    ? 'SLACK_WEBHOOK_URL'
                    : 'nowhere (set SLACK_WEBHOOK_URL or an account webhook)'
              }`,
            );
        });
      },
    );

  group
    .command('send')
    .description('send the queued notifications now (the scheduler does this by itself)')
    .option('--json', 'print the counts as JSON')
    .action(async (options: { json?: boolean }) => {
      await runWithContext(async (context) => {
        const summary = await dispatchNotifications(context, { now: new Date() });
        if (options.json) console.log(JSON.stringify(summary, null, 2));
        else
          console.log(
            `${summary.sent} notification(s) sent in ${summary.messages} message(s); ${summary.retrying} to retry, ${summary.failed} given up`,
          );
      });
    });

  program
    .command('fake-slack')
    .description('a stand-in Slack incoming webhook on 127.0.0.1 that prints what it receives (for trials)')
    .option('--port <port>', 'port (0 picks a free one)', '5556')
    .option('--fail <status>', 'answer every message with this status (500, or 429 with Retry-After: 30)')
    .option('--json', 'print each received message as one JSON line')
    .action(async (options: { port: string; fail?: string; json?: boolean }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UserError(`--port "${options.port}": expected a port number`);
      const fail = options.fail === undefined ? null : Number(options.fail);
      if (fail !== null && (!Number.isInteger(fail) || fail < 400 || fail > 599))
        throw new UserError(`--fail "${options.fail}": expected an HTTP error status such as 500 or 429`);
      const receiver = await startSlackReceiver({
        port,
        onMessage: (received: ReceivedMessage) => {
          if (options.json)
            console.log(
              JSON.stringify({ path: received.path, status: received.status, body: received.body }),
            );
          else if (received.message === null)
            console.log(`! refused (invalid_blocks): ${received.issues.join('; ')}`);
          else
            console.log(
              `${messageText(received.message)}${received.status === 200 ? '' : `\n  (answered ${received.status})`}\n`,
            );
        },
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE')
          throw new UserError(`--port ${options.port} is in use; choose another or 0 for any free port`);
        throw error;
      });
      if (fail !== null)
        receiver.replyAlways({ status: fail, ...(fail === 429 ? { retryAfterSeconds: 30 } : {}) });
      console.error(
        `Fake Slack webhook listening. Point ROAS Pilot at it with:\n  export SLACK_WEBHOOK_URL=${receiver.webhookUrl()}`,
      );
      await untilStopped();
      await receiver.close();
    });
}
