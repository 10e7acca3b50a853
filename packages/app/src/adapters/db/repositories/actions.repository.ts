import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { actions, users } from '../schema.ts';

export type ActionViewRow = {
  id: string;
  recommendationId: string | null;
  accountId: string;
  level: 'campaign' | 'adset' | 'ad';
  entityId: string;
  kind: 'budget' | 'status' | 'promote';
  status: 'queued' | 'confirmed' | 'rejected' | 'unknown' | 'undone';
  request: Record<string, unknown>;
  priorState: Record<string, unknown>;
  metaResponse: Record<string, unknown> | null;
  approvedBy: string | null;
  approvedByName: string | null;
  createdAt: Date;
  appliedAt: Date | null;
};

/** Actions taken on one entity, newest first (at most `limit`). */
export async function listActionsOf(
  db: Db,
  entity: { level: 'campaign' | 'adset' | 'ad'; id: string },
  limit = 100,
): Promise<ActionViewRow[]> {
  return db
    .select({
      id: actions.id,
      recommendationId: actions.recommendationId,
      accountId: actions.accountId,
      level: actions.level,
      entityId: actions.entityId,
      kind: actions.kind,
      status: actions.status,
      request: actions.request,
      priorState: actions.priorState,
      metaResponse: actions.metaResponse,
      approvedBy: actions.approvedBy,
      approvedByName: users.username,
      createdAt: actions.createdAt,
      appliedAt: actions.appliedAt,
    })
    .from(actions)
    .leftJoin(users, eq(users.id, actions.approvedBy))
    .where(and(eq(actions.level, entity.level), eq(actions.entityId, entity.id)))
    .orderBy(desc(actions.createdAt), desc(actions.id))
    .limit(limit);
}
