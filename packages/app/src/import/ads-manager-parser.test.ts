import { readFileSync } from 'node:fs';
import { emptyTotals } from '@roas/core';
import type { MetricTotals } from '@roas/core';
import { describe, expect, it } from 'vitest';
import { CsvImportError, parseAdsManagerCsv } from './ads-manager-parser.ts';

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

function csv(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function importError(text: string, fileName?: string): CsvImportError {
  try {
    parseAdsManagerCsv(text, fileName === undefined ? {} : { fileName });
  } catch (error) {
    if (error instanceof CsvImportError) return error;
    throw error;
  }
  throw new Error('expected a CsvImportError');
}

function totals(partial: Partial<MetricTotals>): MetricTotals {
  return { ...emptyTotals(), ...partial };
}

const DAILY_HEADER =
  '"Reporting starts","Reporting ends",Day,"Campaign name","Ad set name","Ad name","Amount spent (USD)",Impressions,"Link clicks",Purchases,"Purchases conversion value"';

describe('parseAdsManagerCsv on real-shaped exports', () => {
  it('reads the verbatim Foundry header: ad level, whole-period rows, ignored derived columns', () => {
    const parsed = parseAdsManagerCsv(fixture('foundry-ad-lifetime.csv'));
    expect(parsed.level).toBe('ad');
    expect(parsed.currency).toBe('USD');
    expect(parsed.isDaily).toBe(false);
    expect(parsed.sourceRows).toBe(3);
    expect(parsed.unknownColumns).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.rows).toHaveLength(3);
    expect(parsed.rows[0]).toEqual({
      lines: [2],
      account: { id: null, name: null },
      campaign: null,
      adset: { id: null, name: 'Andrew Hypes — Lookalike 1% — Medium Intent' },
      ad: { id: null, name: 'Andrew Hypes — Grill N Chill — Video — High Intent' },
      dateStart: '2026-05-25',
      dateStop: '2026-06-07',
      totals: totals({ spend: 159_510_000n, impressions: 21997, reach: 7076, purchases: 31 }),
      attributionSetting: '7-day click, 1-day view, or 1-day engaged-view',
      delivery: 'not_delivering',
    });
    expect(parsed.rows[2]?.totals).toEqual(totals({ spend: 870_000n, impressions: 112, reach: 109 }));
  });

  it('skips the account total row and reads thousands separators from a re-saved file', () => {
    const parsed = parseAdsManagerCsv(fixture('sgd-adset-monthly-with-total.csv'));
    expect(parsed.level).toBe('adset');
    expect(parsed.currency).toBe('SGD');
    expect(parsed.sourceRows).toBe(3);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.rows.map((row) => row.lines)).toEqual([[3], [4], [5]]);
    expect(parsed.rows[0]).toMatchObject({
      campaign: { id: null, name: 'Mid-Autumn Festival 🥮' },
      adset: { id: null, name: 'Mooncake lovers, 25-54' },
      ad: null,
      delivery: 'active',
      attributionSetting: null,
      totals: totals({ spend: 1_234_560_000n, impressions: 143_502, reach: 88_410, linkClicks: 1120 }),
    });
    expect(parsed.rows[2]?.totals.spend).toBe(656_000_000n);
  });

  it('reads a BOM + CRLF daily export with IDs, a Currency column and overlapping website columns', () => {
    const parsed = parseAdsManagerCsv(fixture('aud-daily-ids-bom-crlf.csv'));
    expect(parsed.level).toBe('ad');
    expect(parsed.currency).toBe('AUD');
    expect(parsed.isDaily).toBe(true);
    expect(parsed.sourceRows).toBe(3);
    expect(parsed.unknownColumns).toEqual(['Leads', 'Custom note']);
    expect(parsed.warnings).toHaveLength(4);
    expect(parsed.warnings.join('\n')).toMatch(
      /Using "Purchases" and ignoring the overlapping "Website purchases"/,
    );
    const [first, second, third] = parsed.rows;
    expect(first).toEqual({
      lines: [3],
      account: { id: '1234567890', name: 'Koala Goods Pty Ltd' },
      campaign: { id: '120210000000000001', name: '春季セール 🌸' },
      adset: { id: '120210000000000011', name: 'Женщины 25-44' },
      ad: { id: '120210000000000111', name: 'Video, "hero" cut' },
      dateStart: '2026-03-01',
      dateStop: '2026-03-01',
      // Purchases, Adds to cart, Checkouts initiated and Purchases conversion value win over the Website ones.
      totals: totals({
        spend: 41_200_000n,
        revenue: 120_250_000n,
        purchases: 2,
        impressions: 4100,
        reach: 3300,
        linkClicks: 44,
        addsToCart: 5,
        checkoutsInitiated: 3,
      }),
      attributionSetting: '7-day click or 1-day view',
      delivery: 'active',
    });
    expect(second?.lines).toEqual([4]);
    expect(second?.campaign?.name).toBe('تخفيضات الصيف');
    expect(second?.adset?.name).toBe('Broad');
    expect(second?.ad?.name).toBe('Multi-line\r\nname 👨‍👩‍👧');
    expect(second?.totals).toEqual(totals({ spend: 1n }));
    expect(third?.lines).toEqual([6]);
    expect(third?.totals.spend).toBe(52_249_999n);
    expect(third?.totals.purchases).toBe(1);
  });

  it('merges boosted posts that share a name on the same day, with one warning per merged key', () => {
    const parsed = parseAdsManagerCsv(fixture('boosted-posts-same-name.csv'));
    expect(parsed.level).toBe('ad');
    expect(parsed.currency).toBe('EUR');
    expect(parsed.sourceRows).toBe(5);
    expect(parsed.rows).toHaveLength(3);
    const [merged, nextDay, otherAdSet] = parsed.rows;
    expect(merged?.lines).toEqual([3, 4, 5]);
    expect(merged?.dateStart).toBe('2026-07-01');
    expect(merged?.totals).toEqual(
      totals({ spend: 20_000_000n, revenue: 100_000_000n, impressions: 2000, linkClicks: 20, purchases: 2 }),
    );
    expect(nextDay?.lines).toEqual([6]);
    // Same ad name, different campaign and ad set: a different ad, not merged.
    expect(otherAdSet?.lines).toEqual([7]);
    expect(otherAdSet?.campaign?.name).toBe('Always on');
    expect(parsed.warnings).toEqual([
      'Merged 3 rows for ad "Post: \\"Summer drop\\" ☀️" on 2026-07-01 (lines 3, 4, 5): without ID columns, objects sharing a name (boosted posts often do) cannot be told apart, so their totals were added',
    ]);
  });

  it('reads Website-only commerce columns at campaign level with single-day reporting periods', () => {
    const parsed = parseAdsManagerCsv(fixture('website-columns-campaign-daily.csv'));
    expect(parsed.level).toBe('campaign');
    expect(parsed.currency).toBe('GBP');
    expect(parsed.isDaily).toBe(true);
    expect(parsed.unknownColumns).toEqual([]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.rows.map((row) => [row.campaign?.name, row.dateStart, row.delivery])).toEqual([
      ['Evergreen UK', '2026-02-01', 'active'],
      ['Evergreen UK', '2026-02-02', 'active'],
      ['Spring Launch 🚀', '2026-02-01', 'inactive'],
    ]);
    expect(parsed.rows[1]?.totals).toEqual(
      totals({
        spend: 24_900_000n,
        revenue: 95_990_000n,
        purchases: 2,
        impressions: 2410,
        reach: 2000,
        linkClicks: 29,
        addsToCart: 5,
        checkoutsInitiated: 2,
      }),
    );
    expect(parsed.rows[2]?.totals).toEqual(emptyTotals());
  });
});

