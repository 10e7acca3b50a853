import type { AdSetLatent } from '../market/types.ts';
import type { AudienceType } from '../scenarios/schema.ts';
import type { AdNode, AdSetNode, AudienceNode, CampaignNode, CreativeNode } from './graph-nodes.ts';
import { graphId, ID_PREFIX } from './ids.ts';

/** The Graph objects mapped onto a market, keyed by id in creation order. */
export type Layout = {
  campaigns: Map<string, CampaignNode>;
  adSets: Map<string, AdSetNode>;
  ads: Map<string, AdNode>;
  creatives: Map<string, CreativeNode>;
  audiences: Map<string, AudienceNode>;
};

export type LayoutInput = {
  latent: readonly AdSetLatent[];
  /** The market's launch budget per ad set index. */
  initialBudgetCents: readonly number[];
  minDailyBudgetCents: number;
  createdMs: number;
  /** Put one group of ad sets in a CBO campaign (see `chooseCboGroup`). */
  useCbo: boolean;
};

const CAMPAIGN_GROUPS = [
  { key: 'broad', name: 'Prospecting - Broad', types: ['broad'] },
  { key: 'prospecting', name: 'Prospecting - Interests & Lookalikes', types: ['interest', 'lookalike'] },
  { key: 'retargeting', name: 'Retargeting', types: ['retargeting'] },
] as const satisfies readonly { key: string; name: string; types: readonly AudienceType[] }[];

const INTERESTS = [
  { id: '6003107902433', name: 'Running' },
  { id: '6003139266461', name: 'Online shopping' },
  { id: '6003020834693', name: 'Fitness and wellness' },
  { id: '6003348604581', name: 'Outdoor recreation' },
  { id: '6003277229526', name: 'Home and garden' },
  { id: '6003384248805', name: 'Fashion accessories' },
] as const;

const LOOKALIKE_RATIOS = [0.01, 0.02, 0.03, 0.05, 0.1] as const;
const RETARGETING_WINDOWS = [30, 14, 7, 60, 180] as const;

/**
 * The CBO campaign holds the retargeting ad sets when there are any, else the interest/lookalike ones.
 * An all-broad account gets no CBO campaign: it would leave no ad set budget to manage at all.
 */
function chooseCboGroup(types: readonly AudienceType[]): 'retargeting' | 'prospecting' | null {
  if (types.includes('retargeting')) return 'retargeting';
  if (types.some((t) => t === 'interest' || t === 'lookalike')) return 'prospecting';
  return null;
}

/**
 * Maps the market's ad sets onto campaigns by audience (broad prospecting, interests and lookalikes,
 * retargeting), one ad per market creative, and targeting that reveals each ad set's audience type.
 */
