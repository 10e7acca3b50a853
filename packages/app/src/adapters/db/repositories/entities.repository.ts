import { sql } from 'drizzle-orm';
import type { Db } from '../database.ts';
import { ads, adsets, campaigns } from '../schema.ts';

export type CampaignUpsert = { id: string; accountId: string; externalId: string | null; name: string };
export type AdsetUpsert = CampaignUpsert & { campaignId: string | null };
export type AdUpsert = AdsetUpsert & { adsetId: string | null };

const CHUNK = 1000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// Names change in Ads Manager; the latest import wins. Parents are kept when the new row lacks them.
export async function upsertCampaigns(db: Db, rows: readonly CampaignUpsert[], now: Date): Promise<void> {
  for (const chunk of chunks(rows)) {
    await db
      .insert(campaigns)
      .values(chunk.map((row) => ({ ...row, createdAt: now, updatedAt: now })))
      .onConflictDoUpdate({
        target: campaigns.id,
        set: { name: sql`excluded.name`, updatedAt: now },
      });
  }
}

export async function upsertAdsets(db: Db, rows: readonly AdsetUpsert[], now: Date): Promise<void> {
  for (const chunk of chunks(rows)) {
    await db
      .insert(adsets)
      .values(chunk.map((row) => ({ ...row, createdAt: now, updatedAt: now })))
      .onConflictDoUpdate({
        target: adsets.id,
        set: {
          name: sql`excluded.name`,
          campaignId: sql`coalesce(excluded.campaign_id, ${adsets.campaignId})`,
          updatedAt: now,
        },
      });
  }
}

export async function upsertAds(db: Db, rows: readonly AdUpsert[], now: Date): Promise<void> {
  for (const chunk of chunks(rows)) {
    await db
      .insert(ads)
      .values(chunk.map((row) => ({ ...row, createdAt: now, updatedAt: now })))
      .onConflictDoUpdate({
        target: ads.id,
        set: {
          name: sql`excluded.name`,
          campaignId: sql`coalesce(excluded.campaign_id, ${ads.campaignId})`,
          adsetId: sql`coalesce(excluded.adset_id, ${ads.adsetId})`,
          updatedAt: now,
        },
      });
  }
}
