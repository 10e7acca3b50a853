import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { thresholdProposals } from '../schema.ts';

export type ProposalRow = typeof thresholdProposals.$inferSelect;
export type NewProposal = Omit<
  typeof thresholdProposals.$inferInsert,
  'id' | 'status' | 'decidedBy' | 'decidedAt' | 'resultingSettingsVersion'
>;

export async function insertProposal(db: Db, proposal: NewProposal): Promise<ProposalRow> {
  const [row] = await db.insert(thresholdProposals).values(proposal).returning();
  if (!row) throw new Error('inserting the threshold proposal returned no row');
  return row;
}

/** Undecided proposals of the same scope and lever give way to a newer one. */
export async function supersedeProposals(db: Db, scope: string, key: string): Promise<void> {
  await db
    .update(thresholdProposals)
    .set({ status: 'superseded' })
    .where(
      and(
        eq(thresholdProposals.scope, scope),
        eq(thresholdProposals.key, key),
        eq(thresholdProposals.status, 'proposed'),
      ),
    );
}

export async function findProposal(db: Db, id: string): Promise<ProposalRow | undefined> {
  const [row] = await db.select().from(thresholdProposals).where(eq(thresholdProposals.id, id));
  return row;
}

/** Newest first; one status when given. */
export async function listProposalRows(
  db: Db,
  scope: string,
  status: ProposalRow['status'] | undefined,
): Promise<ProposalRow[]> {
  return db
    .select()
    .from(thresholdProposals)
    .where(
      and(
        eq(thresholdProposals.scope, scope),
        status === undefined ? undefined : eq(thresholdProposals.status, status),
      ),
    )
    .orderBy(desc(thresholdProposals.createdAt));
}

/** Decides an undecided proposal; undefined when it was not undecided any more (someone else decided). */
export async function markProposal(
  db: Db,
  id: string,
  decision: {
    status: 'approved' | 'rejected';
    decidedBy: string;
    decidedAt: Date;
    resultingSettingsVersion: number | null;
  },
): Promise<ProposalRow | undefined> {
  const [row] = await db
    .update(thresholdProposals)
    .set(decision)
    .where(and(eq(thresholdProposals.id, id), eq(thresholdProposals.status, 'proposed')))
    .returning();
  return row;
}

export async function setResultingVersion(db: Db, id: string, settingsVersion: number): Promise<ProposalRow> {
  const [row] = await db
    .update(thresholdProposals)
    .set({ resultingSettingsVersion: settingsVersion })
    .where(eq(thresholdProposals.id, id))
    .returning();
  if (!row) throw new Error(`threshold proposal ${id} vanished while being approved`);
  return row;
}
