import type { Db } from '../adapters/db/database.ts';
import { findAccountById } from '../adapters/db/repositories/accounts.repository.ts';
import {
  findHistoryActions,
  listHistoryKeys,
  type HistoryActionRow,
  type HistoryCursor,
} from '../adapters/db/repositories/history.repository.ts';
import { listRecommendationRows } from '../adapters/db/repositories/recommendations.repository.ts';
import { NotFoundError } from '../shared/errors.ts';
import type { ActionItem } from './entity-views.service.ts';
import { toRecommendationItem, type RecommendationItem } from './recommendations.service.ts';

export type HistoryItem =
  | { kind: 'review'; id: string; at: string; recommendation: RecommendationItem }
  | {
      kind: 'action';
      id: string;
      at: string;
      account: { id: string; name: string; currency: string };
      entity: {
        id: string;
        name: string;
        level: 'campaign' | 'adset' | 'ad';
        campaign: { id: string | null; name: string | null };
      };
      action: ActionItem;
    };

export type HistoryPage = { items: HistoryItem[]; nextCursor: string | null };

export function encodeHistoryCursor(cursor: HistoryCursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeHistoryCursor(text: string): HistoryCursor | null {
  const [at, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (at === undefined || id === undefined || rest.length > 0 || !UUID.test(id)) return null;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : { at: date, id };
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function actionEntry(row: HistoryActionRow, at: Date): HistoryItem {
  return {
    kind: 'action',
    id: row.id,
    at: at.toISOString(),
    account: { id: row.accountId, name: row.accountName, currency: row.currency },
    entity: {
      id: row.entityId,
      name: row.entityName,
      level: row.level,
      campaign: { id: row.campaignId, name: row.campaignName },
    },
    action: {
      id: row.id,
      recommendationId: row.recommendationId,
      kind: row.kind,
      status: row.status,
      request: row.request,
      priorState: row.priorState,
      metaResponse: row.metaResponse,
      approvedBy: row.approvedBy === null ? null : { id: row.approvedBy, username: row.approvedByName },
      createdAt: new Date(row.createdAt).toISOString(),
      appliedAt: iso(row.appliedAt),
    },
  };
}

/** Review decisions and actions, newest first, one page at a time. */
export async function listHistory(
  db: Db,
  query: {
    accountId?: string | undefined;
    from?: Date | undefined;
    before?: Date | undefined;
    after?: HistoryCursor | undefined;
    limit: number;
  },
): Promise<HistoryPage> {
  if (query.accountId !== undefined && !(await findAccountById(db, query.accountId)))
    throw new NotFoundError(`no account ${query.accountId}`);
  const keys = await listHistoryKeys(
    db,
    { accountId: query.accountId, from: query.from, before: query.before },
    { after: query.after, limit: query.limit + 1 },
  );
  const page = keys.slice(0, query.limit);
  const reviewIds = page.filter((k) => k.kind === 'review').map((k) => k.id);
  const actionIds = page.filter((k) => k.kind === 'action').map((k) => k.id);
  const [reviews, actions] = await Promise.all([
    reviewIds.length === 0
      ? Promise.resolve([])
      : listRecommendationRows(db, { ids: reviewIds }, { limit: reviewIds.length }),
    findHistoryActions(db, actionIds),
  ]);
  const reviewById = new Map(reviews.map((r) => [r.id, r]));
  const actionById = new Map(actions.map((a) => [a.id, a]));
  const items: HistoryItem[] = [];
  for (const key of page) {
    if (key.kind === 'review') {
      const row = reviewById.get(key.id);
      if (row)
        items.push({
          kind: 'review',
          id: key.id,
          at: key.at.toISOString(),
          recommendation: toRecommendationItem(row),
        });
    } else {
      const row = actionById.get(key.id);
      if (row) items.push(actionEntry(row, key.at));
    }
  }
  const last = page.at(-1);
  return {
    items,
    nextCursor: keys.length > query.limit && last ? encodeHistoryCursor({ at: last.at, id: last.id }) : null,
  };
}
