import { asc, eq } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { analystCalls } from '../schema.ts';

export type NewAnalystCall = typeof analystCalls.$inferInsert;
export type AnalystCallRow = typeof analystCalls.$inferSelect;

/** Records one analyst call (or one the cost cap or an unreachable endpoint stopped); returns its id. */
export async function insertAnalystCall(db: Db, call: NewAnalystCall): Promise<string> {
  const [row] = await db.insert(analystCalls).values(call).returning({ id: analystCalls.id });
  if (!row) throw new Error('analyst call not recorded');
  return row.id;
}

/** A run's analyst calls, oldest first. */
export async function analystCallsOfRun(db: Db, runId: string): Promise<AnalystCallRow[]> {
  return db.select().from(analystCalls).where(eq(analystCalls.runId, runId)).orderBy(asc(analystCalls.seq));
}
