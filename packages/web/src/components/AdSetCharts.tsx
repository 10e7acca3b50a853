import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ActionRecord, DailyPoint, Recommendation } from '../api/types.ts';
import {
  dayInZone,
  formatDay,
  formatMoney,
  formatNumber,
  formatRate,
  formatRoas,
  formatShortDay,
} from '../lib/format.ts';

type MetricKey = 'roas' | 'spend' | 'cpa' | 'ctr' | 'frequency';

type ChartRow = { date: string; immature: boolean; roas7d: number | null } & Partial<
  Record<`${MetricKey}${'' | 'Immature'}`, number | null>
>;

const ROLLING_DAYS = 7;

const ACTION_COLOR: Record<string, string> = {
  SCALE: '#059669',
  PAUSE: '#e11d48',
  RETEST: '#d97706',
  PROMOTE: '#7c3aed',
  HOLD: '#94a3b8',
};

const ACTION_MARK: Record<string, string> = { SCALE: 'S', PAUSE: 'P', RETEST: 'R', PROMOTE: '↑', HOLD: 'H' };

type Marker = { date: string; label: string; color: string; kind: 'recommendation' | 'action' };

/** Revenue over spend of the 7 days ending on this one: the trend under the daily noise. */
function rollingRoas(daily: readonly DailyPoint[], index: number): number | null {
  if (index < ROLLING_DAYS - 1) return null;
  let spend = 0;
  let revenue = 0;
  for (const day of daily.slice(index - ROLLING_DAYS + 1, index + 1)) {
    spend += day.spend;
    revenue += day.revenue;
  }
  return spend > 0 ? revenue / spend : null;
}

/** Daily rows as chart rows: settled values in `<metric>`, lag-affected ones in `<metric>Immature`. */
export function toChartRows(daily: readonly DailyPoint[]): ChartRow[] {
  const rows: ChartRow[] = daily.map((day, index) => ({
    date: day.date,
    immature: day.immature,
    roas7d: rollingRoas(daily, index),
    roas: day.roas,
    spend: day.spend,
    cpa: day.cpa,
    ctr: day.ctr,
    frequency: day.frequency,
  }));
  const metrics: MetricKey[] = ['roas', 'spend', 'cpa', 'ctr', 'frequency'];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!row?.immature) continue;
    for (const metric of metrics) {
      row[`${metric}Immature`] = row[metric] ?? null;
      row[metric] = null;
    }
    // The dashed line starts from the last settled day so the two lines join.
    const previous = rows[i - 1];
    if (previous && !previous.immature) {
      for (const metric of metrics) previous[`${metric}Immature`] = previous[metric] ?? null;
    }
  }
  return rows;
}

export function chartMarkers(
  recommendations: readonly Recommendation[],
  actions: readonly ActionRecord[],
  timeZone: string | undefined,
): Marker[] {
  const byDay = new Map<string, Marker>();
  // One recommendation marker a day (the newest), so daily runs do not paint a fence.
  for (const rec of [...recommendations].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    const date = dayInZone(rec.createdAt, timeZone);
    byDay.set(`r:${date}`, {
      date,
      label: ACTION_MARK[rec.action] ?? rec.action.charAt(0),
      color: ACTION_COLOR[rec.action] ?? '#64748b',
      kind: 'recommendation',
    });
  }
  for (const action of actions) {
    const date = dayInZone(action.appliedAt ?? action.createdAt, timeZone);
    byDay.set(`a:${date}`, { date, label: '◆', color: '#0f172a', kind: 'action' });
  }
  return [...byDay.values()];
}

type ChartSpec = {
  key: MetricKey;
  title: string;
  kind: 'line' | 'bar';
  color: string;
  format: (value: number) => string;
};

