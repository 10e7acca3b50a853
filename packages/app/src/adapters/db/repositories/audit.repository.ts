import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { auditEvents } from '../schema.ts';

export type AuditEventRow = typeof auditEvents.$inferSelect;

export async function insertAuditEvent(db: Db, event: typeof auditEvents.$inferInsert): Promise<void> {
  await db.insert(auditEvents).values(event);
}

/** The newest events first, optionally only one action or one subject. */
export async function listAuditEventRows(
  db: Db,
  filter: { action?: string; subject?: string; limit: number },
): Promise<AuditEventRow[]> {
  const conditions: SQL[] = [];
  if (filter.action !== undefined) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.subject !== undefined) conditions.push(eq(auditEvents.subject, filter.subject));
  return db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(filter.limit);
}
