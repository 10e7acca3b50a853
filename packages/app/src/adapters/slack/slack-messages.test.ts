import { describe, expect, it } from 'vitest';
import { LIMITS, slackMessageSchema, type SectionBlock, type SlackMessage } from './block-kit.ts';
import type { ActionAppliedEvent, NotificationEvent } from './notification-events.ts';
import { renderMessages } from './slack-messages.ts';

const shop = { id: 'act_1', name: 'My <shop> & co', currency: 'EUR' };
const other = { id: 'act_2', name: 'Other', currency: 'JPY' };

function pause(id: string, account = shop): ActionAppliedEvent {
  return {
    kind: 'pause',
    account,
    entity: { id, name: `Ad set ${id}` },
    actionId: `a-${id}`,
    via: 'approve',
    outcome: 'confirmed',
    reason: null,
    budget: null,
    promotedInto: null,
    explanation: 'Pause: ROAS 0.6 is below break-even 1.4 with 92% probability.',
  };
}

const scale: ActionAppliedEvent = {
  ...pause('9'),
  kind: 'scale',
  via: 'auto-safe',
  budget: { on: 'campaign', fromMinor: '10000', toMinor: '12000' },
};

const sectionTexts = (message: SlackMessage) =>
  message.blocks.filter((b): b is SectionBlock => b.type === 'section').map((b) => b.text?.text ?? '');

const queued = (events: NotificationEvent[]) => events.map((event, i) => ({ id: `n${i}`, event }));

describe('renderMessages', () => {
  it('batches one account’s applied changes into one valid message with dashboard links and money in its currency', () => {
    const [message, ...rest] = renderMessages(
      queued([pause('1'), pause('2'), scale]),
      'https://roas.example.com/',
    );
    expect(rest).toEqual([]);
    expect(message?.ids).toEqual(['n0', 'n1', 'n2']);
    const slack = message?.message as SlackMessage;
    expect(slackMessageSchema.safeParse(slack).success).toBe(true);
    expect(slack.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '⚡ 2 paused, 1 budget change · My <shop> & co', emoji: true },
    });
    const texts = sectionTexts(slack);
    expect(texts[0]).toContain('⏸ *<https://roas.example.com/adsets/1|Ad set 1>* paused');
    expect(texts[2]).toContain('€100.00 → €120.00 (+20.0%) on its campaign (CBO)');
    expect(texts[2]).toContain('Applied by auto-safe');
    const buttons = slack.blocks.flatMap((b) =>
      b.type === 'section' && b.accessory
        ? [b.accessory.url]
        : b.type === 'actions'
          ? b.elements.map((e) => e.url)
          : [],
    );
    expect(buttons).toEqual([
      'https://roas.example.com/adsets/1',
      'https://roas.example.com/adsets/2',
      'https://roas.example.com/adsets/9',
      'https://roas.example.com/history',
    ]);
  });

  it('keeps accounts and kinds apart, alerts first, and escapes mrkdwn in names', () => {
    const messages = renderMessages(
      queued([
        pause('1'),
        pause('3', other),
        {
          kind: 'account_alert',
          account: other,
          check: 'tracking_flatline',
          severity: 'critical',
          state: 'new',
          message: 'no purchase <anywhere>',
          killSwitchTripped: 'health check tracking_flatline: no purchase',
        },
      ]),
      'http://127.0.0.1:8000',
    );
    expect(messages.map((m) => [m.category, m.accountId, m.ids])).toEqual([
      ['alert', 'act_2', ['n2']],
      ['actions', 'act_1', ['n0']],
      ['actions', 'act_2', ['n1']],
    ]);
    const alert = messages[0]?.message as SlackMessage;
    expect(sectionTexts(alert)[0]).toContain('no purchase &lt;anywhere&gt;');
    expect(sectionTexts(alert)[0]).toContain('Kill switch tripped');
    expect(alert.blocks[0]).toMatchObject({ text: { text: '🚨 Account alert · Other' } });
    for (const m of messages) expect(slackMessageSchema.safeParse(m.message).success).toBe(true);
  });

  it('splits a large batch so no message passes Slack’s 50-block limit, each with its own header', () => {
    const events = Array.from({ length: 120 }, (_, i) => pause(String(i)));
    const messages = renderMessages(queued(events), 'http://127.0.0.1:8000');
    expect(messages.length).toBe(3);
    expect(messages.flatMap((m) => m.ids)).toEqual(events.map((_, i) => `n${i}`));
    for (const m of messages) {
      expect(m.message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
      expect(m.message.blocks[0]?.type).toBe('header');
      expect(slackMessageSchema.safeParse(m.message).success).toBe(true);
    }
  });

  it('summarises a decision run: counts, the budget change in the account’s currency, and a review button', () => {
    const [message] = renderMessages(
      queued([
        {
          kind: 'run_summary',
          account: other,
          runId: '0123456789abcdef',
          generatedAt: '2026-03-15T08:00:00.000Z',
          asOf: '2026-03-15',
          mode: 'approve',
          counts: { SCALE: 1, PAUSE: 1, HOLD: 4 },
          pendingReview: 2,
          budgetChangeMinor: '-500',
          items: [
            {
              entityId: '7',
              name: 'Broad',
              action: 'SCALE',
              confidence: 'HIGH',
              scalePercent: 20,
              dailyBudgetMinor: '2500',
              newDailyBudgetMinor: '3000',
              explanation: 'Scale Broad by +20%.',
            },
          ],
        },
      ]),
      'http://127.0.0.1:8000',
    );
    const slack = message?.message as SlackMessage;
    expect(slackMessageSchema.safeParse(slack).success).toBe(true);
    const json = JSON.stringify(slack);
    expect(json).toContain('*Awaiting review*\\n2');
    expect(json).toContain('Budget change proposed: −¥500 a day');
    expect(json).toContain('¥2,500 → ¥3,000 a day (+20.0%)');
    expect(slack.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ url: 'http://127.0.0.1:8000/recommendations?account=act_2' }],
    });
  });

  it('the Block Kit check refuses what Slack refuses', () => {
    expect(slackMessageSchema.safeParse({ text: 'x', blocks: [] }).success).toBe(false);
    expect(
      slackMessageSchema.safeParse({
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }],
      }).success,
    ).toBe(false);
    expect(
      slackMessageSchema.safeParse({
        text: 'x',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }],
      }).success,
    ).toBe(false);
  });
});