export function AdSetCharts({
  daily,
  recommendations,
  actions,
  currency,
  timeZone,
}: {
  daily: readonly DailyPoint[];
  recommendations: readonly Recommendation[];
  actions: readonly ActionRecord[];
  currency: string;
  timeZone: string | undefined;
}) {
  const rows = toChartRows(daily);
  const firstDay = rows[0]?.date ?? '';
  const lastDay = rows.at(-1)?.date ?? '';
  // A decision made today rests on data through yesterday: it sits at the right edge of the chart.
  const markers = chartMarkers(recommendations, actions, timeZone)
    .filter((m) => m.date >= firstDay)
    .map((m) => (m.date > lastDay ? { ...m, date: lastDay } : m))
    .filter((m, i, all) => all.findIndex((o) => o.kind === m.kind && o.date === m.date) === i);
  const money = (value: number) => formatMoney(value, currency);
  const specs: ChartSpec[] = [
    { key: 'roas', title: 'ROAS', kind: 'line', color: '#0f766e', format: formatRoas },
    { key: 'spend', title: 'Spend', kind: 'bar', color: '#0369a1', format: money },
    { key: 'cpa', title: 'Cost per purchase (CPA)', kind: 'line', color: '#b45309', format: money },
    {
      key: 'ctr',
      title: 'Click-through rate (CTR)',
      kind: 'line',
      color: '#6d28d9',
      format: (v) => formatRate(v, 2),
    },
    {
      key: 'frequency',
      title: 'Frequency',
      kind: 'line',
      color: '#be123c',
      format: (v) => formatNumber(v, 2),
    },
  ];
  const hasImmature = rows.some((row) => row.immature);

  return (
    <div className="space-y-3" data-testid="adset-charts">
      <ChartLegend hasImmature={hasImmature} hasActions={markers.some((m) => m.kind === 'action')} />
      <div className="grid gap-3 lg:grid-cols-2">
        {specs.map((spec, index) => (
          <figure
            key={spec.key}
            className={`rounded-lg border border-slate-200 bg-white p-3 ${index === 0 ? 'lg:col-span-2' : ''}`}
            data-testid={`chart-${spec.key}`}
          >
            <figcaption className="mb-1 text-sm font-semibold text-slate-800">{spec.title}</figcaption>
            <div className={index === 0 ? 'h-64' : 'h-48'}>
              <MetricChart spec={spec} rows={rows} markers={markers} showLabels={index === 0} />
            </div>
          </figure>
        ))}
      </div>
    </div>
  );
}

