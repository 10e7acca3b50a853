import { toGraphLearningStatus } from '../market/learning.ts';
import type { FakeAccount } from './fake-account.ts';
import type { AdNode, AdSetNode, AudienceNode, CampaignNode, CreativeNode } from './graph-nodes.ts';
import { project, type FieldSelection, type NodeType } from './fields.ts';
import { tzOffsetMinutes } from './sim-clock.ts';
import { BUSINESS_ID } from './tokens.ts';

export type AccountNode = { kind: 'account' };
export type UserNode = { kind: 'user'; id: string; name: string };
export type BusinessNode = { kind: 'business'; id: string; name: string };

const PIXEL_ID = '1122334455667788';
const BUSINESS_NAME = 'ROAS Pilot Demo Business';

export type NodeTypes = {
  account: NodeType<AccountNode>;
  campaign: NodeType<CampaignNode>;
  adSet: NodeType<AdSetNode>;
  ad: NodeType<AdNode>;
  creative: NodeType<CreativeNode>;
  audience: NodeType<AudienceNode>;
  user: NodeType<UserNode>;
  business: NodeType<BusinessNode>;
};

const idOnly: FieldSelection[] = [{ name: 'id', sub: null }];

/**
 * Field tables of the Graph node types the fake serves (meta-graph-api.md 2.3 to 2.7): ids as strings,
 * budgets and account money as minor-unit strings, `account_status` as a number. Reading a node with
 * no `fields` gives only its id (plus `account_id` for ad accounts), as Graph does [MEM].
 */
