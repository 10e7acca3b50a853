import { addTotals, emptyTotals, isIsoDate, MoneyParseError, parseMicros } from '@roas/core';
import type { IsoDate, MetricTotals, Micros } from '@roas/core';
import { resolveColumns } from './ads-manager-columns.ts';
import type { ColumnField, ColumnLayout } from './ads-manager-columns.ts';
import { CsvImportError } from './csv-import-error.ts';
import { CsvReader, CsvSyntaxError } from './csv-reader.ts';

export { CsvImportError } from './csv-import-error.ts';

export type ExportLevel = 'campaign' | 'adset' | 'ad';
export type EntityRef = { id: string | null; name: string };
export type ParsedInsightRow = {
  /** 1-based source line(s) this row came from (several when merged). */
  lines: number[];
  account: { id: string | null; name: string | null };
  /** Null when the export has no campaign columns (or the row leaves them empty). */
  campaign: EntityRef | null;
  adset: EntityRef | null;
  ad: EntityRef | null;
  /** Equal for daily rows. */
  dateStart: IsoDate;
  dateStop: IsoDate;
  /** Spend and revenue in micros (bigint); counts as numbers. */
  totals: MetricTotals;
  attributionSetting: string | null;
  delivery: string | null;
};
export type ParsedExport = {
  /** Deepest level whose name or ID column is present (ad > adset > campaign). */
  level: ExportLevel;
  /** From `Amount spent (AUD)` or a Currency column; null when neither. */
  currency: string | null;
  /** True when every row covers one day. */
  isDaily: boolean;
  rows: ParsedInsightRow[];
  /** Data rows read from the file, excluding the header, blank lines and skipped total rows. */
  sourceRows: number;
  unknownColumns: string[];
  warnings: string[];
};
export type ParseAdsManagerOptions = { fileName?: string };

const LEVELS = ['campaign', 'adset', 'ad'] as const satisfies readonly ExportLevel[];
const LEVEL_COLUMNS = {
  campaign: { name: 'campaignName', id: 'campaignId' },
  adset: { name: 'adsetName', id: 'adsetId' },
  ad: { name: 'adName', id: 'adId' },
} as const satisfies Record<ExportLevel, { name: ColumnField; id: ColumnField }>;
const LEVEL_LABEL = { campaign: 'campaign', adset: 'ad set', ad: 'ad' } as const satisfies Record<
  ExportLevel,
  string
>;

const COUNT_FIELDS = [
  ['impressions', 'impressions'],
  ['reach', 'reach'],
  ['linkClicks', 'linkClicks'],
  ['addsToCart', 'addsToCart'],
  ['checkoutsInitiated', 'checkoutsInitiated'],
  ['purchases', 'purchases'],
] as const satisfies readonly (readonly [ColumnField, keyof MetricTotals])[];

const PLAIN_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
// Sheets and Excel re-saves write `1,234.56`; only that exact grouping is safe to read.
const GROUPED_NUMBER = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
// Spreadsheets turn long IDs into `1.20253E+17`, which silently merges different objects.
const MANGLED_ID = /^\d+(?:\.\d+)?e\+?\d+$/i;
const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * Parses a Meta Ads Manager CSV export (the text, already decoded) into insight rows.
 * Pure: no I/O. Any malformed cell or structure throws CsvImportError naming line and column.
 */
