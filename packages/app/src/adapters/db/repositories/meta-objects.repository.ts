import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';

export type SyncedCampaign = {
  id: string;
  accountId: string;
  name: string;
  objective: string | null;
  status: string | null;
  budgetOwner: 'campaign' | 'adset';
  dailyBudgetMinor: bigint | null;
  lifetimeBudgetMinor: bigint | null;
};

export type SyncedAdset = {
  id: string;
  accountId: string;
  campaignId: string;
  name: string;
  status: string | null;
  dailyBudgetMinor: bigint | null;
  lifetimeBudgetMinor: bigint | null;
  learningStage: string | null;
  audienceType: 'broad' | 'interest' | 'lookalike' | 'retargeting' | 'unknown';
  lookalikePercent: number | null;
};

export type SyncedAd = {
  id: string;
  accountId: string;
  campaignId: string | null;
  adsetId: string;
  name: string;
  status: string | null;
  creativeId: string | null;
};

const CHUNK = 5000;
const param = (values: unknown[]) => sql.param(values);
const text = (values: (bigint | number | null)[]) => values.map((v) => (v === null ? null : String(v)));

async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/** Meta is the source of truth for synced objects: every field is replaced by what it says now. */
export async function upsertSyncedCampaigns(
  db: Db,
  rows: readonly SyncedCampaign[],
  now: Date,
): Promise<void> {
  await inChunks(rows, (c) =>
    queryRows(
      db,
      sql`insert into campaigns (id, account_id, external_id, name, objective, status, budget_owner, daily_budget_minor, lifetime_budget_minor, created_at, updated_at)
        select u.id, u.account_id, u.id, u.name, u.objective, u.status, u.budget_owner, u.daily::bigint, u.lifetime::bigint, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from unnest(${param(c.map((r) => r.id))}::text[], ${param(c.map((r) => r.accountId))}::text[], ${param(c.map((r) => r.name))}::text[],
                    ${param(c.map((r) => r.objective))}::text[], ${param(c.map((r) => r.status))}::text[], ${param(c.map((r) => r.budgetOwner))}::text[],
                    ${param(text(c.map((r) => r.dailyBudgetMinor)))}::text[], ${param(text(c.map((r) => r.lifetimeBudgetMinor)))}::text[])
          as u(id, account_id, name, objective, status, budget_owner, daily, lifetime)
        on conflict (id) do update set name = excluded.name, objective = excluded.objective, status = excluded.status,
          budget_owner = excluded.budget_owner, daily_budget_minor = excluded.daily_budget_minor,
          lifetime_budget_minor = excluded.lifetime_budget_minor, updated_at = excluded.updated_at`,
    ),
  );
}

export async function upsertSyncedAdsets(db: Db, rows: readonly SyncedAdset[], now: Date): Promise<void> {
  await inChunks(rows, (c) =>
    queryRows(
      db,
      sql`insert into adsets (id, account_id, campaign_id, external_id, name, status, daily_budget_minor, lifetime_budget_minor, learning_stage, audience_type, lookalike_percent, created_at, updated_at)
        select u.id, u.account_id, u.campaign_id, u.id, u.name, u.status, u.daily::bigint, u.lifetime::bigint, u.learning, u.audience, u.lookalike::numeric, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from unnest(${param(c.map((r) => r.id))}::text[], ${param(c.map((r) => r.accountId))}::text[], ${param(c.map((r) => r.campaignId))}::text[],
                    ${param(c.map((r) => r.name))}::text[], ${param(c.map((r) => r.status))}::text[],
                    ${param(text(c.map((r) => r.dailyBudgetMinor)))}::text[], ${param(text(c.map((r) => r.lifetimeBudgetMinor)))}::text[],
                    ${param(c.map((r) => r.learningStage))}::text[], ${param(c.map((r) => r.audienceType))}::text[],
                    ${param(text(c.map((r) => r.lookalikePercent)))}::text[])
          as u(id, account_id, campaign_id, name, status, daily, lifetime, learning, audience, lookalike)
        on conflict (id) do update set campaign_id = excluded.campaign_id, name = excluded.name, status = excluded.status,
          daily_budget_minor = excluded.daily_budget_minor, lifetime_budget_minor = excluded.lifetime_budget_minor,
          learning_stage = excluded.learning_stage, audience_type = excluded.audience_type,
          lookalike_percent = excluded.lookalike_percent, updated_at = excluded.updated_at`,
    ),
  );
}

export async function upsertSyncedAds(db: Db, rows: readonly SyncedAd[], now: Date): Promise<void> {
  await inChunks(rows, (c) =>
    queryRows(
      db,
      sql`insert into ads (id, account_id, campaign_id, adset_id, external_id, name, status, creative_id, created_at, updated_at)
        select u.id, u.account_id, u.campaign_id, u.adset_id, u.id, u.name, u.status, u.creative_id, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from unnest(${param(c.map((r) => r.id))}::text[], ${param(c.map((r) => r.accountId))}::text[], ${param(c.map((r) => r.campaignId))}::text[],
                    ${param(c.map((r) => r.adsetId))}::text[], ${param(c.map((r) => r.name))}::text[], ${param(c.map((r) => r.status))}::text[],
                    ${param(c.map((r) => r.creativeId))}::text[])
          as u(id, account_id, campaign_id, adset_id, name, status, creative_id)
        on conflict (id) do update set campaign_id = excluded.campaign_id, adset_id = excluded.adset_id, name = excluded.name,
          status = excluded.status, creative_id = excluded.creative_id, updated_at = excluded.updated_at`,
    ),
  );
}

/** Ids of the level's objects stored for the account, to spot insight rows about objects not yet listed. */
export async function knownIds(db: Db, level: 'adset' | 'ad', accountId: string): Promise<Set<string>> {
  const table = level === 'adset' ? 'adsets' : 'ads';
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select id from ${sql.raw(table)} where account_id = ${accountId}`,
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Rows for objects that insights mention but the listings did not return (deleted since): inserted
 * only when absent, so a real object's name and settings are never overwritten by a placeholder.
 */
export async function ensurePlaceholders(
  db: Db,
  accountId: string,
  ids: { campaignId: string | null; adsetId: string | null; adId: string | null },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  if (ids.campaignId) {
    await queryRows(
      db,
      sql`insert into campaigns (id, account_id, external_id, name, status, budget_owner, created_at, updated_at)
          values (${ids.campaignId}, ${accountId}, ${ids.campaignId}, ${`(unlisted campaign ${ids.campaignId})`}, 'DELETED', 'adset', ${at}::timestamptz, ${at}::timestamptz)
          on conflict (id) do nothing`,
    );
  }
  if (ids.adsetId) {
    await queryRows(
      db,
      sql`insert into adsets (id, account_id, campaign_id, external_id, name, status, created_at, updated_at)
          values (${ids.adsetId}, ${accountId}, ${ids.campaignId}, ${ids.adsetId}, ${`(unlisted ad set ${ids.adsetId})`}, 'DELETED', ${at}::timestamptz, ${at}::timestamptz)
          on conflict (id) do nothing`,
    );
  }
  if (ids.adId) {
    await queryRows(
      db,
      sql`insert into ads (id, account_id, campaign_id, adset_id, external_id, name, status, created_at, updated_at)
          values (${ids.adId}, ${accountId}, ${ids.campaignId}, ${ids.adsetId}, ${ids.adId}, ${`(unlisted ad ${ids.adId})`}, 'DELETED', ${at}::timestamptz, ${at}::timestamptz)
          on conflict (id) do nothing`,
    );
  }
}