export function nodeTypes(account: FakeAccount): NodeTypes {
  const time = (ms: number): string => account.graphTime(ms);
  const accountActId = `act_${account.accountId}`;

  const campaign: NodeType<CampaignNode> = {
    name: 'Campaign',
    defaults: ['id'],
    fields: {
      id: (c) => c.id,
      account_id: () => account.accountId,
      name: (c) => c.name,
      objective: () => 'OUTCOME_SALES',
      status: (c) => c.status,
      configured_status: (c) => c.status,
      effective_status: (c) => account.campaignEffectiveStatus(c),
      buying_type: () => 'AUCTION',
      // Present only when the campaign owns the budget (CBO).
      daily_budget: (c) => (c.dailyBudgetCents === null ? undefined : String(c.dailyBudgetCents)),
      lifetime_budget: (c) => (c.dailyBudgetCents === null ? undefined : '0'),
      // Today has not been simulated yet, so nothing of today's budget is spent.
      budget_remaining: (c) => (c.dailyBudgetCents === null ? undefined : String(c.dailyBudgetCents)),
      bid_strategy: (c) => (c.dailyBudgetCents === null ? undefined : 'LOWEST_COST_WITHOUT_CAP'),
      special_ad_categories: () => [],
      start_time: () => time(account.dayStartMs(0)),
      created_time: (c) => time(c.createdMs),
      updated_time: (c) => time(c.updatedMs),
    },
  };

  const creative: NodeType<CreativeNode> = {
    name: 'AdCreative',
    defaults: ['id'],
    fields: {
      id: (c) => c.id,
      account_id: () => account.accountId,
      name: (c) => c.name,
      title: (c) => c.title,
      body: (c) => c.body,
      object_type: () => 'SHARE',
      status: () => 'ACTIVE',
      thumbnail_url: (c) => `https://example.invalid/creatives/${c.id}.jpg`,
      image_url: (c) => `https://example.invalid/creatives/${c.id}-full.jpg`,
      call_to_action_type: () => 'SHOP_NOW',
      url_tags: () => 'utm_source=facebook&utm_medium=paid_social',
      effective_object_story_id: (c) => `112233445566778_${c.id.slice(-12)}`,
    },
  };

  const adSet: NodeType<AdSetNode> = {
    name: 'AdSet',
    defaults: ['id'],
    fields: {
      id: (a) => a.id,
      account_id: () => account.accountId,
      campaign_id: (a) => a.campaignId,
      campaign: (a, sub) => project(campaign, account.campaignOf(a), sub ?? idOnly),
      name: (a) => a.name,
      status: (a) => a.status,
      configured_status: (a) => a.status,
      effective_status: (a) => account.adSetEffectiveStatus(a),
      // Inside a CBO campaign the ad set has no budget of its own: the keys are left out [MEM: "0" or missing].
      daily_budget: (a) => (a.dailyBudgetCents === null ? undefined : String(a.dailyBudgetCents)),
      lifetime_budget: (a) => (a.dailyBudgetCents === null ? undefined : '0'),
      budget_remaining: (a) => (a.dailyBudgetCents === null ? undefined : String(a.dailyBudgetCents)),
      bid_strategy: () => 'LOWEST_COST_WITHOUT_CAP',
      billing_event: () => 'IMPRESSIONS',
      optimization_goal: () => 'OFFSITE_CONVERSIONS',
      destination_type: () => 'WEBSITE',
      promoted_object: () => ({ pixel_id: PIXEL_ID, custom_event_type: 'PURCHASE' }),
      attribution_spec: () => [
        { event_type: 'CLICK_THROUGH', window_days: 7 },
        { event_type: 'VIEW_THROUGH', window_days: 1 },
      ],
      targeting: (a) => a.targeting,
      learning_stage_info: (a) => {
        if (a.marketIndex === null) return undefined;
        const learning = account.observation().adSets[a.marketIndex]?.learning;
        if (!learning) return undefined;
        // LEARNING / SUCCESS / FAIL are [MEM]; FAIL stands for the product's LEARNING_LIMITED.
        const info: Record<string, unknown> = {
          status: toGraphLearningStatus(learning.stage),
          conversions: learning.conversions,
        };
        if (learning.lastSignificantEditDay !== null) {
          info.last_sig_edit_ts = Math.floor(account.dayStartMs(learning.lastSignificantEditDay) / 1000);
        }
        info.attribution_windows = ['7d_click', '1d_view'];
        return info;
      },
      source_adset_id: (a) => a.copiedFrom ?? undefined,
      start_time: () => time(account.dayStartMs(0)),
      created_time: (a) => time(a.createdMs),
      updated_time: (a) => time(a.updatedMs),
    },
  };

  const ad: NodeType<AdNode> = {
    name: 'Ad',
    defaults: ['id'],
    fields: {
      id: (a) => a.id,
      name: (a) => a.name,
      account_id: () => account.accountId,
      adset_id: (a) => a.adSetId,
      campaign_id: (a) => account.adSetOf(a).campaignId,
      adset: (a, sub) => project(adSet, account.adSetOf(a), sub ?? idOnly),
      campaign: (a, sub) => project(campaign, account.campaignOf(account.adSetOf(a)), sub ?? idOnly),
      status: (a) => a.status,
      configured_status: (a) => a.status,
      effective_status: (a) => account.adEffectiveStatus(a),
      creative: (a, sub) => {
        const node = account.creatives.get(a.creativeId);
        return node ? project(creative, node, sub ?? idOnly) : undefined;
      },
      source_ad_id: (a) => a.copiedFrom ?? undefined,
      created_time: (a) => time(a.createdMs),
      updated_time: (a) => time(a.updatedMs),
    },
  };

  const audience: NodeType<AudienceNode> = {
    name: 'CustomAudience',
    defaults: ['id'],
    fields: {
      id: (a) => a.id,
      account_id: () => account.accountId,
      name: (a) => a.name,
      subtype: (a) => a.subtype,
      description: (a) => (a.description === '' ? undefined : a.description),
      retention_days: (a) => a.retentionDays ?? undefined,
      lookalike_spec: (a) =>
        a.lookalike
          ? {
              ratio: a.lookalike.ratio,
              country: a.lookalike.country,
              type: 'custom_ratio',
              origin: [{ id: a.lookalike.originId, name: a.lookalike.originName, type: 'custom_audience' }],
            }
          : undefined,
    },
  };

  const accountType: NodeType<AccountNode> = {
    name: 'AdAccount',
    defaults: ['account_id', 'id'],
    fields: {
      id: () => accountActId,
      account_id: () => account.accountId,
      name: () => account.name,
      currency: () => account.currency,
      timezone_name: () => account.timeZone,
      timezone_offset_hours_utc: () => tzOffsetMinutes(account.timeZone, account.nowMs()) / 60,
      // 1 = ACTIVE; the enum values are [MEM].
      account_status: () => 1,
      disable_reason: () => 0,
      amount_spent: () => String(account.amountSpentCents()),
      // "0" means no cap [MEM].
      spend_cap: () => '0',
      // Unbilled spend: the fake bills every simulated Monday, so the balance is this week's spend (a guess).
      balance: () => {
        const weekday = new Date(`${account.today}T00:00:00Z`).getUTCDay();
        return String(account.amountSpentCents(account.day - ((weekday + 6) % 7)));
      },
      min_daily_budget: () => account.minDailyBudgetCents,
      business: () => ({ id: BUSINESS_ID, name: BUSINESS_NAME }),
      created_time: () => time(account.dayStartMs(-30)),
    },
  };

  return {
    account: accountType,
    campaign,
    adSet,
    ad,
    creative,
    audience,
    user: { name: 'User', defaults: ['id', 'name'], fields: { id: (u) => u.id, name: (u) => u.name } },
    business: {
      name: 'Business',
      defaults: ['id', 'name'],
      fields: { id: (b) => b.id, name: (b) => b.name },
    },
  };
}

export const BUSINESS: BusinessNode = { kind: 'business', id: BUSINESS_ID, name: BUSINESS_NAME };
