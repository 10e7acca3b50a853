import { addDays, emptyTotals, formatMicros, seededRandom } from '@roas/core';
import type { IsoDate, MetricTotals } from '@roas/core';
import type { ExportLevel } from './ads-manager-parser.ts';

export type SampleExportOptions = {
  /** Data rows to write, not counting the header and the account total row. */
  rows: number;
  seed: number;
  level?: ExportLevel;
  currency?: string;
  startDate?: IsoDate;
  withBom?: boolean;
  crlf?: boolean;
  withIds?: boolean;
};

/** A generated export and the exact figures it was built from, for checking an import against. */
export type SampleExport = {
  csv: string;
  totals: MetricTotals;
  dataRows: number;
  entities: number;
  dateStart: IsoDate;
  dateStop: IsoDate;
};

type Entity = {
  campaign: { id: string; name: string };
  adset: { id: string; name: string } | null;
  ad: { id: string; name: string } | null;
  dailySpendCents: number;
  ctr: number;
  cvr: number;
  aovCents: number;
  delivery: string;
};

// Mixed scripts, emoji, commas and quotes so that every export exercises the CSV quoting paths.
const CAMPAIGN_THEMES = [
  'Spring Sale',
  '春季セール 🌸',
  'Retargeting, 30 days',
  'The "Big" Weekend',
  'Распродажа — Москва',
  'تخفيضات الصيف',
  'Evergreen Prospecting',
  'Black Friday 🔥',
  'Nouvelle collection été',
  'Back to School',
];
const OBJECTIVES = ['Sales', 'Conversions', 'Catalogue', 'Advantage+ Shopping'];
const AUDIENCES = [
  'Broad, 25-54',
  'Lookalike 1% — Purchasers',
  'Interests: "Yoga" & Pilates',
  'Женщины 25-44',
  'Website visitors 30d',
  '高意向ユーザー',
  'Advantage+ audience',
  'Cart abandoners, 7d',
];
const CREATIVES = [
  'Video — UGC 🎥',
  'Carousel "Bestsellers"',
  'Static, red background',
  'صورة المنتج',
  'Reel — founder story',
  'Collection ✨ new in',
  'Testimonial — "Changed my mornings"',
  'Видео — распаковка',
];
const ATTRIBUTION = '7-day click, 1-day view, or 1-day engaged-view';
const DELIVERY = ['active', 'active', 'active', 'inactive', 'not_delivering', 'recently_completed'];

