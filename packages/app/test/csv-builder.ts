/** Builds a small CSV export for tests: quotes every cell, doubles inner quotes, CRLF line ends. */
export function csv(header: string[], rows: (string | number)[][]): string {
  const quote = (cell: string | number) => `"${String(cell).replace(/"/g, '""')}"`;
  return [header, ...rows].map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n';
}

export const DAILY_ADSET_HEADER = [
  'Reporting starts',
  'Reporting ends',
  'Day',
  'Campaign name',
  'Ad set name',
  'Amount spent (EUR)',
  'Impressions',
  'Reach',
  'Link clicks',
  'Adds to cart',
  'Checkouts initiated',
  'Purchases',
  'Purchases conversion value',
];

/** One daily ad set row: spend and revenue as decimal strings so the test controls every digit. */
export function adsetDay(
  day: string,
  campaign: string,
  adset: string,
  spend: string,
  purchases: number,
  revenue: string,
  impressions = 1000,
  clicks = 20,
): (string | number)[] {
  return [
    '2026-03-01',
    '2026-03-31',
    day,
    campaign,
    adset,
    spend,
    impressions,
    impressions / 2,
    clicks,
    3,
    2,
    purchases,
    revenue,
  ];
}
