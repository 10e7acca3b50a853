import type { FakeAccount } from './fake-account.ts';
import { matchesRule, parseFiltering, parseListParam } from './filtering.ts';
import { graphErrors } from './graph-error.ts';
import type { AdNode, AdSetNode, AudienceNode, CampaignNode, CreativeNode } from './graph-nodes.ts';

/** Nodes served by list edges (`/act_X/campaigns`, `/{campaign_id}/adsets`, ...). */
export type ListedNode = CampaignNode | AdSetNode | AdNode | CreativeNode | AudienceNode;

const ATTRIBUTES = [
  'id',
  'name',
  'effective_status',
  'status',
  'configured_status',
  'campaign_id',
  'adset_id',
];

function effectiveStatus(account: FakeAccount, node: ListedNode): string {
  if (node.kind === 'campaign') return account.campaignEffectiveStatus(node);
  if (node.kind === 'adset') return account.adSetEffectiveStatus(node);
  if (node.kind === 'ad') return account.adEffectiveStatus(node);
  return 'ACTIVE';
}

function attribute(account: FakeAccount, node: ListedNode, name: string): string | undefined {
  switch (name) {
    case 'id':
      return node.id;
    case 'name':
      return node.name;
    case 'effective_status':
      return effectiveStatus(account, node);
    case 'status':
    case 'configured_status':
      return 'status' in node ? node.status : 'ACTIVE';
    case 'adset_id':
      return node.kind === 'ad' ? node.adSetId : node.kind === 'adset' ? node.id : undefined;
    case 'campaign_id':
      if (node.kind === 'campaign') return node.id;
      if (node.kind === 'adset') return node.campaignId;
      return node.kind === 'ad' ? account.adSetOf(node).campaignId : undefined;
    default:
      return undefined;
  }
}

/** `campaign.id` and `adset.id` are accepted for `campaign_id` and `adset_id`. */
const normalise = (field: string): string => field.replace(/^(campaign|adset)\.id$/, '$1_id');

/**
 * Applies a list edge's `effective_status` (JSON or comma list) and `filtering` on ids, names and
 * statuses. Deleted and archived objects are left out unless a status filter asks for them [MEM].
 */
export function filterListed<T extends ListedNode>(
  account: FakeAccount,
  nodes: readonly T[],
  params: Record<string, string>,
): T[] {
  const statuses = parseListParam(params.effective_status, 'effective_status');
  const filters = parseFiltering(params.filtering);
  for (const rule of filters) {
    if (!ATTRIBUTES.includes(normalise(rule.field))) {
      throw graphErrors.invalidParameter(`Filtering field ${rule.field} is invalid`);
    }
  }
  const mentionsStatus = statuses !== null || filters.some((rule) => rule.field.endsWith('status'));
  return nodes.filter((node) => {
    const status = effectiveStatus(account, node);
    if (statuses !== null && !statuses.includes(status)) return false;
    if (!mentionsStatus && (status === 'DELETED' || status === 'ARCHIVED')) return false;
    return filters.every((rule) => matchesRule(attribute(account, node, normalise(rule.field)), rule));
  });
}