describe('encoding and line endings', () => {
  const text = csv(DAILY_HEADER, '2026-01-01,2026-01-02,2026-01-01,C,S,"A, ""1""",10.50,1000,10,1,55.10');
  const expected = parseAdsManagerCsv(text);

  it('gives the same result with or without a BOM', () => {
    expect(parseAdsManagerCsv(`\uFEFF${text}`)).toEqual(expected);
  });

  it('gives the same result with CRLF, LF or mixed line ends', () => {
    expect(parseAdsManagerCsv(text.replaceAll('\n', '\r\n'))).toEqual(expected);
    expect(parseAdsManagerCsv(text.replace('\n', '\r\n'))).toEqual(expected);
    expect(expected.rows[0]?.ad?.name).toBe('A, "1"');
  });

  it('keeps emoji and non-Latin names byte for byte, trimming only surrounding whitespace', () => {
    const names = ['春季セール 🌸', 'تخفيضات  الصيف', 'Распродажа — Москва', 'Family 👨‍👩‍👧 café', 'Ελληνικά ✨'];
    const rows = names.map((name, i) => `2026-01-01,2026-01-01,2026-01-0${i + 1},"  ${name}\t",S,A,1,1,1,0,`);
    const parsed = parseAdsManagerCsv(csv(DAILY_HEADER, ...rows));
    expect(parsed.rows.map((row) => row.campaign?.name)).toEqual(names);
    expect(parsed.rows[3]?.campaign?.name).toBe('Family \u{1F468}\u200D\u{1F469}\u200D\u{1F467} caf\u00E9');
  });
});