function createSampler(seed: number) {
  // Deterministic (mulberry32), so a seed always yields the same export.
  const random = seededRandom(seed);
  const normal = (): number => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  return {
    random,
    int: (min: number, max: number): number => min + Math.floor(random() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T,
    // Multiplicative noise centred on 1: ad metrics are skewed, never negative.
    noise: (sigma: number): number => Math.exp(sigma * normal() - (sigma * sigma) / 2),
    poisson: (lambda: number): number => {
      if (lambda <= 0) return 0;
      if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
      const limit = Math.exp(-lambda);
      let k = 0;
      for (let p = random(); p > limit; p *= random()) k++;
      return k;
    },
  };
}
type Sampler = ReturnType<typeof createSampler>;

/** Generates a realistic daily Ads Manager export, plus the totals it contains. */
export function generateAdsManagerSample(options: SampleExportOptions): SampleExport {
  const level = options.level ?? 'ad';
  const currency = options.currency ?? 'USD';
  const startDate = options.startDate ?? '2026-01-01';
  const withIds = options.withIds ?? false;
  const sampler = createSampler(options.seed);
  // About 60 days of history, with more objects for bigger files, as accounts grow.
  const entities = buildEntities(sampler, level, Math.min(5000, Math.max(3, Math.ceil(options.rows / 60))));
  const days = Math.max(1, Math.ceil(options.rows / entities.length));
  const dateStop = addDays(startDate, days - 1);

  const columns = headerFor(level, withIds, currency);
  const totals = emptyTotals();
  const body: string[] = [];
  let written = 0;
  for (let day = 0; day < days && written < options.rows; day++) {
    const date = addDays(startDate, day);
    for (const entity of entities) {
      if (written === options.rows) break;
      const cells = dailyRow(sampler, entity, date, startDate, dateStop, level, withIds, totals);
      body.push(cells.map(quote).join(','));
      written++;
    }
  }

  const totalRow = accountTotalRow(totals, level, withIds, startDate, dateStop);
  const newline = options.crlf === true ? '\r\n' : '\n';
  const csv =
    (options.withBom === true ? '\uFEFF' : '') +
    [columns.map(quote).join(','), totalRow.map(quote).join(','), ...body].join(newline) +
    newline;
  return { csv, totals, dataRows: written, entities: entities.length, dateStart: startDate, dateStop };
}

/** The CSV text of `generateAdsManagerSample`, for benchmarks and the bundled demo file. */
export function generateAdsManagerCsv(options: SampleExportOptions): string {
  return generateAdsManagerSample(options).csv;
}

function buildEntities(sampler: Sampler, level: ExportLevel, target: number): Entity[] {
  const entities: Entity[] = [];
  let nextId = 0;
  const id = (): string => `1202${(84_000_000_000_000 + ++nextId * 7919).toString()}`;
  for (let c = 0; entities.length < target; c++) {
    const theme = CAMPAIGN_THEMES[c % CAMPAIGN_THEMES.length] ?? 'Campaign';
    const round = Math.floor(c / CAMPAIGN_THEMES.length);
    const campaign = {
      id: id(),
      name: `${theme} — ${sampler.pick(OBJECTIVES)}${round > 0 ? ` #${round + 1}` : ''}`,
    };
    const campaignCtr = sampler.noise(0.3);
    const adsets = level === 'campaign' ? 1 : sampler.int(2, 4);
    for (let s = 0; s < adsets && entities.length < target; s++) {
      const adset =
        level === 'campaign'
          ? null
          : { id: id(), name: `${AUDIENCES[(c + s) % AUDIENCES.length] ?? 'Audience'} · ${s + 1}` };
      const ads = level === 'ad' ? sampler.int(2, 4) : 1;
      for (let a = 0; a < ads && entities.length < target; a++) {
        const ad =
          level === 'ad'
            ? { id: id(), name: `${CREATIVES[(c * 3 + s + a) % CREATIVES.length] ?? 'Creative'} v${a + 1}` }
            : null;
        entities.push({
          campaign,
          adset,
          ad,
          dailySpendCents: Math.round(4000 * sampler.noise(0.7)),
          ctr: 0.01 * campaignCtr * sampler.noise(0.3),
          cvr: 0.02 * sampler.noise(0.4),
          aovCents: Math.round(6000 * sampler.noise(0.2)),
          delivery: sampler.pick(DELIVERY),
        });
      }
    }
  }
  return entities;
}

function headerFor(level: ExportLevel, withIds: boolean, currency: string): string[] {
  const names = ['Campaign name', ...(withIds ? ['Campaign ID'] : [])];
  if (level !== 'campaign') names.push('Ad set name', ...(withIds ? ['Ad set ID'] : []));
  if (level === 'ad') names.push('Ad name', ...(withIds ? ['Ad ID'] : []));
  const delivery = { campaign: 'Campaign delivery', adset: 'Ad set delivery', ad: 'Ad delivery' }[level];
  return [
    'Reporting starts',
    'Reporting ends',
    'Day',
    ...names,
    delivery,
    'Attribution setting',
    'Results',
    'Result indicator',
    'Cost per results',
    `Amount spent (${currency})`,
    'Impressions',
    'Reach',
    'Frequency',
    `CPM (cost per 1,000 impressions) (${currency})`,
    'Link clicks',
    `CPC (cost per link click) (${currency})`,
    'CTR (link click-through rate)',
    'Adds to cart',
    'Checkouts initiated',
    'Purchases',
    'Purchases conversion value',
    `Cost per purchase (${currency})`,
    'Purchase ROAS (return on ad spend)',
  ];
}

function dailyRow(
  sampler: Sampler,
  entity: Entity,
  date: IsoDate,
  reportStart: IsoDate,
  reportStop: IsoDate,
  level: ExportLevel,
  withIds: boolean,
  totals: MetricTotals,
): string[] {
  // A few paused days: no delivery, and Meta leaves those cells blank.
  const isPaused = sampler.random() < 0.02;
  const spendCents = isPaused ? 0 : Math.round(entity.dailySpendCents * sampler.noise(0.35));
  const impressions = Math.round((spendCents / 100 / (10 * sampler.noise(0.25))) * 1000);
  const reach = Math.round(impressions / (1 + sampler.random() * 0.5));
  const linkClicks = Math.min(impressions, sampler.poisson(impressions * entity.ctr));
  const purchases = sampler.poisson(linkClicks * entity.cvr);
  const checkouts = purchases + sampler.poisson(linkClicks * 0.012);
  const addsToCart = checkouts + sampler.poisson(linkClicks * 0.03);
  let revenueCents = 0;
  for (let p = 0; p < purchases; p++) revenueCents += Math.round(entity.aovCents * sampler.noise(0.3));

  const spend = BigInt(spendCents) * 10_000n;
  const revenue = BigInt(revenueCents) * 10_000n;
  totals.spend += spend;
  totals.revenue += revenue;
  totals.impressions += impressions;
  totals.reach += reach;
  totals.linkClicks += linkClicks;
  totals.purchases += purchases;
  totals.checkoutsInitiated += checkouts;
  totals.addsToCart += addsToCart;

  const names = [entity.campaign.name, ...(withIds ? [entity.campaign.id] : [])];
  if (level !== 'campaign' && entity.adset)
    names.push(entity.adset.name, ...(withIds ? [entity.adset.id] : []));
  if (level === 'ad' && entity.ad) names.push(entity.ad.name, ...(withIds ? [entity.ad.id] : []));
  const blankIfZero = (value: number): string => (value === 0 ? '' : String(value));
  return [
    reportStart,
    reportStop,
    date,
    ...names,
    entity.delivery,
    ATTRIBUTION,
    blankIfZero(purchases),
    purchases > 0 ? 'actions:offsite_conversion.fb_pixel_purchase' : '',
    ratio(spendCents / 100, purchases),
    isPaused ? '' : formatMicros(spend),
    blankIfZero(impressions),
    blankIfZero(reach),
    ratio(impressions, reach),
    ratio(spendCents * 10, impressions),
    blankIfZero(linkClicks),
    ratio(spendCents / 100, linkClicks),
    ratio(linkClicks * 100, impressions),
    blankIfZero(addsToCart),
    blankIfZero(checkouts),
    blankIfZero(purchases),
    purchases > 0 ? formatMicros(revenue) : '',
    ratio(spendCents / 100, purchases),
    ratio(revenueCents, spendCents),
  ];
}

function accountTotalRow(
  totals: MetricTotals,
  level: ExportLevel,
  withIds: boolean,
  reportStart: IsoDate,
  reportStop: IsoDate,
): string[] {
  const nameCells = (level === 'ad' ? 3 : level === 'adset' ? 2 : 1) * (withIds ? 2 : 1);
  const spend = Number(formatMicros(totals.spend));
  const revenue = Number(formatMicros(totals.revenue));
  return [
    reportStart,
    reportStop,
    '',
    ...Array.from({ length: nameCells }, () => ''),
    '',
    '',
    '',
    '',
    '',
    formatMicros(totals.spend),
    String(totals.impressions),
    String(totals.reach),
    ratio(totals.impressions, totals.reach),
    ratio(spend * 1000, totals.impressions),
    String(totals.linkClicks),
    ratio(spend, totals.linkClicks),
    ratio(totals.linkClicks * 100, totals.impressions),
    String(totals.addsToCart),
    String(totals.checkoutsInitiated),
    String(totals.purchases),
    formatMicros(totals.revenue),
    ratio(spend, totals.purchases),
    ratio(revenue, spend),
  ];
}

/** Meta writes derived ratios with up to six decimals and leaves them blank when undefined. */
function ratio(numerator: number, denominator: number): string {
  return denominator === 0 ? '' : String(Number((numerator / denominator).toFixed(6)));
}

/** Quotes like Ads Manager: plain tokens bare, anything with spaces or punctuation in double quotes. */
function quote(cell: string): string {
  return /^[\w.:+-]*$/.test(cell) ? cell : `"${cell.replaceAll('"', '""')}"`;
}
