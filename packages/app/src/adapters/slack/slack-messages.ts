import { moneyFromMinor } from '../../shared/money-view.ts';
import {
  actions,
  clip,
  context,
  divider,
  escapeMrkdwn,
  fieldsSection,
  header,
  LIMITS,
  link,
  linkButton,
  section,
  type SlackBlock,
  type SlackMessage,
} from './block-kit.ts';
import {
  categoryOf,
  type AccountAlertEvent,
  type ActionAppliedEvent,
  type NotificationCategory,
  type NotificationEvent,
  type RunSummaryEvent,
  type TokenExpiryEvent,
} from './notification-events.ts';

/** A stored event and its outbox id. */
export type QueuedEvent = { id: string; event: NotificationEvent };

/** One message to send and the outbox rows it carries (all sent, or all retried, together). */
export type RenderedMessage = {
  message: SlackMessage;
  ids: string[];
  accountId: string;
  category: NotificationCategory;
};

/** Links into the dashboard (`PUBLIC_URL`, or http://HOST:PORT). */
export class DashboardLinks {
  private readonly base: string;

  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  account(id: string): string {
    return `${this.base}/accounts/${encodeURIComponent(id)}`;
  }

  adset(id: string): string {
    return `${this.base}/adsets/${encodeURIComponent(id)}`;
  }

  recommendations(accountId: string): string {
    return `${this.base}/recommendations?account=${encodeURIComponent(accountId)}`;
  }

  history(): string {
    return `${this.base}/history`;
  }

  accounts(): string {
    return `${this.base}/accounts`;
  }
}

const EXPLANATION_CHARS = 280;
const SUMMARY_ITEMS = 8;

function money(minor: string | null, currency: string): string {
  return minor === null ? 'none' : moneyFromMinor(BigInt(minor), currency).formatted;
}

function signedMoney(minor: string, currency: string): string {
  const value = BigInt(minor);
  const formatted = moneyFromMinor(value < 0n ? -value : value, currency).formatted;
  return `${value < 0n ? '−' : '+'}${formatted}`;
}

