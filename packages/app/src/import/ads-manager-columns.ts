import { CsvImportError } from './csv-import-error.ts';

/** The Ads Manager columns the importer reads, under one canonical name each. */
export const COLUMN_FIELDS = [
  'reportingStarts',
  'reportingEnds',
  'day',
  'accountId',
  'accountName',
  'campaignName',
  'campaignId',
  'adsetName',
  'adsetId',
  'adName',
  'adId',
  'delivery',
  'attributionSetting',
  'currency',
  'spend',
  'impressions',
  'reach',
  'linkClicks',
  'addsToCart',
  'checkoutsInitiated',
  'purchases',
  'revenue',
] as const;
export type ColumnField = (typeof COLUMN_FIELDS)[number];

/** Zero-based index of each recognised column, or null when the export lacks it. */
export type ColumnIndex = { [F in ColumnField]: number | null };

export type ColumnLayout = {
  /** Header cells, trimmed, in file order. */
  header: string[];
  index: ColumnIndex;
  /** Currency code from an `Amount spent (XXX)` (or purchase value) header; null when the header has none. */
  headerCurrency: string | null;
  /** Columns neither read nor known to be safe to ignore, in file order. */
  unknownColumns: string[];
  warnings: string[];
};

// Spellings in order of preference: when several are present the first wins and the rest are ignored,
// because Meta's columns overlap (Purchases already includes Website purchases) and summing would double count.
const SPELLINGS: { readonly [F in Exclude<ColumnField, 'spend' | 'revenue'>]: readonly string[] } = {
  reportingStarts: ['reporting starts'],
  reportingEnds: ['reporting ends'],
  day: ['day'],
  accountId: ['account id'],
  accountName: ['account name'],
  campaignName: ['campaign name'],
  campaignId: ['campaign id'],
  adsetName: ['ad set name'],
  adsetId: ['ad set id'],
  adName: ['ad name'],
  adId: ['ad id'],
  // The deepest level's delivery describes the row itself.
  delivery: ['ad delivery', 'ad set delivery', 'campaign delivery', 'delivery status', 'delivery'],
  attributionSetting: ['attribution setting'],
  currency: ['currency'],
  impressions: ['impressions'],
  reach: ['reach'],
  linkClicks: ['link clicks'],
  addsToCart: ['adds to cart', 'website adds to cart'],
  checkoutsInitiated: ['checkouts initiated', 'website checkouts initiated'],
  purchases: ['purchases', 'website purchases'],
};

// Money columns may carry the account currency in parentheses: `Amount spent (AUD)`.
const MONEY_SPELLINGS: { readonly [F in 'spend' | 'revenue']: readonly string[] } = {
  spend: ['amount spent'],
  revenue: [
    'purchases conversion value',
    'purchase conversion value',
    'website purchases conversion value',
    'website purchase conversion value',
  ],
};

// Columns Meta derives from the raw counts, settings, diagnostics and metrics we do not model; recomputing
// ratios from raw counts is the only way to keep them consistent after merging rows, so these are dropped.
const KNOWN_IGNORED: readonly RegExp[] = [
  /^(cpm|cpc|ctr|cpp|roas)\b/,
  /^cost per\b/,
  /^(website |in-app |mobile app |meta |offline )?purchase roas\b/,
  /^results?\b/,
  /^result (indicator|type|rate)$/,
  /^frequency$/,
  /^(quality|engagement rate|conversion rate) ranking$/,
  /^(ad set|campaign) (budget|budget type|spend limit)$/,
  /^using campaign budget$/,
  /^(starts|ends|bid|bid type|bid strategy|objective|buying type|delivery level)$/,
  /^last significant edit$/,
  /^(ad set|campaign|ad) (schedule|end time|start time)$/,
  /^(thruplays?|video average play time|3-second video plays|2-second continuous video plays)\b/,
  /^video plays\b/,
  /^(unique )?(clicks \(all\)|link clicks|outbound clicks|ctr \(all\))$/,
  /^unique (ctr|outbound)\b/,
  /^outbound (ctr|clicks)\b/,
  /^(website )?landing page views$/,
  // Per-channel purchase columns overlap Purchases / Website purchases.
  /^(mobile app|in-app|offline|meta|on-facebook|other) (purchases?|adds to cart|checkouts initiated)( conversion value)?$/,
  /^(website|mobile app|in-app|offline|meta|on-facebook) (adds to cart|checkouts initiated) conversion value$/,
  /^(adds to cart|checkouts initiated) conversion value$/,
];