function MetricChart({
  spec,
  rows,
  markers,
  showLabels,
}: {
  spec: ChartSpec;
  rows: ChartRow[];
  markers: Marker[];
  showLabels: boolean;
}) {
  const common = {
    data: rows,
    margin: { top: showLabels ? 18 : 6, right: 8, bottom: 0, left: 0 },
  };
  const axes = (
    <>
      <CartesianGrid stroke="#f1f5f9" vertical={false} />
      <XAxis
        dataKey="date"
        tickFormatter={formatShortDay}
        tick={{ fontSize: 11, fill: '#64748b' }}
        minTickGap={24}
        tickLine={false}
        axisLine={{ stroke: '#cbd5e1' }}
      />
      <YAxis
        width={64}
        tick={{ fontSize: 11, fill: '#64748b' }}
        tickFormatter={(v: number) => spec.format(v)}
        tickLine={false}
        axisLine={false}
      />
      <Tooltip content={<ChartTooltip spec={spec} />} />
      {markers.map((marker) => (
        <ReferenceLine
          key={`${marker.kind}-${marker.date}`}
          x={marker.date}
          stroke={marker.color}
          strokeDasharray={marker.kind === 'action' ? undefined : '2 3'}
          strokeWidth={marker.kind === 'action' ? 1.5 : 1}
          label={
            showLabels
              ? { value: marker.label, position: 'top', fill: marker.color, fontSize: 11, fontWeight: 700 }
              : undefined
          }
        />
      ))}
    </>
  );
  if (spec.kind === 'bar') {
    return (
      <ResponsiveContainer width="100%" height="100%">
        <BarChart {...common}>
          {axes}
          <Bar
            dataKey={(row: ChartRow) => row[spec.key] ?? row[`${spec.key}Immature`] ?? null}
            name={spec.title}
            isAnimationActive={false}
          >
            {rows.map((row) => (
              <Cell
                key={row.date}
                fill={spec.color}
                fillOpacity={row.immature ? 0.35 : 0.85}
                stroke={row.immature ? spec.color : undefined}
                strokeDasharray={row.immature ? '3 2' : undefined}
              />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    );
  }
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart {...common}>
        {axes}
        {spec.key === 'roas' ? (
          <Line
            type="monotone"
            dataKey="roas7d"
            name="7-day ROAS"
            stroke="#0f172a"
            strokeOpacity={0.45}
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
          />
        ) : null}
        <Line
          type="monotone"
          dataKey={spec.key}
          name={spec.title}
          stroke={spec.color}
          strokeWidth={2}
          dot={spec.key === 'cpa' ? { r: 1.5, fill: spec.color } : false}
          connectNulls={false}
          isAnimationActive={false}
        />
        <Line
          type="monotone"
          dataKey={`${spec.key}Immature`}
          name={`${spec.title} (still collecting)`}
          stroke={spec.color}
          strokeOpacity={0.55}
          strokeWidth={2}
          strokeDasharray="5 4"
          dot={false}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}

function ChartTooltip({
  spec,
  active,
  payload,
  label,
}: {
  spec: ChartSpec;
  active?: boolean;
  payload?: readonly { payload?: ChartRow }[];
  label?: string | number;
}) {
  const row = payload?.[0]?.payload;
  if (!active || !row) return null;
  const value = row[spec.key] ?? row[`${spec.key}Immature`];
  return (
    <div className="rounded-md border border-slate-200 bg-white px-2.5 py-1.5 text-xs shadow-md">
      <div className="font-medium">{formatDay(String(label ?? row.date), true)}</div>
      <div className="tabular-nums">
        {spec.title}:{' '}
        {value === null || value === undefined
          ? spec.key === 'cpa'
            ? 'no purchase'
            : 'no data'
          : spec.format(value)}
      </div>
      {spec.key === 'roas' && row.roas7d !== null ? (
        <div className="text-slate-500 tabular-nums">7-day ROAS: {spec.format(row.roas7d)}</div>
      ) : null}
      {row.immature ? (
        <div className="mt-0.5 text-amber-700">Still collecting late conversions: likely to rise.</div>
      ) : null}
    </div>
  );
}

function ChartLegend({ hasImmature, hasActions }: { hasImmature: boolean; hasActions: boolean }) {
  return (
    <ul
      aria-label="Chart legend"
      className="flex flex-wrap gap-x-5 gap-y-1 rounded-md bg-white px-3 py-2 text-xs text-slate-600 ring-1 ring-slate-200"
    >
      <li className="flex items-center gap-1.5">
        <svg width="28" height="8" aria-hidden>
          <line x1="0" y1="4" x2="28" y2="4" stroke="#334155" strokeWidth="2" />
        </svg>
        Settled days
      </li>
      <li className="flex items-center gap-1.5">
        <svg width="28" height="8" aria-hidden>
          <line x1="0" y1="4" x2="28" y2="4" stroke="#0f172a" strokeOpacity="0.45" strokeWidth="1.5" />
        </svg>
        7-day ROAS
      </li>
      <li className="flex items-center gap-1.5">
        <svg width="28" height="8" aria-hidden>
          <line
            x1="0"
            y1="4"
            x2="28"
            y2="4"
            stroke="#334155"
            strokeOpacity="0.55"
            strokeWidth="2"
            strokeDasharray="5 4"
          />
        </svg>
        Recent days, still collecting late conversions{hasImmature ? '' : ' (none in range)'}
      </li>
      <li className="flex items-center gap-1.5">
        <svg width="10" height="14" aria-hidden>
          <line x1="5" y1="0" x2="5" y2="14" stroke="#059669" strokeDasharray="2 3" />
        </svg>
        Recommendation (S scale, P pause, R retest, ↑ promote, H hold)
      </li>
      <li className="flex items-center gap-1.5">
        <svg width="10" height="14" aria-hidden>
          <line x1="5" y1="0" x2="5" y2="14" stroke="#0f172a" strokeWidth="1.5" />
        </svg>
        Budget or status change applied{hasActions ? '' : ' (none in range)'}
      </li>
    </ul>
  );
}
