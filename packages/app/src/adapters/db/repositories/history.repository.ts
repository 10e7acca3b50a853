import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';

export type HistoryKind = 'review' | 'action';

/** One entry of the history: a review decision on a recommendation, or an action taken. */
export type HistoryKey = { kind: HistoryKind; id: string; at: Date };

export type HistoryCursor = { at: Date; id: string };

/**
 * Reviewed recommendations (by review time) and actions (by when applied, else created), newest
 * first, one page with keyset paging on (time, id).
 */
export async function listHistoryKeys(
  db: Db,
  filter: { accountId?: string | undefined; from?: Date | undefined; before?: Date | undefined },
  page: { after?: HistoryCursor | undefined; limit: number },
): Promise<HistoryKey[]> {
  const account = (column: string) =>
    filter.accountId === undefined ? sql`true` : sql`${sql.raw(column)} = ${filter.accountId}`;
  const range = (column: string) => {
    const parts = [sql`true`];
    if (filter.from !== undefined)
      parts.push(sql`${sql.raw(column)} >= ${filter.from.toISOString()}::timestamptz`);
    if (filter.before !== undefined)
      parts.push(sql`${sql.raw(column)} < ${filter.before.toISOString()}::timestamptz`);
    return sql.join(parts, sql` and `);
  };
  const after =
    page.after === undefined
      ? sql`true`
      : sql`(h.at, h.id) < (${page.after.at.toISOString()}::timestamptz, ${page.after.id}::uuid)`;
  const rows = await queryRows<{ kind: HistoryKind; id: string; at: Date | string }>(
    db,
    sql`select h.kind, h.id, h.at from (
          select 'review' as kind, r.id, r.reviewed_at as at from recommendations r
          where r.reviewed_at is not null and ${account('r.account_id')} and ${range('r.reviewed_at')}
          union all
          select 'action' as kind, x.id, coalesce(x.applied_at, x.created_at) as at from actions x
          where ${account('x.account_id')} and ${range('coalesce(x.applied_at, x.created_at)')}
        ) h
        where ${after}
        order by h.at desc, h.id desc
        limit ${page.limit}`,
  );
  return rows.map((row) => ({ kind: row.kind, id: row.id, at: new Date(row.at) }));
}

export type HistoryActionRow = {
  id: string;
  recommendationId: string | null;
  accountId: string;
  accountName: string;
  currency: string;
  level: 'campaign' | 'adset' | 'ad';
  entityId: string;
  entityName: string;
  campaignId: string | null;
  campaignName: string | null;
  kind: string;
  status: string;
  request: Record<string, unknown>;
  priorState: Record<string, unknown>;
  metaResponse: Record<string, unknown> | null;
  approvedBy: string | null;
  approvedByName: string | null;
  createdAt: Date | string;
  appliedAt: Date | string | null;
};

/** Actions by id, with entity, campaign and account names and who approved them. */
export async function findHistoryActions(db: Db, ids: readonly string[]): Promise<HistoryActionRow[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows<{
    id: string;
    recommendation_id: string | null;
    account_id: string;
    account_name: string;
    currency: string;
    level: HistoryActionRow['level'];
    entity_id: string;
    entity_name: string;
    campaign_id: string | null;
    campaign_name: string | null;
    kind: string;
    status: string;
    request: Record<string, unknown>;
    prior_state: Record<string, unknown>;
    meta_response: Record<string, unknown> | null;
    approved_by: string | null;
    approved_by_name: string | null;
    created_at: Date | string;
    applied_at: Date | string | null;
  }>(
    db,
    sql`select x.id, x.recommendation_id, x.account_id, a.name as account_name, a.currency, x.level, x.entity_id,
               coalesce(s.name, ad.name, cc.name, x.entity_id) as entity_name, c.id as campaign_id,
               c.name as campaign_name, x.kind, x.status, x.request, x.prior_state, x.meta_response,
               x.approved_by, u.username as approved_by_name, x.created_at, x.applied_at
        from actions x
        join accounts a on a.id = x.account_id
        left join adsets s on x.level = 'adset' and s.id = x.entity_id
        left join ads ad on x.level = 'ad' and ad.id = x.entity_id
        left join campaigns cc on x.level = 'campaign' and cc.id = x.entity_id
        left join campaigns c on c.id = coalesce(s.campaign_id, ad.campaign_id, cc.id)
        left join users u on u.id = x.approved_by
        where x.id = any(${sql.param([...ids])}::uuid[])`,
  );
  return rows.map((r) => ({
    id: r.id,
    recommendationId: r.recommendation_id,
    accountId: r.account_id,
    accountName: r.account_name,
    currency: r.currency,
    level: r.level,
    entityId: r.entity_id,
    entityName: r.entity_name,
    campaignId: r.campaign_id,
    campaignName: r.campaign_name,
    kind: r.kind,
    status: r.status,
    request: r.request,
    priorState: r.prior_state,
    metaResponse: r.meta_response,
    approvedBy: r.approved_by,
    approvedByName: r.approved_by_name,
    createdAt: r.created_at,
    appliedAt: r.applied_at,
  }));
}