describe('dates', () => {
  it('uses Day for daily rows even when the reporting period is longer', () => {
    const parsed = parseAdsManagerCsv(csv(DAILY_HEADER, '2026-01-01,2026-01-31,2026-01-15,C,S,A,1,1,1,0,'));
    expect(parsed.rows[0]).toMatchObject({ dateStart: '2026-01-15', dateStop: '2026-01-15' });
    expect(parsed.isDaily).toBe(true);
  });

  it('uses the reporting period when there is no Day column', () => {
    const parsed = parseAdsManagerCsv(
      csv(
        'Reporting starts,Reporting ends,Campaign name,Amount spent (USD)',
        '2026-01-01,2026-01-31,C,1',
        '2026-01-05,2026-01-05,D,1',
      ),
    );
    expect(parsed.rows.map((row) => [row.dateStart, row.dateStop])).toEqual([
      ['2026-01-01', '2026-01-31'],
      ['2026-01-05', '2026-01-05'],
    ]);
    expect(parsed.isDaily).toBe(false);
  });

  it('accepts a Day column alone', () => {
    const parsed = parseAdsManagerCsv(csv('Day,Campaign name,Amount spent (USD)', '2026-04-01,C,1'));
    expect(parsed.rows[0]?.dateStart).toBe('2026-04-01');
  });

  it.each([
    ['2026-02-30', /"2026-02-30" is not a date \(expected YYYY-MM-DD\)/],
    ['05/25/2026', /"05\/25\/2026" is not a date/],
    ['2026-1-5', /is not a date/],
    ['', /date is empty/],
  ])('rejects the Day %j with its line and column', (day, reason) => {
    const error = importError(
      csv(
        DAILY_HEADER,
        '2026-01-01,2026-01-31,2026-01-02,C,S,A,1,1,1,0,',
        `2026-01-01,2026-01-31,${day},C,S,A,1,1,1,0,`,
      ),
    );
    expect(error).toMatchObject({ line: 3, column: 3, columnName: 'Day' });
    expect(error.reason).toMatch(reason);
  });

  it('rejects a reporting period that ends before it starts', () => {
    const error = importError(
      csv('Reporting starts,Reporting ends,Campaign name,Amount spent (USD)', '2026-01-31,2026-01-01,C,1'),
    );
    expect(error).toMatchObject({ line: 2, column: 2, columnName: 'Reporting ends' });
  });

  it('names the missing date columns', () => {
    const none = importError(csv('Campaign name,Amount spent (USD)', 'C,1'));
    expect(none.line).toBe(1);
    expect(none.message).toMatch(/missing "Reporting starts" and "Reporting ends" \(or a "Day" column\)/);
    const half = importError(csv('Reporting starts,Campaign name,Amount spent (USD)', '2026-01-01,C,1'));
    expect(half.message).toMatch(/missing "Reporting ends" \(or a "Day" column\)/);
    expect(half.message).not.toMatch(/missing "Reporting starts"/);
  });
});