export function parseAdsManagerCsv(text: string, options: ParseAdsManagerOptions = {}): ParsedExport {
  const fileName = options.fileName ?? null;
  const reader = new CsvReader(text);
  let layout: ColumnLayout | null = null;

  // `{ index }` blames a cell of the current record; `{ line }` a whole line.
  const fail = (reason: string, at: { index: number } | { line: number }): never => {
    if ('index' in at) {
      throw new CsvImportError(reason, {
        line: reader.cellLine(at.index),
        column: at.index + 1,
        columnName: layout?.header[at.index] ?? null,
        fileName,
      });
    }
    throw new CsvImportError(reason, { line: at.line, fileName });
  };
  const advance = (): boolean => {
    try {
      return reader.advance();
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      const columnName = error.column === null ? null : (layout?.header[error.column - 1] ?? null);
      throw new CsvImportError(error.reason, {
        line: error.line,
        column: error.column,
        columnName,
        fileName,
      });
    }
  };

  if (!advance()) return fail('the file is empty (expected an Ads Manager CSV export)', { line: 1 });
  layout = resolveColumns(reader.record().cells, fileName);
  const { index, header, headerCurrency } = layout;
  const headerLine = reader.line;

  const level = [...LEVELS].reverse().find((l) => {
    const cols = LEVEL_COLUMNS[l];
    return index[cols.name] !== null || index[cols.id] !== null;
  });
  const spendColumn = index.spend;
  const dayColumn = index.day;
  const startsColumn = index.reportingStarts;
  const endsColumn = index.reportingEnds;
  // Report every missing requirement at once, so a wrong file is recognised as such in one go.
  const problems: string[] = [];
  if (spendColumn === null) {
    problems.push('no spend column ("Amount spent (...)", e.g. "Amount spent (USD)", is required)');
  }
  if (level === undefined) {
    problems.push(
      'no campaign, ad set or ad column ("Campaign name", "Ad set name" or "Ad name", or their IDs)',
    );
  }
  const dates =
    dayColumn !== null
      ? ({ kind: 'day', day: dayColumn } as const)
      : startsColumn !== null && endsColumn !== null
        ? ({ kind: 'period', starts: startsColumn, ends: endsColumn } as const)
        : null;
  if (dates === null) {
    const absent = [
      startsColumn === null ? '"Reporting starts"' : null,
      endsColumn === null ? '"Reporting ends"' : null,
    ]
      .filter((name) => name !== null)
      .join(' and ');
    problems.push(`no date columns: missing ${absent} (or a "Day" column)`);
  }
  if (level === undefined || spendColumn === null || dates === null) {
    return fail(`not a usable Ads Manager export: ${problems.join('; ')}`, { line: headerLine });
  }

  const warnings = [...layout.warnings];
  const isKeyedById = index[LEVEL_COLUMNS[level].id] !== null;
  const entityLevels = LEVELS.slice(0, LEVELS.indexOf(level) + 1);
  const entityColumns = entityLevels.flatMap((l) => [
    index[LEVEL_COLUMNS[l].name],
    index[LEVEL_COLUMNS[l].id],
  ]);
  const presentEntityColumns = entityColumns.filter((column): column is number => column !== null);

  // Each distinct date is validated once; the shared copy also makes later map lookups cheap.
  const validDates = new Map<string, IsoDate>();
  const readDate = (column: number): IsoDate => {
    const raw = reader.cell(column).trim();
    const known = validDates.get(raw);
    if (known !== undefined) return known;
    if (raw === '') return fail('date is empty', { index: column });
    if (!isIsoDate(raw))
      return fail(`${JSON.stringify(raw)} is not a date (expected YYYY-MM-DD)`, { index: column });
    validDates.set(raw, raw);
    return raw;
  };
  const readNumberText = (column: number): string | null => {
    const raw = reader.cell(column).trim();
    // Meta leaves a metric blank (or `-`) when there is nothing to report.
    if (raw === '' || raw === '-') return null;
    if (PLAIN_NUMBER.test(raw)) return raw;
    if (GROUPED_NUMBER.test(raw)) return raw.replaceAll(',', '');
    if (raw.startsWith('-') && PLAIN_NUMBER.test(raw.slice(1))) {
      return fail(`${JSON.stringify(raw)} is negative`, { index: column });
    }
    return fail(`${JSON.stringify(raw)} is not a number`, { index: column });
  };
  const readMoney = (column: number): Micros => {
    const text = readNumberText(column);
    if (text === null) return 0n;
    try {
      return parseMicros(text);
    } catch (error) {
      if (!(error instanceof MoneyParseError)) throw error;
      return fail(`${JSON.stringify(reader.cell(column).trim())} ${error.reason}`, { index: column });
    }
  };
  const readCount = (column: number): number => {
    const text = readNumberText(column);
    if (text === null) return 0;
    const dot = text.indexOf('.');
    // Excel writes `31.00` for 31; only a non-zero fraction is a real fractional count.
    if (dot !== -1 && !/^0*$/.test(text.slice(dot + 1))) {
      return fail(
        `${JSON.stringify(reader.cell(column).trim())} is not a whole number (counts are integers)`,
        {
          index: column,
        },
      );
    }
    const value = Number(dot === -1 ? text : text.slice(0, dot) || '0');
    if (!Number.isSafeInteger(value)) {
      return fail(`${JSON.stringify(reader.cell(column).trim())} is too large`, { index: column });
    }
    return value;
  };
  // Names and IDs repeat on every day's row: share one copy each, detached from the (large) source text.
  const texts = new Map<string, string>();
  const readText = (column: number | null): string | null => {
    if (column === null) return null;
    const value = reader.cell(column).trim();
    if (value === '') return null;
    let shared = texts.get(value);
    if (shared === undefined) {
      shared = (' ' + value).slice(1);
      texts.set(shared, shared);
    }
    return shared;
  };
  const validIds = new Set<string>();
  const readId = (column: number | null): string | null => {
    const value = readText(column);
    if (value === null || column === null || validIds.has(value)) return value;
    if (MANGLED_ID.test(value)) {
      return fail(
        `${JSON.stringify(value)} is an ID mangled into scientific notation by a spreadsheet; re-export from Ads Manager`,
        { index: column },
      );
    }
    validIds.add(value);
    return value;
  };

  const fileCurrency: { code: string | null; line: number } = { code: null, line: 0 };
  const currencyColumn = index.currency;
  const readCurrency = (): void => {
    if (currencyColumn === null) return;
    const raw = readText(currencyColumn);
    if (raw === null) return;
    const code = raw.toUpperCase();
    if (!CURRENCY_CODE.test(code)) {
      fail(`${JSON.stringify(raw)} is not a currency code`, { index: currencyColumn });
    }
    if (headerCurrency !== null && headerCurrency !== code) {
      fail(`currency ${code} disagrees with ${JSON.stringify(header[spendColumn])}`, {
        index: currencyColumn,
      });
    }
    if (fileCurrency.code === null) {
      fileCurrency.code = code;
      fileCurrency.line = reader.line;
    } else if (fileCurrency.code !== code) {
      fail(
        `currency ${code} differs from ${fileCurrency.code} on line ${fileCurrency.line}; one export holds one currency`,
        {
          index: currencyColumn,
        },
      );
    }
  };

  // Rows for the same entity share one EntityRef, so objects can key the merge index without hashing text.
  const refCache = {
    campaign: new KeyTree<EntityRef>(),
    adset: new KeyTree<EntityRef>(),
    ad: new KeyTree<EntityRef>(),
  };
  const refFor = (l: ExportLevel, id: string | null, name: string | null): EntityRef | null => {
    if (id === null && name === null) return null;
    const parts = [id, name];
    let ref = refCache[l].get(parts);
    // Without a name column the ID is the only label there is.
    if (ref === undefined) refCache[l].set(parts, (ref = { id, name: name ?? id ?? '' }));
    return ref;
  };

  const groups = new KeyTree<ParsedInsightRow>();
  const merged: ParsedInsightRow[] = [];
  let sourceRows = 0;

  while (advance()) {
    if (reader.isBlank()) continue;
    // The account total row has every campaign/ad set/ad cell empty.
    if (presentEntityColumns.every((column) => reader.cell(column).trim() === '')) continue;
    sourceRows++;

    const refs: Record<ExportLevel, EntityRef | null> = { campaign: null, adset: null, ad: null };
    const keyParts: unknown[] = [];
    for (const l of entityLevels) {
      const nameColumn = index[LEVEL_COLUMNS[l].name];
      const idColumn = index[LEVEL_COLUMNS[l].id];
      const name = readText(nameColumn);
      const id = readId(idColumn);
      if (l === level) {
        if (nameColumn !== null && name === null) {
          fail(`the ${LEVEL_LABEL[l]} name is empty on a row that is not the account total`, {
            index: nameColumn,
          });
        }
        if (idColumn !== null && id === null) {
          fail(`the ${LEVEL_LABEL[l]} ID is empty on a row that is not the account total`, {
            index: idColumn,
          });
        }
      }
      const ref = refFor(l, id, name);
      refs[l] = ref;
      if (l === level && isKeyedById) keyParts.push(id);
      else if (!isKeyedById) keyParts.push(ref);
    }

    let dateStart: IsoDate;
    let dateStop: IsoDate;
    if (dates.kind === 'day') {
      dateStart = readDate(dates.day);
      dateStop = dateStart;
    } else {
      dateStart = readDate(dates.starts);
      dateStop = readDate(dates.ends);
      if (dateStop < dateStart) {
        fail(`reporting ends ${dateStop} before it starts ${dateStart}`, { index: dates.ends });
      }
    }

    const totals: MetricTotals = {
      ...emptyTotals(),
      spend: readMoney(spendColumn),
      revenue: index.revenue === null ? 0n : readMoney(index.revenue),
    };
    for (const [field, key] of COUNT_FIELDS) {
      const column = index[field];
      if (column !== null) totals[key] = readCount(column);
    }
    readCurrency();

    const row: ParsedInsightRow = {
      lines: [reader.line],
      account: { id: readId(index.accountId), name: readText(index.accountName) },
      campaign: refs.campaign,
      adset: refs.adset,
      ad: refs.ad,
      dateStart,
      dateStop,
      totals,
      attributionSetting: readText(index.attributionSetting),
      delivery: readText(index.delivery),
    };

    // Name keys include the parents: two ads sharing a name in different ad sets are different ads.
    keyParts.push(dateStart === dateStop ? dateStart : `${dateStart}..${dateStop}`);
    const existing = groups.get(keyParts);
    if (existing === undefined) {
      groups.set(keyParts, row);
    } else {
      if (existing.lines.length === 1) merged.push(existing);
      existing.totals = addTotals(existing.totals, totals);
      existing.lines.push(reader.line);
      existing.attributionSetting ??= row.attributionSetting;
      existing.delivery ??= row.delivery;
    }
  }

  if (sourceRows === 0) {
    return fail('the export has a header but no campaign, ad set or ad rows', { line: headerLine });
  }

  for (const row of merged) {
    const entity = row[level];
    const label = isKeyedById
      ? `${LEVEL_LABEL[level]} ID ${entity?.id ?? ''} (${JSON.stringify(entity?.name ?? '')})`
      : `${LEVEL_LABEL[level]} ${JSON.stringify(entity?.name ?? '')}`;
    const when =
      row.dateStart === row.dateStop ? `on ${row.dateStart}` : `for ${row.dateStart} to ${row.dateStop}`;
    const lines = `lines ${row.lines.join(', ')}`;
    warnings.push(
      isKeyedById
        ? `Merged ${row.lines.length} rows for ${label} ${when} (${lines}): an ID should appear once per date, so this looks like a duplicated row; check the export`
        : `Merged ${row.lines.length} rows for ${label} ${when} (${lines}): without ID columns, objects sharing a name (boosted posts often do) cannot be told apart, so their totals were added`,
    );
  }

  const rows = groups.values();
  return {
    level,
    currency: headerCurrency ?? fileCurrency.code,
    isDaily: rows.every((row) => row.dateStart === row.dateStop),
    rows,
    sourceRows,
    unknownColumns: layout.unknownColumns,
    warnings,
  };
}

/** A map keyed by a sequence of values (strings or objects), without building a combined string per lookup. */
class KeyTree<V> {
  private readonly root = new Map<unknown, unknown>();
  private readonly inserted: V[] = [];

  get(parts: readonly unknown[]): V | undefined {
    let node: Map<unknown, unknown> | undefined = this.root;
    for (let i = 0; i < parts.length - 1 && node !== undefined; i++) {
      node = node.get(parts[i]) as Map<unknown, unknown> | undefined;
    }
    return node?.get(parts[parts.length - 1]) as V | undefined;
  }

  set(parts: readonly unknown[], value: V): void {
    let node = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = node.get(parts[i]) as Map<unknown, unknown> | undefined;
      if (next === undefined) node.set(parts[i], (next = new Map()));
      node = next;
    }
    node.set(parts[parts.length - 1], value);
    this.inserted.push(value);
  }

  /** Values in first-insertion order. */
  values(): V[] {
    return this.inserted;
  }
}
