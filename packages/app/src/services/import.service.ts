import { createHash } from 'node:crypto';
import path from 'node:path';
import { addTotals, emptyTotals, microsToNumber, type IsoDate, type MetricTotals } from '@roas/core';
import type { Db } from '../adapters/db/database.ts';
import {
  findAccountById,
  findAccountsByName,
  upsertAccount,
  type AccountRow,
} from '../adapters/db/repositories/accounts.repository.ts';
import {
  upsertAds,
  upsertAdsets,
  upsertCampaigns,
  type AdsetUpsert,
  type AdUpsert,
  type CampaignUpsert,
} from '../adapters/db/repositories/entities.repository.ts';
import {
  upsertInsights,
  type InsightUpsert,
  type UpsertCounts,
} from '../adapters/db/repositories/insights.repository.ts';
import { imports } from '../adapters/db/schema.ts';
import {
  parseAdsManagerCsv,
  type EntityRef,
  type ExportLevel,
  type ParsedExport,
} from '../import/ads-manager-parser.ts';
import { UserError } from '../shared/errors.ts';
import { csvAccountId, nameKeyedId } from '../shared/entity-ids.ts';

export type ImportProgress = (done: number, total: number) => void;

/** What `roas import --json` prints; documented in the README. Money in major units. */
export type ImportSummary = {
  account: { id: string; name: string };
  rows: number;
  entities: number;
  level: ExportLevel;
  currency: string;
  dateRange: { from: IsoDate; to: IsoDate };
  totals: { spend: number; impressions: number; clicks: number; purchases: number; revenue: number };
  stored: UpsertCounts;
  unknownColumns: string[];
  warnings: string[];
};

export type ImportRequest = {
  text: string;
  fileName: string;
  accountName?: string | undefined;
  now: Date;
  onProgress?: ImportProgress | undefined;
};

type ResolvedAccount = {
  id: string;
  name: string;
  currency: string;
  isNew: boolean;
  externalId: string | null;
};

/**
 * Imports an Ads Manager export in one transaction: the file is parsed whole first, so a malformed
 * file writes nothing; re-importing the same rows updates them in place.
 */
export async function importAdsManagerCsv(db: Db, request: ImportRequest): Promise<ImportSummary> {
  const parsed = parseAdsManagerCsv(request.text, { fileName: request.fileName });
  if (parsed.rows.length === 0) throw new UserError(`${request.fileName}: the export holds no data rows`);
  const account = await resolveAccount(db, parsed, request);
  const { campaignRows, adsetRows, adRows, insightRows, entityCount } = planRows(parsed, account.id);
  const warnings = [...parsed.warnings];
  if (parsed.unknownColumns.length > 0) {
    warnings.push(
      `ignored ${parsed.unknownColumns.length} unknown column(s): ${parsed.unknownColumns.join(', ')}`,
    );
  }
  const dates = parsed.rows.flatMap((row) => [row.dateStart, row.dateStop]).sort();
  const dateRange = { from: dates[0] ?? '', to: dates.at(-1) ?? '' };

  const stored = await db.transaction(async (tx) => {
    const txDb = tx as unknown as Db;
    await upsertAccount(
      txDb,
      {
        id: account.id,
        source: 'csv',
        externalId: account.externalId,
        name: account.name,
        currency: account.currency,
        attributionSetting: parsed.rows.find((row) => row.attributionSetting)?.attributionSetting ?? null,
      },
      request.now,
    );
    await upsertCampaigns(txDb, campaignRows, request.now);
    await upsertAdsets(txDb, adsetRows, request.now);
    await upsertAds(txDb, adRows, request.now);
    const counts = await upsertInsights(txDb, parsed.level, insightRows, request.now, (done) =>
      request.onProgress?.(done, insightRows.length),
    );
    await txDb.insert(imports).values({
      accountId: account.id,
      fileName: path.basename(request.fileName),
      fileSha256: createHash('sha256').update(request.text).digest('hex'),
      level: parsed.level,
      rows: parsed.sourceRows,
      dateFrom: dateRange.from,
      dateTo: dateRange.to,
      warnings,
      importedAt: request.now,
    });
    return counts;
  });

  const totals = parsed.rows.reduce<MetricTotals>((sum, row) => addTotals(sum, row.totals), emptyTotals());
  return {
    account: { id: account.id, name: account.name },
    rows: parsed.sourceRows,
    entities: entityCount,
    level: parsed.level,
    currency: account.currency,
    dateRange,
    totals: {
      spend: microsToNumber(totals.spend),
      impressions: totals.impressions,
      clicks: totals.linkClicks,
      purchases: totals.purchases,
      revenue: microsToNumber(totals.revenue),
    },
    stored,
    unknownColumns: parsed.unknownColumns,
    warnings,
  };
}