function percent(value: number): string {
  return `${value > 0 ? '+' : ''}${value.toFixed(1)}%`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

const CHECK_TITLES: Record<string, string> = {
  account_status: 'Account status',
  spend_cap: 'Spend cap',
  tracking_flatline: 'Tracking flatline',
  rate_limit: 'Rate-limit usage',
  sync: 'Sync',
  token: 'Access token',
};

function checkTitle(check: string): string {
  return CHECK_TITLES[check] ?? check;
}

function alertBlocks(event: AccountAlertEvent, links: DashboardLinks, index: number): SlackBlock[] {
  const icon = event.state === 'resolved' ? '✅' : event.severity === 'critical' ? '🚨' : '⚠️';
  const label =
    event.state === 'resolved' ? 'Resolved' : event.severity === 'critical' ? 'Critical' : 'Warning';
  const lines = [
    `${icon} *${label} · ${escapeMrkdwn(checkTitle(event.check))}*`,
    escapeMrkdwn(event.message),
  ];
  if (event.killSwitchTripped !== null)
    lines.push(
      `🛑 *Kill switch tripped*: nothing is written to Meta for this account until a person clears it (\`roas accounts kill-switch ${event.account.id} --off\`).`,
    );
  return [
    section(lines.join('\n'), linkButton('Open account', links.account(event.account.id), `alert-${index}`)),
  ];
}

function tokenBlocks(event: TokenExpiryEvent, links: DashboardLinks, index: number): SlackBlock[] {
  const title = event.expired ? '🔑 *The Meta token has expired*' : '🔑 *The Meta token expires soon*';
  return [
    section(
      `${title}\n${escapeMrkdwn(event.message)}`,
      linkButton('Reconnect', links.accounts(), `token-${index}`),
    ),
  ];
}

function actionLine(event: ActionAppliedEvent, links: DashboardLinks): string {
  const name = `*${link(links.adset(event.entity.id), event.entity.name)}*`;
  const { currency } = event.account;
  switch (event.kind) {
    case 'pause':
      return `⏸ ${name} paused`;
    case 'scale': {
      const budget = event.budget;
      if (budget === null) return `📈 ${name} budget changed`;
      const from = budget.fromMinor === null ? null : BigInt(budget.fromMinor);
      const to = BigInt(budget.toMinor);
      const change =
        from !== null && from > 0n ? ` (${percent((Number(to - from) / Number(from)) * 100)})` : '';
      const where = budget.on === 'campaign' ? ' on its campaign (CBO)' : '';
      return `${from !== null && to < from ? '📉' : '📈'} ${name} daily budget ${money(budget.fromMinor, currency)} → ${money(budget.toMinor, currency)}${change}${where}`;
    }
    case 'promotion':
      return event.promotedInto === null
        ? `⏫ ${name} promoted`
        : `⏫ ${name}: best ad copied into *${escapeMrkdwn(event.promotedInto.name)}*`;
  }
}

function actionBlocks(event: ActionAppliedEvent, links: DashboardLinks, index: number): SlackBlock[] {
  const lines = [actionLine(event, links)];
  if (event.outcome === 'rejected')
    lines.push(`✖ *Meta refused it*: ${escapeMrkdwn(event.reason ?? 'no reason given')}`);
  if (event.outcome === 'unknown')
    lines.push(
      `❔ *Not confirmed yet*: ${escapeMrkdwn(event.reason ?? 'the answer was lost')}; the next apply reads it back`,
    );
  if (event.explanation) lines.push(`_${escapeMrkdwn(clip(event.explanation, EXPLANATION_CHARS))}_`);
  lines.push(
    event.via === 'auto-safe' ? 'Applied by auto-safe (allow-listed rule)' : 'Applied after approval',
  );
  return [
    section(lines.join('\n'), linkButton('View ad set', links.adset(event.entity.id), `adset-${index}`)),
  ];
}

function summaryItemLine(
  item: RunSummaryEvent['items'][number],
  currency: string,
  links: DashboardLinks,
): string {
  const name = `*${link(links.adset(item.entityId), item.name)}*`;
  const budget =
    item.action === 'SCALE' && item.newDailyBudgetMinor !== null
      ? ` ${money(item.dailyBudgetMinor, currency)} → ${money(item.newDailyBudgetMinor, currency)} a day`
      : '';
  const change =
    item.scalePercent !== null && item.action === 'SCALE' ? ` (${percent(item.scalePercent)})` : '';
  return `${item.action} ${name}${budget}${change} · ${item.confidence.toLowerCase()} confidence\n_${escapeMrkdwn(clip(item.explanation, 200))}_`;
}

function summaryBlocks(event: RunSummaryEvent, links: DashboardLinks, index: number): SlackBlock[] {
  const { currency } = event.account;
  const count = (action: string) => event.counts[action] ?? 0;
  const blocks: SlackBlock[] = [
    fieldsSection([
      `*Scale*\n${count('SCALE')}`,
      `*Pause*\n${count('PAUSE')}`,
      `*Promote*\n${count('PROMOTE')}`,
      `*Retest*\n${count('RETEST')}`,
      `*Hold*\n${count('HOLD')}`,
      `*Awaiting review*\n${event.pendingReview}`,
    ]),
  ];
  const budget = BigInt(event.budgetChangeMinor);
  const facts = [
    `Run ${event.runId.slice(0, 8)}${event.asOf ? ` · data as of ${event.asOf}` : ''} · ${event.mode} mode`,
  ];
  if (budget !== 0n)
    facts.push(`Budget change proposed: ${signedMoney(event.budgetChangeMinor, currency)} a day`);
  blocks.push(context(facts));
  const shown = event.items.slice(0, SUMMARY_ITEMS);
  for (const item of shown) blocks.push(section(summaryItemLine(item, currency, links)));
  if (event.items.length > shown.length)
    blocks.push(context([`…and ${event.items.length - shown.length} more on the dashboard`]));
  blocks.push(
    actions([
      linkButton('Review recommendations', links.recommendations(event.account.id), `review-${index}`),
    ]),
  );
  return blocks;
}

function headerText(
  category: NotificationCategory,
  events: NotificationEvent[],
  accountName: string,
): string {
  switch (category) {
    case 'alert': {
      const critical = events.some(
        (e) => e.kind === 'account_alert' && e.severity === 'critical' && e.state !== 'resolved',
      );
      const resolvedOnly = events.every((e) => e.kind === 'account_alert' && e.state === 'resolved');
      const icon = critical ? '🚨' : resolvedOnly ? '✅' : '⚠️';
      return `${icon} ${events.length === 1 ? 'Account alert' : `${events.length} account alerts`} · ${accountName}`;
    }
    case 'actions': {
      const n = (kind: string) => events.filter((e) => e.kind === kind).length;
      const parts = [
        n('pause') ? `${n('pause')} paused` : '',
        n('scale') ? `${n('scale')} budget ${n('scale') === 1 ? 'change' : 'changes'}` : '',
        n('promotion') ? `${n('promotion')} promoted` : '',
      ].filter(Boolean);
      return `⚡ ${parts.join(', ')} · ${accountName}`;
    }
    case 'summary':
      return `📊 ${events.length === 1 ? 'Decision run' : `${events.length} decision runs`} · ${accountName}`;
  }
}

function eventBlocks(event: NotificationEvent, links: DashboardLinks, index: number): SlackBlock[] {
  switch (event.kind) {
    case 'account_alert':
      return alertBlocks(event, links, index);
    case 'token_expiry':
      return tokenBlocks(event, links, index);
    case 'pause':
    case 'scale':
    case 'promotion':
      return actionBlocks(event, links, index);
    case 'run_summary':
      return summaryBlocks(event, links, index);
  }
}

function fallbackText(
  category: NotificationCategory,
  events: NotificationEvent[],
  accountName: string,
): string {
  switch (category) {
    case 'alert':
      return `${accountName}: ${events.map((e) => (e.kind === 'account_alert' || e.kind === 'token_expiry' ? e.message : '')).join(' · ')}`;
    case 'actions':
      return `${accountName}: ${plural(events.length, 'change')} applied to Meta`;
    case 'summary':
      return `${accountName}: ${events.map((e) => (e.kind === 'run_summary' ? `${e.items.length} recommendation(s) to act on, ${e.pendingReview} awaiting review` : '')).join(' · ')}`;
  }
}

/** Packs each event's blocks under one header, splitting into several messages past Slack's block limit. */
function pack(
  group: QueuedEvent[],
  category: NotificationCategory,
  links: DashboardLinks,
  footer: (index: number) => SlackBlock[],
): RenderedMessage[] {
  const first = group[0];
  if (!first) return [];
  const account = first.event.account;
  const messages: RenderedMessage[] = [];
  let blocks: SlackBlock[] = [];
  let members: QueuedEvent[] = [];
  let index = 0;
  const flush = () => {
    if (members.length === 0) return;
    const events = members.map((m) => m.event);
    const title = headerText(category, events, account.name);
    messages.push({
      message: {
        text: clip(fallbackText(category, events, account.name), LIMITS.sectionText),
        blocks: [header(title), ...blocks, ...footer(index++)],
      },
      ids: members.map((m) => m.id),
      accountId: account.id,
      category,
    });
    blocks = [];
    members = [];
  };
  // Room for the header and a footer of up to two blocks.
  const room = LIMITS.blocksPerMessage - 3;
  group.forEach((queued, i) => {
    const own = eventBlocks(queued.event, links, i);
    // Runs and alerts are set apart by a divider; applied changes read as one list.
    const needsDivider = () => members.length > 0 && category !== 'actions';
    if (blocks.length + own.length + (needsDivider() ? 1 : 0) > room) flush();
    if (needsDivider()) blocks.push(divider);
    blocks.push(...own);
    members.push(queued);
  });
  flush();
  return messages;
}

const CATEGORY_ORDER: readonly NotificationCategory[] = ['alert', 'actions', 'summary'];

/**
 * Renders pending events as Slack messages: one per account and category (alerts, applied changes,
 * decision runs), so several pauses arrive as one message; alerts come first. Every item links to
 * its page on the dashboard.
 */
export function renderMessages(queued: readonly QueuedEvent[], dashboardUrl: string): RenderedMessage[] {
  const links = new DashboardLinks(dashboardUrl);
  const groups = new Map<string, { category: NotificationCategory; events: QueuedEvent[] }>();
  for (const item of queued) {
    const category = categoryOf(item.event.kind);
    const key = `${category}\u0000${item.event.account.id}`;
    const group = groups.get(key) ?? { category, events: [] };
    group.events.push(item);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category),
  );
  return ordered.flatMap(({ category, events }) =>
    pack(events, category, links, (index) =>
      category === 'actions'
        ? [actions([linkButton('Open history', links.history(), `history-${index}`)])]
        : [],
    ),
  );
}
