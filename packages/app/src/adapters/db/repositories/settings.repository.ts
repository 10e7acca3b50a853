import { asc, desc, eq, inArray, max } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { settingsVersions, users } from '../schema.ts';

export type SettingsVersionRow = {
  id: number;
  scope: string;
  version: number;
  data: Record<string, unknown>;
  comment: string | null;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: Date;
};

const columns = {
  id: settingsVersions.id,
  scope: settingsVersions.scope,
  version: settingsVersions.version,
  data: settingsVersions.data,
  comment: settingsVersions.comment,
  createdBy: settingsVersions.createdBy,
  createdByName: users.username,
  createdAt: settingsVersions.createdAt,
};

/** The newest version of each scope asked for (`global`, an account id). */
export async function latestSettingsVersions(
  db: Db,
  scopes: readonly string[],
): Promise<Map<string, SettingsVersionRow>> {
  const rows = await db
    .select(columns)
    .from(settingsVersions)
    .leftJoin(users, eq(users.id, settingsVersions.createdBy))
    .where(inArray(settingsVersions.scope, [...scopes]))
    .orderBy(desc(settingsVersions.version));
  const latest = new Map<string, SettingsVersionRow>();
  for (const row of rows) if (!latest.has(row.scope)) latest.set(row.scope, row);
  return latest;
}

export async function findSettingsVersion(db: Db, id: number): Promise<SettingsVersionRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(settingsVersions)
    .leftJoin(users, eq(users.id, settingsVersions.createdBy))
    .where(eq(settingsVersions.id, id));
  return row;
}

/** Every version, oldest first; one scope's when given. */
export async function listSettingsVersionRows(db: Db, scope?: string): Promise<SettingsVersionRow[]> {
  return db
    .select(columns)
    .from(settingsVersions)
    .leftJoin(users, eq(users.id, settingsVersions.createdBy))
    .where(scope === undefined ? undefined : eq(settingsVersions.scope, scope))
    .orderBy(asc(settingsVersions.createdAt), asc(settingsVersions.id));
}

/**
 * Stores the scope's next version number. Two saves racing for the same number meet the
 * (scope, version) unique constraint, and the loser fails instead of overwriting.
 */
export async function insertSettingsVersion(
  db: Db,
  row: {
    scope: string;
    data: Record<string, unknown>;
    comment: string | null;
    createdBy: string | null;
    createdAt: Date;
  },
): Promise<{ id: number; version: number }> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ version: max(settingsVersions.version) })
      .from(settingsVersions)
      .where(eq(settingsVersions.scope, row.scope));
    const version = (current?.version ?? 0) + 1;
    const [inserted] = await tx
      .insert(settingsVersions)
      .values({ ...row, version })
      .returning({ id: settingsVersions.id, version: settingsVersions.version });
    if (!inserted) throw new Error('settings version was not stored');
    return inserted;
  });
}