describe('levels and entity keys', () => {
  const row = (header: string, cells: string) =>
    parseAdsManagerCsv(csv(`Day,Amount spent (USD),${header}`, `2026-01-01,1,${cells}`));

  it.each([
    ['Campaign name', 'C', 'campaign'],
    ['Campaign ID', '11', 'campaign'],
    ['Campaign name,Ad set name', 'C,S', 'adset'],
    ['Ad set ID', '22', 'adset'],
    ['Campaign name,Ad set name,Ad name', 'C,S,A', 'ad'],
    ['Campaign name,Ad ID', 'C,33', 'ad'],
    ['Ad name,Campaign name', 'A,C', 'ad'],
  ] as const)('takes the deepest level from the columns %j', (header, cells, level) => {
    expect(row(header, cells).level).toBe(level);
  });

  it('labels an ID-only entity with its ID', () => {
    const parsed = row('Campaign name,Ad ID', 'C,33');
    expect(parsed.rows[0]?.ad).toEqual({ id: '33', name: '33' });
    expect(parsed.rows[0]?.adset).toBeNull();
  });

  it('leaves parent refs null when their cells are empty', () => {
    const parsed = row('Campaign name,Ad set name,Ad name', ',,A');
    expect(parsed.rows[0]).toMatchObject({ campaign: null, adset: null, ad: { id: null, name: 'A' } });
  });

  it('rejects a row with a parent name but no name at its own level', () => {
    const error = importError(
      csv('Day,Campaign name,Ad set name,Ad name,Amount spent (USD)', '2026-01-01,C,S,,1'),
    );
    expect(error).toMatchObject({ line: 2, column: 4, columnName: 'Ad name' });
    expect(error.reason).toMatch(/ad name is empty/);
  });

  it('rejects a row with a name but no ID when the export has IDs', () => {
    const error = importError(csv('Day,Ad name,Ad ID,Amount spent (USD)', '2026-01-01,A,,1'));
    expect(error).toMatchObject({ line: 2, column: 3, columnName: 'Ad ID' });
  });

  it('rejects an ID a spreadsheet turned into scientific notation', () => {
    const error = importError(csv('Day,Ad name,Ad ID,Amount spent (USD)', '2026-01-01,A,1.20253E+17,1'));
    expect(error).toMatchObject({ line: 2, column: 3 });
    expect(error.reason).toMatch(/scientific notation/);
  });

  it('merges a duplicated ID on the same date and calls it suspicious', () => {
    const parsed = parseAdsManagerCsv(
      csv(
        'Day,Ad name,Ad ID,Amount spent (USD),Purchases',
        '2026-01-01,Hero,77,1.25,1',
        '2026-01-02,Hero,77,2,0',
        '2026-01-01,Hero (renamed),77,0.75,2',
        '2026-01-01,Other,78,1,0',
      ),
    );
    expect(parsed.rows).toHaveLength(3);
    expect(parsed.rows[0]).toMatchObject({
      lines: [2, 4],
      ad: { id: '77', name: 'Hero' },
      totals: totals({ spend: 2_000_000n, purchases: 3 }),
    });
    expect(parsed.warnings).toEqual([
      'Merged 2 rows for ad ID 77 ("Hero") on 2026-01-01 (lines 2, 4): an ID should appear once per date, so this looks like a duplicated row; check the export',
    ]);
  });

  it('keys by ID, so the same name under two IDs stays two rows', () => {
    const parsed = parseAdsManagerCsv(
      csv(
        'Day,Ad name,Ad ID,Amount spent (USD)',
        '2026-01-01,Boosted post,1,1',
        '2026-01-01,Boosted post,2,1',
      ),
    );
    expect(parsed.rows).toHaveLength(2);
    expect(parsed.warnings).toEqual([]);
  });

  it('merges name-keyed duplicates over a whole period and names the span', () => {
    const parsed = parseAdsManagerCsv(
      csv(
        'Reporting starts,Reporting ends,Campaign name,Amount spent (USD)',
        '2026-01-01,2026-01-07,Dup,1',
        '2026-01-01,2026-01-07,Dup,2',
      ),
    );
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.warnings[0]).toMatch(
      /^Merged 2 rows for campaign "Dup" for 2026-01-01 to 2026-01-07 \(lines 2, 3\)/,
    );
  });
});