async function resolveAccount(
  db: Db,
  parsed: ParsedExport,
  request: ImportRequest,
): Promise<ResolvedAccount> {
  const externalIds = new Set(
    parsed.rows.map((row) => row.account.id).filter((id): id is string => id !== null),
  );
  if (externalIds.size > 1) {
    throw new UserError(
      `${request.fileName}: the export holds ${externalIds.size} ad accounts (${[...externalIds].join(', ')}); export one account per file`,
    );
  }
  const externalId = [...externalIds][0] ?? null;
  const fileAccountName = parsed.rows.find((row) => row.account.name)?.account.name ?? null;

  let existing: AccountRow | undefined;
  let name: string;
  if (request.accountName !== undefined) {
    name = request.accountName.trim();
    if (name === '') throw new UserError('--account: the account name is empty');
    const matches = await findAccountsByName(db, name);
    if (matches.length > 1) {
      throw new UserError(
        `--account "${name}": ${matches.length} accounts share that name; rename one first`,
      );
    }
    existing = matches[0];
  } else if (externalId !== null) {
    existing = await findAccountById(db, csvAccountId(externalId, ''));
    name = existing?.name ?? fileAccountName ?? `Account ${externalId}`;
  } else {
    name = fileAccountName ?? path.basename(request.fileName).replace(/\.[^.]+$/, '');
    existing = (await findAccountsByName(db, name))[0];
  }

  const currency = parsed.currency ?? existing?.currency;
  if (currency === undefined) {
    throw new UserError(
      `${request.fileName}: the export does not say its currency; export with the "Amount spent (XXX)" column or add a "Currency" column`,
    );
  }
  if (existing && existing.currency !== currency) {
    throw new UserError(
      `${request.fileName}: account "${existing.name}" is in ${existing.currency} but this export is in ${currency}`,
    );
  }
  if (existing) {
    return { id: existing.id, name: existing.name, currency, isNew: false, externalId: existing.externalId };
  }
  return { id: csvAccountId(externalId, name), name, currency, isNew: true, externalId };
}

/** Entity ids for one import; name-keyed ids are hashed once per object, not once per row. */
function createIdResolver(accountId: string) {
  const cache = new Map<string, string>();
  return (level: 'campaign' | 'adset' | 'ad', ref: EntityRef, names: readonly string[]): string => {
    if (ref.id !== null) return ref.id;
    const key = `${level}\u0000${names.join('\u0000')}`;
    let id = cache.get(key);
    if (id === undefined) {
      id = nameKeyedId(accountId, level, names);
      cache.set(key, id);
    }
    return id;
  };
}

/** Turns parsed rows into entity upserts and insight upserts, with ids stable across imports. */
function planRows(parsed: ParsedExport, accountId: string) {
  const campaignRows = new Map<string, CampaignUpsert>();
  const adsetRows = new Map<string, AdsetUpsert>();
  const adRows = new Map<string, AdUpsert>();
  const insightRows: InsightUpsert[] = [];
  const levelEntities = new Set<string>();
  const refId = createIdResolver(accountId);

  for (const row of parsed.rows) {
    const names: string[] = [];
    let campaignId: string | null = null;
    let adsetId: string | null = null;
    let adId: string | null = null;
    if (row.campaign) {
      names.push(row.campaign.name);
      campaignId = refId('campaign', row.campaign, names);
      campaignRows.set(campaignId, {
        id: campaignId,
        accountId,
        externalId: row.campaign.id,
        name: row.campaign.name,
      });
    }
    if (row.adset) {
      names.push(row.adset.name);
      adsetId = refId('adset', row.adset, names);
      adsetRows.set(adsetId, {
        id: adsetId,
        accountId,
        campaignId,
        externalId: row.adset.id,
        name: row.adset.name,
      });
    }
    if (row.ad) {
      names.push(row.ad.name);
      adId = refId('ad', row.ad, names);
      adRows.set(adId, {
        id: adId,
        accountId,
        campaignId,
        adsetId,
        externalId: row.ad.id,
        name: row.ad.name,
      });
    }
    const entityId = parsed.level === 'campaign' ? campaignId : parsed.level === 'adset' ? adsetId : adId;
    if (entityId === null)
      throw new Error(`line ${row.lines[0] ?? '?'}: a ${parsed.level}-level row without its ${parsed.level}`);
    levelEntities.add(entityId);
    insightRows.push({
      entityId,
      accountId,
      dateStart: row.dateStart,
      dateStop: row.dateStop,
      totals: row.totals,
      attributionSetting: row.attributionSetting,
      source: 'csv',
    });
  }
  return {
    campaignRows: [...campaignRows.values()],
    adsetRows: [...adsetRows.values()],
    adRows: [...adRows.values()],
    insightRows,
    entityCount: levelEntities.size,
  };
}