const CURRENCY_SUFFIX = /^(.*?)\s*\(([a-z]{3})\)$/;

/** Case-insensitive, whitespace-insensitive header key. */
export function normalizeHeader(header: string): string {
  return header.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Whether a header is a Meta column the importer deliberately ignores (derived ratios, settings...). */
export function isKnownIgnoredColumn(header: string): boolean {
  const key = normalizeHeader(header);
  const base = CURRENCY_SUFFIX.exec(key)?.[1] ?? key;
  return KNOWN_IGNORED.some((pattern) => pattern.test(key) || pattern.test(base));
}

type Candidate = { field: ColumnField; rank: number; column: number; currency: string | null };

/**
 * Maps an Ads Manager header row to canonical fields. Throws CsvImportError (line 1) when money
 * headers name different currencies.
 */
export function resolveColumns(rawHeader: readonly string[], fileName: string | null = null): ColumnLayout {
  const header = rawHeader.map((cell) => cell.trim());
  const candidates: Candidate[] = [];
  const unknownColumns: string[] = [];
  const warnings: string[] = [];
  let headerCurrency: { code: string; column: number } | null = null;

  for (const [column, name] of header.entries()) {
    if (name === '') continue;
    const key = normalizeHeader(name);
    const plain = matchPlain(key);
    if (plain !== null) {
      candidates.push({ ...plain, column, currency: null });
      continue;
    }
    const money = matchMoney(key);
    if (money !== null) {
      if (money.currency !== null) {
        if (headerCurrency !== null && headerCurrency.code !== money.currency) {
          throw new CsvImportError(
            `currency ${money.currency} disagrees with ${headerCurrency.code} in ${JSON.stringify(header[headerCurrency.column])}`,
            { line: 1, column: column + 1, columnName: name, fileName },
          );
        }
        headerCurrency = { code: money.currency, column };
      }
      candidates.push({ ...money, column });
      continue;
    }
    if (!isKnownIgnoredColumn(name)) unknownColumns.push(name);
  }

  const index = Object.fromEntries(COLUMN_FIELDS.map((field) => [field, null])) as ColumnIndex;
  for (const field of COLUMN_FIELDS) {
    const matches = candidates
      .filter((candidate) => candidate.field === field)
      .sort((a, b) => a.rank - b.rank || a.column - b.column);
    const [chosen, ...others] = matches;
    if (chosen === undefined) continue;
    index[field] = chosen.column;
    for (const other of others) {
      const chosenName = JSON.stringify(header[chosen.column]);
      const otherName = JSON.stringify(header[other.column]);
      warnings.push(
        other.rank === chosen.rank
          ? `Column ${otherName} appears more than once; using the first (column ${chosen.column + 1})`
          : `Using ${chosenName} and ignoring the overlapping ${otherName} (never summed, to avoid double counting)`,
      );
    }
  }

  return {
    header,
    index,
    headerCurrency: headerCurrency?.code ?? null,
    unknownColumns,
    warnings,
  };
}

function matchPlain(key: string): { field: ColumnField; rank: number } | null {
  for (const [field, spellings] of Object.entries(SPELLINGS) as [ColumnField, readonly string[]][]) {
    const rank = spellings.indexOf(key);
    if (rank !== -1) return { field, rank };
  }
  return null;
}

function matchMoney(key: string): { field: ColumnField; rank: number; currency: string | null } | null {
  const suffixed = CURRENCY_SUFFIX.exec(key);
  const base = suffixed?.[1] ?? key;
  const currency = suffixed?.[2]?.toUpperCase() ?? null;
  for (const [field, spellings] of Object.entries(MONEY_SPELLINGS) as [ColumnField, readonly string[]][]) {
    const rank = spellings.indexOf(base);
    if (rank !== -1) return { field, rank, currency };
  }
  return null;
}
