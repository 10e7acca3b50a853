import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { SecretBox } from '../adapters/crypto/secret-box.ts';
import type { Db } from '../adapters/db/database.ts';
import type { AccountRow } from '../adapters/db/repositories/accounts.repository.ts';
import { accounts } from '../adapters/db/schema.ts';
import type { Config } from '../config.ts';
import { UserError } from '../shared/errors.ts';
import { recordAudit, type AuditActor } from './audit.service.ts';
import { findAccount } from './execution-settings.service.ts';

/** Where an account's Slack messages go: its own webhook, the default one, or nowhere. */
export type SlackTarget = 'account' | 'default' | null;

/** A resolved webhook: the URL (a secret, never logged), a hash to name it by, and where it came from. */
export type ResolvedWebhook = { url: string; hash: string; source: 'account' | 'default' };

// Bound into the ciphertext so a stored token cannot be passed off as a webhook, or the other way round.
const cipherContext = (accountId: string) => `slack-webhook:${accountId}`;

export function slackTargetOf(
  config: Pick<Config, 'slackWebhookUrl'>,
  account: Pick<AccountRow, 'slackWebhookCiphertext'> | null,
): SlackTarget {
  if (account?.slackWebhookCiphertext) return 'account';
  return config.slackWebhookUrl ? 'default' : null;
}

export function webhookHash(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

/** The webhook an account's messages go to (decrypting its own one), or null when there is none. */
export function resolveWebhook(
  deps: { config: Pick<Config, 'slackWebhookUrl'>; secrets: SecretBox },
  account: Pick<AccountRow, 'id' | 'slackWebhookCiphertext'> | null,
): ResolvedWebhook | null {
  if (account?.slackWebhookCiphertext) {
    const url = deps.secrets.decrypt(account.slackWebhookCiphertext, cipherContext(account.id));
    return { url, hash: webhookHash(url), source: 'account' };
  }
  const url = deps.config.slackWebhookUrl;
  return url ? { url, hash: webhookHash(url), source: 'default' } : null;
}

/** Checks a webhook URL given on the command line or in the API; the URL itself is never echoed. */
export function parseWebhookUrl(input: string, name = '--url'): string {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${name}: not a URL (expected https://hooks.slack.com/services/...)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UserError(`${name}: must be an http(s) URL, not ${url.protocol}`);
  return url.toString();
}

export type AccountSlackSetting = { accountId: string; name: string; target: SlackTarget };

/**
 * Gives an account its own Slack incoming webhook (stored encrypted with SECRET_KEY, like its Meta
 * token), or clears it (`null`) so its messages go to SLACK_WEBHOOK_URL. Audited without the URL.
 */
export async function setAccountSlackWebhook(
  deps: { db: Db; secrets: SecretBox; config: Pick<Config, 'slackWebhookUrl'> },
  accountId: string,
  webhookUrl: string | null,
  audit: { actor: AuditActor | null; now: Date },
): Promise<AccountSlackSetting> {
  const account = await findAccount(deps.db, accountId);
  const ciphertext =
    webhookUrl === null ? null : deps.secrets.encrypt(parseWebhookUrl(webhookUrl), cipherContext(account.id));
  await deps.db
    .update(accounts)
    .set({ slackWebhookCiphertext: ciphertext, updatedAt: audit.now })
    .where(eq(accounts.id, account.id));
  await recordAudit(deps.db, {
    actor: audit.actor,
    action: webhookUrl === null ? 'account.slack_webhook_clear' : 'account.slack_webhook_set',
    target: `account:${account.id}`,
    at: audit.now,
  });
  return {
    accountId: account.id,
    name: account.name,
    target: slackTargetOf(deps.config, { slackWebhookCiphertext: ciphertext }),
  };
}
