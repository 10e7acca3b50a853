import { describe, expect, it } from 'vitest';
import { isKnownIgnoredColumn, normalizeHeader, resolveColumns } from './ads-manager-columns.ts';
import { CsvImportError } from './csv-import-error.ts';

describe('normalizeHeader', () => {
  it('ignores case and surrounding or repeated whitespace', () => {
    expect(normalizeHeader('  Amount   Spent (USD) ')).toBe('amount spent (usd)');
  });
});

describe('resolveColumns', () => {
  it('maps every canonical spelling to its field', () => {
    const header = [
      'Reporting starts',
      'Reporting ends',
      'Day',
      'Account ID',
      'Account name',
      'Campaign name',
      'Campaign ID',
      'Ad set name',
      'Ad set ID',
      'Ad name',
      'Ad ID',
      'Ad delivery',
      'Attribution setting',
      'Currency',
      'Amount spent (EUR)',
      'Impressions',
      'Reach',
      'Link clicks',
      'Adds to cart',
      'Checkouts initiated',
      'Purchases',
      'Purchases conversion value',
    ];
    const layout = resolveColumns(header);
    expect(layout.index).toEqual({
      reportingStarts: 0,
      reportingEnds: 1,
      day: 2,
      accountId: 3,
      accountName: 4,
      campaignName: 5,
      campaignId: 6,
      adsetName: 7,
      adsetId: 8,
      adName: 9,
      adId: 10,
      delivery: 11,
      attributionSetting: 12,
      currency: 13,
      spend: 14,
      impressions: 15,
      reach: 16,
      linkClicks: 17,
      addsToCart: 18,
      checkoutsInitiated: 19,
      purchases: 20,
      revenue: 21,
    });
    expect(layout.headerCurrency).toBe('EUR');
    expect(layout.unknownColumns).toEqual([]);
    expect(layout.warnings).toEqual([]);
  });

  it('matches headers case-insensitively and trims them', () => {
    const layout = resolveColumns(['  CAMPAIGN NAME ', 'amount spent (usd)', ' day']);
    expect(layout.index.campaignName).toBe(0);
    expect(layout.index.spend).toBe(1);
    expect(layout.index.day).toBe(2);
    expect(layout.headerCurrency).toBe('USD');
    expect(layout.header).toEqual(['CAMPAIGN NAME', 'amount spent (usd)', 'day']);
  });

  it('accepts a spend column without a currency suffix', () => {
    const layout = resolveColumns(['Amount spent']);
    expect(layout.index.spend).toBe(0);
    expect(layout.headerCurrency).toBeNull();
  });

  it.each([
    ['Purchases', 'purchases'],
    ['Website purchases', 'purchases'],
    ['Purchases conversion value', 'revenue'],
    ['Purchase conversion value', 'revenue'],
    ['Website purchases conversion value', 'revenue'],
    ['Adds to cart', 'addsToCart'],
    ['Website adds to cart', 'addsToCart'],
    ['Checkouts initiated', 'checkoutsInitiated'],
    ['Website checkouts initiated', 'checkoutsInitiated'],
    ['Campaign delivery', 'delivery'],
    ['Ad set delivery', 'delivery'],
    ['Delivery status', 'delivery'],
  ] as const)('reads %j as %s', (name, field) => {
    expect(resolveColumns([name]).index[field]).toBe(0);
  });

  it.each([
    [['Website purchases', 'Purchases'], 'purchases', 1, 'Website purchases'],
    [['Website purchases conversion value', 'Purchase conversion value'], 'revenue', 1, 'Website purchases'],
    [['Purchase conversion value', 'Purchases conversion value'], 'revenue', 1, 'Purchase conversion value'],
    [['Website adds to cart', 'Adds to cart'], 'addsToCart', 1, 'Website adds to cart'],
    [['Website checkouts initiated', 'Checkouts initiated'], 'checkoutsInitiated', 1, 'Website checkouts'],
    [['Campaign delivery', 'Ad delivery'], 'delivery', 1, 'Campaign delivery'],
  ] as const)(
    'prefers the overall column of %j and never sums overlaps',
    (header, field, chosen, ignored) => {
      const layout = resolveColumns(header);
      expect(layout.index[field]).toBe(chosen);
      expect(layout.warnings).toHaveLength(1);
      expect(layout.warnings[0]).toContain(ignored);
      expect(layout.warnings[0]).toMatch(/never summed/);
    },
  );

  it('uses the first of two identical columns and says so', () => {
    const layout = resolveColumns(['Impressions', 'Reach', 'impressions']);
    expect(layout.index.impressions).toBe(0);
    expect(layout.warnings).toEqual([
      'Column "impressions" appears more than once; using the first (column 1)',
    ]);
  });

  it('reads a currency suffix on the purchase value column and checks it agrees', () => {
    expect(resolveColumns(['Amount spent (AUD)', 'Purchases conversion value (AUD)']).headerCurrency).toBe(
      'AUD',
    );
    expect(() => resolveColumns(['Amount spent (AUD)', 'Purchases conversion value (USD)'])).toThrow(
      CsvImportError,
    );
  });

  it('rejects two spend columns in different currencies, naming the header cell', () => {
    let caught: unknown;
    try {
      resolveColumns(['Campaign name', 'Amount spent (USD)', 'Amount spent (EUR)'], 'x.csv');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CsvImportError);
    expect(caught).toMatchObject({ line: 1, column: 3, columnName: 'Amount spent (EUR)' });
    expect((caught as Error).message).toBe(
      'x.csv: line 1, column 3 ("Amount spent (EUR)"): currency EUR disagrees with USD in "Amount spent (USD)"',
    );
  });

  it('lists unrecognised columns in file order and ignores blank header cells', () => {
    const layout = resolveColumns(['Campaign name', 'Leads', '', 'My notes', 'Montant dépensé (EUR)']);
    expect(layout.unknownColumns).toEqual(['Leads', 'My notes', 'Montant dépensé (EUR)']);
  });

  it.each([
    'Results',
    'Result indicator',
    'Result type',
    'Cost per results',
    'Cost per result',
    'Cost per purchase (USD)',
    'CPM (cost per 1,000 impressions) (USD)',
    'CPC (cost per link click) (USD)',
    'CPC (all) (USD)',
    'CTR (link click-through rate)',
    'CTR (all)',
    'Clicks (all)',
    'Outbound clicks',
    'Outbound CTR (click-through rate)',
    'Landing page views',
    'Website landing page views',
    'Frequency',
    'Purchase ROAS (return on ad spend)',
    'Website purchase ROAS (return on advertising spend)',
    'In-app purchase ROAS (return on ad spend)',
    'Quality ranking',
    'Engagement rate ranking',
    'Conversion rate ranking',
    'Ad set budget',
    'Ad set budget type',
    'Using campaign budget',
    'Starts',
    'Ends',
    'Bid',
    'Bid type',
    'Last significant edit',
    'Delivery level',
    'ThruPlays',
    'Cost per ThruPlay (USD)',
    'Video plays at 25%',
    'Video plays at 100%',
    '3-second video plays',
    'Video average play time',
    'Mobile app purchases',
    'In-app purchases conversion value',
  ])('knows %j and ignores it without listing it as unknown', (name) => {
    expect(isKnownIgnoredColumn(name)).toBe(true);
    expect(resolveColumns([name]).unknownColumns).toEqual([]);
  });

  it.each(['Leads', 'Post engagement', 'Custom note', 'Montant dépensé (USD)'])(
    'does not mistake %j for a known column',
    (name) => {
      expect(isKnownIgnoredColumn(name)).toBe(false);
    },
  );
});