export function buildLayout(input: LayoutInput): Layout {
  const { latent, createdMs, useCbo } = input;
  const layout: Layout = {
    campaigns: new Map(),
    adSets: new Map(),
    ads: new Map(),
    creatives: new Map(),
    audiences: new Map(),
  };
  const cboGroup = useCbo ? chooseCboGroup(latent.map((a) => a.audienceType)) : null;
  const purchasers: AudienceNode = {
    kind: 'audience',
    id: graphId(ID_PREFIX.audience, 1),
    name: 'Purchasers 180d',
    subtype: 'WEBSITE',
    description: 'Pixel Purchase events in the last 180 days',
    retentionDays: 180,
    lookalike: null,
  };
  layout.audiences.set(purchasers.id, purchasers);
  let campaignCount = 0;
  for (const group of CAMPAIGN_GROUPS) {
    const members = latent.filter((a) => (group.types as readonly AudienceType[]).includes(a.audienceType));
    if (members.length === 0) continue;
    campaignCount++;
    const isCbo = group.key === cboGroup;
    const campaign: CampaignNode = {
      kind: 'campaign',
      id: graphId(ID_PREFIX.campaign, campaignCount),
      name: isCbo ? `${group.name} (Advantage+ budget)` : group.name,
      status: 'ACTIVE',
      dailyBudgetCents: null,
      createdMs,
      updatedMs: createdMs,
      adSetIds: [],
    };
    layout.campaigns.set(campaign.id, campaign);
    let cboBudget = 0;
    for (const adSet of members) {
      const budget = input.initialBudgetCents[adSet.index] ?? input.minDailyBudgetCents;
      cboBudget += budget;
      const node: AdSetNode = {
        kind: 'adset',
        id: adSet.id,
        name: adSet.name,
        campaignId: campaign.id,
        status: 'ACTIVE',
        dailyBudgetCents: isCbo ? null : budget,
        audienceType: adSet.audienceType,
        targeting: targetingFor(layout, adSet.audienceType, adSet.index, purchasers),
        marketIndex: adSet.index,
        cboWeight: 1,
        createdMs,
        updatedMs: createdMs,
        adIds: [],
        budgetChanges: [],
        budgetBlockedUntilMs: 0,
        copiedFrom: null,
      };
      campaign.adSetIds.push(node.id);
      layout.adSets.set(node.id, node);
      adSet.ads.forEach((ad, j) => {
        const creative: CreativeNode = {
          kind: 'creative',
          id: graphId(ID_PREFIX.creative, (adSet.index + 1) * 10 + j + 1),
          name: `${ad.name} creative`,
          title: ['Summer Sale', 'New arrivals', 'Free shipping today', 'Best sellers'][j % 4] ?? 'Shop now',
          body: 'Up to 30% off our best sellers. Free returns.',
        };
        layout.creatives.set(creative.id, creative);
        const adNode: AdNode = {
          kind: 'ad',
          id: ad.id,
          name: ad.name,
          adSetId: node.id,
          status: 'ACTIVE',
          creativeId: creative.id,
          marketIndex: [adSet.index, j],
          createdMs,
          updatedMs: createdMs,
          copiedFrom: null,
        };
        node.adIds.push(adNode.id);
        layout.ads.set(adNode.id, adNode);
      });
    }
    if (isCbo) campaign.dailyBudgetCents = cboBudget;
  }
  return layout;
}

function targetingFor(
  layout: Layout,
  type: AudienceType,
  index: number,
  purchasers: AudienceNode,
): Record<string, unknown> {
  const base = {
    age_min: 18,
    age_max: 65,
    geo_locations: { countries: ['US'], location_types: ['home', 'recent'] },
    publisher_platforms: ['facebook', 'instagram'],
    brand_safety_content_filter_levels: ['FACEBOOK_STANDARD', 'AN_STANDARD'],
  };
  switch (type) {
    case 'broad':
      return { ...base, age_min: 25, age_max: 54, targeting_automation: { advantage_audience: 1 } };
    case 'interest': {
      const interests = [INTERESTS[index % INTERESTS.length], INTERESTS[(index + 1) % INTERESTS.length]];
      return { ...base, flexible_spec: [{ interests }], targeting_automation: { advantage_audience: 0 } };
    }
    case 'lookalike': {
      const ratio = LOOKALIKE_RATIOS[index % LOOKALIKE_RATIOS.length] ?? 0.01;
      const audience: AudienceNode = {
        kind: 'audience',
        id: graphId(ID_PREFIX.audience, 100 + index),
        name: `Lookalike (US, ${Math.round(ratio * 100)}%) - Purchasers 180d`,
        subtype: 'LOOKALIKE',
        description: '',
        retentionDays: null,
        lookalike: { ratio, country: 'US', originId: purchasers.id, originName: purchasers.name },
      };
      layout.audiences.set(audience.id, audience);
      return {
        ...base,
        custom_audiences: [{ id: audience.id, name: audience.name }],
        targeting_automation: { advantage_audience: 0 },
      };
    }
    case 'retargeting': {
      const days = RETARGETING_WINDOWS[index % RETARGETING_WINDOWS.length] ?? 30;
      const audience: AudienceNode = {
        kind: 'audience',
        id: graphId(ID_PREFIX.audience, 100 + index),
        name: `Website visitors ${days}d`,
        subtype: 'WEBSITE',
        description: `All website visitors in the last ${days} days`,
        retentionDays: days,
        lookalike: null,
      };
      layout.audiences.set(audience.id, audience);
      return {
        ...base,
        custom_audiences: [{ id: audience.id, name: audience.name }],
        excluded_custom_audiences: [{ id: purchasers.id, name: purchasers.name }],
        targeting_automation: { advantage_audience: 0 },
      };
    }
  }
}