describe('account total rows and blank rows', () => {
  it('skips total rows whose name and ID cells are all empty, wherever they are, without a warning', () => {
    const parsed = parseAdsManagerCsv(
      csv(
        'Reporting starts,Reporting ends,Account name,Campaign name,Campaign ID,Amount spent (USD),Impressions',
        '2026-01-01,2026-01-31,Shop,,,"3,084.40","241,300"',
        '2026-01-01,2026-01-31,Shop,C,5,1.00,10',
        ',,,,,,',
        '2026-01-01,2026-01-31,,,,999,',
      ),
    );
    expect(parsed.sourceRows).toBe(1);
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.rows[0]?.account).toEqual({ id: null, name: 'Shop' });
    expect(parsed.warnings).toEqual([]);
  });

  it('rejects a header-only file', () => {
    const error = importError(csv(DAILY_HEADER));
    expect(error.line).toBe(1);
    expect(error.message).toMatch(/has a header but no campaign, ad set or ad rows/);
  });

  it('rejects a file holding only the account total row', () => {
    expect(importError(csv(DAILY_HEADER, '2026-01-01,2026-01-02,,,,,5,5,5,5,5')).message).toMatch(
      /no campaign, ad set or ad rows/,
    );
  });

  it.each(['', '\uFEFF', '\n\r\n'])('rejects an empty file %j', (text) => {
    const error = importError(text, 'empty.csv');
    expect(error.message).toBe('empty.csv: line 1: the file is empty (expected an Ads Manager CSV export)');
  });
});

