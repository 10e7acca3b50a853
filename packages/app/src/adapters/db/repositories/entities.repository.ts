import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../database.ts';

export type CampaignUpsert = { id: string; accountId: string; externalId: string | null; name: string };
export type AdsetUpsert = CampaignUpsert & { campaignId: string | null };
export type AdUpsert = AdsetUpsert & { adsetId: string | null };

// One array per column through unnest(): a few parameters per call however many objects there are.
const CHUNK = 5000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const param = (values: unknown[]) => sql.param(values);

// Names change in Ads Manager; the latest import wins. Parents are kept when the new row lacks them.
export async function upsertCampaigns(db: Db, rows: readonly CampaignUpsert[], now: Date): Promise<void> {
  for (const chunk of chunks(rows)) {
    await queryRows(
      db,
      sql`insert into campaigns (id, account_id, external_id, name, created_at, updated_at)
        select u.*, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from unnest(${param(chunk.map((r) => r.id))}::text[], ${param(chunk.map((r) => r.accountId))}::text[],
                    ${param(chunk.map((r) => r.externalId))}::text[], ${param(chunk.map((r) => r.name))}::text[]) as u
        on conflict (id) do update set name = excluded.name, updated_at = excluded.updated_at`,
    );
  }
}

export async function upsertAdsets(db: Db, rows: readonly AdsetUpsert[], now: Date): Promise<void> {
  for (const chunk of chunks(rows)) {
    await queryRows(
      db,
      sql`insert into adsets (id, account_id, campaign_id, external_id, name, created_at, updated_at)
        select u.*, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from unnest(${param(chunk.map((r) => r.id))}::text[], ${param(chunk.map((r) => r.accountId))}::text[],
                    ${param(chunk.map((r) => r.campaignId))}::text[], ${param(chunk.map((r) => r.externalId))}::text[],
                    ${param(chunk.map((r) => r.name))}::text[]) as u
        on conflict (id) do update set name = excluded.name,
          campaign_id = coalesce(excluded.campaign_id, adsets.campaign_id), updated_at = excluded.updated_at`,
    );
  }
}

export async function upsertAds(db: Db, rows: readonly AdUpsert[], now: Date): Promise<void> {
  for (const chunk of chunks(rows)) {
    await queryRows(
      db,
      sql`insert into ads (id, account_id, campaign_id, adset_id, external_id, name, created_at, updated_at)
        select u.*, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from unnest(${param(chunk.map((r) => r.id))}::text[], ${param(chunk.map((r) => r.accountId))}::text[],
                    ${param(chunk.map((r) => r.campaignId))}::text[], ${param(chunk.map((r) => r.adsetId))}::text[],
                    ${param(chunk.map((r) => r.externalId))}::text[], ${param(chunk.map((r) => r.name))}::text[]) as u
        on conflict (id) do update set name = excluded.name,
          campaign_id = coalesce(excluded.campaign_id, ads.campaign_id),
          adset_id = coalesce(excluded.adset_id, ads.adset_id), updated_at = excluded.updated_at`,
    );
  }
}

/** Puts every ad set of a campaign in a pipeline stage (overriding what the campaign's name says). */
export async function setStageOfCampaignAdsets(
  db: Db,
  campaignId: string,
  stage: 'testing' | 'validation' | 'scaling' | null,
): Promise<void> {
  await queryRows(db, sql`update adsets set stage = ${stage} where campaign_id = ${campaignId} returning id`);
}

/** The campaigns of an account: id and name. */
export async function listCampaignNames(db: Db, accountId: string): Promise<{ id: string; name: string }[]> {
  return queryRows<{ id: string; name: string }>(
    db,
    sql`select id, name from campaigns where account_id = ${accountId} order by name`,
  );
}