describe('metric cells', () => {
  const parseCell = (column: string, value: string) =>
    parseAdsManagerCsv(csv(`Day,Campaign name,Amount spent (USD),${column}`, `2026-01-01,C,1,"${value}"`))
      .rows[0]?.totals;

  it.each([
    ['Impressions', 'impressions'],
    ['Reach', 'reach'],
    ['Link clicks', 'linkClicks'],
    ['Adds to cart', 'addsToCart'],
    ['Website adds to cart', 'addsToCart'],
    ['Checkouts initiated', 'checkoutsInitiated'],
    ['Website checkouts initiated', 'checkoutsInitiated'],
    ['Purchases', 'purchases'],
    ['Website purchases', 'purchases'],
  ] as const)('reads %j into %s', (column, field) => {
    expect(parseCell(column, '1,234')?.[field]).toBe(1234);
  });

  it.each([
    'Purchases conversion value',
    'Purchase conversion value',
    'Website purchases conversion value',
    'Purchases conversion value (USD)',
  ])('reads %j as revenue in micros', (column) => {
    expect(parseCell(column, '1,234.567891')?.revenue).toBe(1_234_567_891n);
  });

  it.each(['', '-', '  ', ' - '])('reads the blank cell %j as zero', (value) => {
    expect(parseCell('Purchases', value)?.purchases).toBe(0);
    expect(parseCell('Purchases conversion value', value)?.revenue).toBe(0n);
  });

  it('reads money exactly, without rounding', () => {
    expect(parseCell('Purchases conversion value', '0.1')?.revenue).toBe(100_000n);
    expect(parseCell('Purchases conversion value', '0.000001')?.revenue).toBe(1n);
    expect(parseCell('Purchases conversion value', '12345678.90')?.revenue).toBe(12_345_678_900_000n);
  });

  it('accepts a whole count written with zero decimals by a spreadsheet', () => {
    expect(parseCell('Purchases', '31.00')?.purchases).toBe(31);
  });

  it('ignores Frequency (derived)', () => {
    const parsed = parseAdsManagerCsv(
      csv('Day,Campaign name,Amount spent (USD),Frequency', '2026-01-01,C,1,1.75'),
    );
    expect(parsed.unknownColumns).toEqual([]);
    expect(parsed.rows[0]?.totals).toEqual(totals({ spend: 1_000_000n }));
  });

  it('uses Purchases, not the sum, when Purchases and Website purchases are both present', () => {
    const parsed = parseAdsManagerCsv(
      csv(
        'Day,Campaign name,Amount spent (USD),Website purchases,Purchases,Website purchases conversion value,Purchase conversion value',
        '2026-01-01,C,1,4,5,40,50.5',
      ),
    );
    expect(parsed.rows[0]?.totals).toMatchObject({ purchases: 5, revenue: 50_500_000n });
  });

  it.each([
    ['Amount spent (USD)', '12,5', 3, /"12,5" is not a number/],
    ['Amount spent (USD)', 'abc', 3, /"abc" is not a number/],
    ['Amount spent (USD)', '1,23', 3, /is not a number/],
    ['Amount spent (USD)', '1e3', 3, /is not a number/],
    ['Amount spent (USD)', '$12.00', 3, /is not a number/],
    ['Amount spent (USD)', '-4.00', 3, /"-4.00" is negative/],
    ['Amount spent (USD)', '1.1234567', 3, /"1.1234567" more than 6 decimal places would be rounded/],
    ['Purchases', '2.5', 4, /"2.5" is not a whole number/],
    ['Purchases', '1,234.5', 4, /is not a whole number/],
    ['Impressions', '12 345', 5, /is not a number/],
    ['Link clicks', '-1', 6, /is negative/],
  ])('rejects %j = %j, naming line and column', (column, value, columnNumber, reason) => {
    const header = 'Day,Campaign name,Amount spent (USD),Purchases,Impressions,Link clicks';
    const cells = ['2026-01-01', 'C', '1', '0', '0', '0'];
    cells[columnNumber - 1] = `"${value}"`;
    const error = importError(csv(header, '2026-01-01,C,1,0,0,0', cells.join(',')));
    expect(error).toMatchObject({ line: 3, column: columnNumber, columnName: column });
    expect(error.reason).toMatch(reason);
  });

  it('formats errors as file, line, column, header and reason', () => {
    const good = Array.from({ length: 10 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')},C,S,A,1,1`);
    const text = csv(
      'Day,Campaign name,Ad set name,Ad name,Amount spent (USD),Impressions',
      ...good,
      '2026-01-11,C,S,A,"12,5",1',
    );
    expect(importError(text).message).toBe(
      'line 12, column 5 ("Amount spent (USD)"): "12,5" is not a number',
    );
    expect(importError(text, 'may.csv').message).toBe(
      'may.csv: line 12, column 5 ("Amount spent (USD)"): "12,5" is not a number',
    );
  });
});

describe('currency', () => {
  it('comes from the spend header', () => {
    expect(parseAdsManagerCsv(csv('Day,Campaign name,Amount spent (JPY)', '2026-01-01,C,100')).currency).toBe(
      'JPY',
    );
  });

  it('comes from a Currency column when the header has none', () => {
    const parsed = parseAdsManagerCsv(
      csv('Day,Campaign name,Currency,Amount spent', '2026-01-01,C,,1', '2026-01-02,C,inr,1'),
    );
    expect(parsed.currency).toBe('INR');
  });

  it('is null when neither says', () => {
    expect(parseAdsManagerCsv(csv('Day,Campaign name,Amount spent', '2026-01-01,C,1')).currency).toBeNull();
  });

  it('accepts a Currency column that agrees with the header', () => {
    expect(
      parseAdsManagerCsv(csv('Day,Campaign name,Currency,Amount spent (EUR)', '2026-01-01,C,EUR,1')).currency,
    ).toBe('EUR');
  });

  it('rejects a Currency column that disagrees with the header', () => {
    const error = importError(csv('Day,Campaign name,Currency,Amount spent (EUR)', '2026-01-01,C,USD,1'));
    expect(error).toMatchObject({ line: 2, column: 3, columnName: 'Currency' });
    expect(error.reason).toBe('currency USD disagrees with "Amount spent (EUR)"');
  });

  it('rejects a Currency column holding two currencies', () => {
    const error = importError(
      csv('Day,Campaign name,Currency,Amount spent', '2026-01-01,C,USD,1', '2026-01-02,C,CAD,1'),
    );
    expect(error).toMatchObject({ line: 3, column: 3 });
    expect(error.reason).toMatch(/currency CAD differs from USD on line 2/);
  });

  it('rejects something that is not a currency code', () => {
    expect(importError(csv('Day,Campaign name,Currency,Amount spent', '2026-01-01,C,US$,1')).reason).toMatch(
      /"US\$" is not a currency code/,
    );
  });
});

describe('required columns and unknown columns', () => {
  it('requires "Amount spent (...)"', () => {
    const error = importError(csv('Day,Campaign name,Impressions', '2026-01-01,C,1'));
    expect(error.line).toBe(1);
    expect(error.message).toMatch(/"Amount spent \(\.\.\.\)"/);
  });

  it('requires a campaign, ad set or ad column', () => {
    expect(importError(csv('Day,Account name,Amount spent (USD)', '2026-01-01,Shop,1')).message).toMatch(
      /no campaign, ad set or ad column/,
    );
  });

  it('reports every missing requirement of a file that is not an export at all', () => {
    const message = importError(csv('Order,Total', '1001,30.00')).message;
    expect(message).toMatch(/Amount spent/);
    expect(message).toMatch(/Campaign name/);
    expect(message).toMatch(/Reporting starts/);
  });

  it('lists unrecognised columns and still imports', () => {
    const parsed = parseAdsManagerCsv(
      csv(
        'Day,Campaign name,Leads,Amount spent (USD),"CPM (cost per 1,000 impressions) (USD)",Notes',
        '2026-01-01,C,4,1,2,x',
      ),
    );
    expect(parsed.unknownColumns).toEqual(['Leads', 'Notes']);
    expect(parsed.rows).toHaveLength(1);
  });
});

describe('malformed CSV', () => {
  it('rejects an unterminated quote, naming where it opened', () => {
    const error = importError(
      csv(
        DAILY_HEADER,
        '2026-01-01,2026-01-02,2026-01-01,C,"Broken,A,1,1,1,0,',
        '2026-01-02,2026-01-02,2026-01-02,C,S,A,1,1,1,0,',
      ),
    );
    expect(error).toBeInstanceOf(CsvImportError);
    expect(error).toMatchObject({ line: 2, column: 5, columnName: 'Ad set name' });
    expect(error.reason).toMatch(/unterminated quoted field/);
  });

  it('rejects a stray quote in an unquoted cell', () => {
    const error = importError(csv(DAILY_HEADER, '2026-01-01,2026-01-02,2026-01-01,C,S,24" banner,1,1,1,0,'));
    expect(error).toMatchObject({ line: 2, column: 6, columnName: 'Ad name' });
    expect(error.reason).toMatch(/stray quote/);
  });

  it('rejects a ragged row, naming the line', () => {
    const error = importError(
      csv(
        DAILY_HEADER,
        '2026-01-01,2026-01-02,2026-01-01,C,S,A,1,1,1,0,',
        '2026-01-02,2026-01-02,2026-01-02,C,S,Oops, a comma,1,1,1,0,',
      ),
    );
    expect(error).toMatchObject({ line: 3, column: null, columnName: null });
    expect(error.message).toBe(
      'line 3: row has 12 cells but the header has 11 (a ragged row, or an unquoted comma)',
    );
  });

  it('throws for a problem on the very last row, after many good ones', () => {
    const good = Array.from({ length: 500 }, (_, i) => `2026-01-01,2026-01-02,2026-01-01,C,S,A${i},1,1,1,0,`);
    const error = importError(
      csv(DAILY_HEADER, ...good, '2026-01-01,2026-01-02,2026-01-01,C,S,Z,1,1,1,0.5,'),
    );
    expect(error).toMatchObject({ line: 502, column: 10, columnName: 'Purchases' });
  });

  it('reports the real line of a cell after a quoted newline', () => {
    const error = importError(
      csv(DAILY_HEADER, '2026-01-01,2026-01-02,2026-01-01,C,"two\nlines",A,1,abc,1,0,'),
    );
    expect(error).toMatchObject({ line: 3, column: 8, columnName: 'Impressions' });
  });
});
