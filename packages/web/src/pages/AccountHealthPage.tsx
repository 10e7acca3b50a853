import { Link, useParams } from 'react-router';
import type { AccountHealth, AdSetRow } from '../api/types.ts';
import { ActionBadge, Chip, StatusBadge } from '../components/Badges.tsx';
import { audienceLabel } from '../components/RecommendationRow.tsx';
import { EmptyState, ErrorMessage, Loading } from '../components/StateMessage.tsx';
import { useAccountHealthQuery, useAdSetsQuery } from '../hooks/queries/useAccountsQuery.ts';
import {
  campaignName,
  formatDateTime,
  formatDay,
  formatMoney,
  formatMoneyView,
  formatRelative,
  formatRoas,
  titleCase,
} from '../lib/format.ts';
import { ACTIONS, type Action } from '../api/types.ts';

const isAction = (value: string): value is Action => (ACTIONS as readonly string[]).includes(value);

export function AccountHealthPage() {
  const { id } = useParams();
  const health = useAccountHealthQuery(id);
  const adsets = useAdSetsQuery(id);
  const account = adsets.data?.account;

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/accounts" className="hover:underline">
          Accounts
        </Link>
      </nav>
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">
          {health.data?.account.name ?? account?.name ?? id}
        </h1>
        <p className="font-mono text-xs text-slate-500">{id}</p>
      </div>

      <section aria-labelledby="health">
        <h2 id="health" className="mb-2 text-lg font-semibold">
          Health
        </h2>
        {health.isPending ? <Loading what="the account's health" /> : null}
        {health.isError ? (
          <ErrorMessage
            error={health.error}
            what="the account's health"
            onRetry={() => void health.refetch()}
          />
        ) : null}
        {health.data ? <HealthPanel health={health.data} timeZone={account?.timezone} /> : null}
      </section>

      <section aria-labelledby="adsets">
        <h2 id="adsets" className="mb-2 text-lg font-semibold">
          Ad sets
          {adsets.data?.range ? (
            <span className="ml-2 text-sm font-normal text-slate-500">
              {formatDay(adsets.data.range.from)} – {formatDay(adsets.data.range.to)}
            </span>
          ) : null}
        </h2>
        {adsets.isPending ? <Loading what="ad sets" /> : null}
        {adsets.isError ? (
          <ErrorMessage error={adsets.error} what="ad sets" onRetry={() => void adsets.refetch()} />
        ) : null}
        {adsets.data && adsets.data.items.length === 0 ? <EmptyState title="No ad sets synced yet." /> : null}
        {adsets.data && adsets.data.items.length > 0 ? (
          <AdSetTable rows={adsets.data.items} currency={adsets.data.account.currency} />
        ) : null}
      </section>
    </div>
  );
}

const CHECK_LABELS: Record<string, string> = {
  account_status: 'Account status',
  spend_cap: 'Spend cap',
  tracking_flatline: 'Tracking flatline',
  rate_limit: 'Rate-limit usage',
  token: 'Access token',
  sync: 'Sync',
};

function HealthPanel({ health, timeZone }: { health: AccountHealth; timeZone: string | undefined }) {
  const { sync, token, killSwitch, spend, rateLimit, tracking } = health;
  return (
    <div className="space-y-3">
      {health.problems.length > 0 ? (
        <ul
          role="alert"
          className="space-y-1 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
        >
          {health.problems.map((problem) => (
            <li key={problem}>⚠ {problem}</li>
          ))}
        </ul>
      ) : (
        <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          No problem found. Checked {formatDateTime(health.checkedAt, timeZone)}.
        </p>
      )}
      {killSwitch.isOn ? (
        <div
          role="status"
          aria-label="Kill switch"
          className="rounded-lg border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900"
        >
          <p className="font-semibold">Kill switch on: nothing is written to Meta for this account.</p>
          {killSwitch.reason ? <p className="mt-1">Reason: {killSwitch.reason}</p> : null}
          <p className="mt-1 text-xs">
            Only a person clears it: <code>roas accounts kill-switch {health.account.id} --off</code>
          </p>
        </div>
      ) : null}
      <dl className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Tile
          label="Data through"
          value={health.dataThrough ? formatDay(health.dataThrough, true) : 'no data yet'}
        />
        <Tile
          label="Last sync"
          value={formatRelative(sync.lastSyncedAt)}
          hint={
            sync.blockedReason
              ? `Stopped: ${sync.blockedReason}`
              : sync.lastRun
                ? `${titleCase(sync.lastRun.status)}, ${formatDay(sync.lastRun.since)} – ${formatDay(sync.lastRun.until)}${sync.lastRun.error ? `: ${sync.lastRun.error}` : ''}`
                : undefined
          }
          isBad={sync.blockedReason !== null || sync.lastRun?.status === 'failed'}
        />
        <Tile
          label="Access token"
          value={
            token === null
              ? 'none (imported data)'
              : token.expiresAt === null
                ? 'does not expire'
                : `${token.daysLeft ?? '?'} days left`
          }
          hint={token?.warning ?? (token?.scopes.length ? token.scopes.join(', ') : undefined)}
          isBad={token?.warning !== null && token?.warning !== undefined}
        />
        <Tile
          label="Kill switch"
          value={killSwitch.isOn ? 'On: no change is sent' : 'Off'}
          hint={killSwitch.reason ?? undefined}
          isBad={killSwitch.isOn}
        />
        <Tile
          label="Status"
          value={titleCase(health.account.status) || '–'}
          hint={health.account.disableReason ? `Disable reason: ${health.account.disableReason}` : undefined}
          isBad={health.findings.some((f) => f.check === 'account_status')}
        />
        <Tile
          label="Spend cap"
          value={
            spend.spendCap === null || spend.spendCap.minor === '0'
              ? 'No cap'
              : `${formatMoneyView(spend.amountSpent)} of ${formatMoneyView(spend.spendCap)}`
          }
          hint={
            spend.capRemaining
              ? `${formatMoneyView(spend.capRemaining)} left${spend.capDaysLeft !== null ? `, about ${Math.round(spend.capDaysLeft)} day(s) at ${formatMoneyView(spend.dailyPace)} a day` : ''}`
              : undefined
          }
          meter={spend.capUsedPercent}
          isBad={health.findings.some((f) => f.check === 'spend_cap')}
        />
        <Tile
          label="Amount spent"
          value={formatMoneyView(spend.amountSpent)}
          hint={spend.dailyPace ? `${formatMoneyView(spend.dailyPace)} a day (last 7 days)` : undefined}
        />
        <Tile label="Balance (unbilled)" value={formatMoneyView(spend.balance)} />
        <Tile
          label="Purchase tracking"
          value={!tracking.checked ? 'Not checked' : tracking.isFlatline ? 'Flatline' : 'Reporting'}
          hint={
            tracking.isFlatline && tracking.expectedPurchases !== null
              ? `${tracking.note}: ${tracking.expectedPurchases.toFixed(1)} expected`
              : tracking.note
          }
          isBad={tracking.isFlatline}
        />
        <Tile
          label="Rate-limit usage"
          value={rateLimit === null ? 'not read yet' : `${Math.round(rateLimit.maxPercent)}%`}
          hint={
            rateLimit === null
              ? undefined
              : rateLimit.regainAccessMinutes > 0
                ? `Throttled for ${rateLimit.regainAccessMinutes} min · read ${formatRelative(rateLimit.observedAt)}`
                : `Highest quota used · read ${formatRelative(rateLimit.observedAt)}`
          }
          meter={rateLimit?.maxPercent ?? null}
          isBad={rateLimit?.isHigh ?? false}
        />
      </dl>
      {health.findings.length > 0 ? (
        <section aria-labelledby="checks" className="rounded-lg border border-slate-200 bg-white p-3">
          <h3 id="checks" className="mb-2 text-sm font-semibold">
            Checks with a problem
          </h3>
          <ul className="space-y-2 text-sm">
            {health.findings.map((finding) => (
              <li key={finding.check} className="flex flex-wrap items-baseline gap-2">
                <span
                  className={`rounded px-1.5 py-0.5 text-xs font-semibold uppercase ${finding.severity === 'critical' ? 'bg-rose-100 text-rose-800' : 'bg-amber-100 text-amber-800'}`}
                >
                  {finding.severity}
                </span>
                <span className="font-medium">{CHECK_LABELS[finding.check] ?? finding.check}</span>
                <span className="text-slate-700">{finding.message}</span>
                {finding.tripsKillSwitch ? (
                  <span className="text-xs text-rose-700">trips the kill switch</span>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {health.alerts.length > 0 ? (
        <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
          <summary className="cursor-pointer font-semibold">Alerts sent by the hourly check</summary>
          <ul className="mt-2 space-y-1 text-xs text-slate-700">
            {health.alerts.map((alert) => (
              <li key={alert.check}>
                <span className="font-medium">{CHECK_LABELS[alert.check] ?? alert.check}</span> (
                {alert.severity}): since {formatDateTime(alert.firstSeenAt, timeZone)}, alerted{' '}
                {formatDateTime(alert.alertedAt, timeZone)}
                {alert.trippedAt
                  ? `, tripped the kill switch ${formatDateTime(alert.trippedAt, timeZone)}`
                  : ''}
                {alert.resolvedAt ? `, resolved ${formatDateTime(alert.resolvedAt, timeZone)}` : ', open'}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

function Tile({
  label,
  value,
  hint,
  meter,
  isBad,
}: {
  label: string;
  value: string;
  hint?: string | undefined;
  /** A percent (0-100+) drawn as a bar under the value. */
  meter?: number | null;
  isBad?: boolean;
}) {
  return (
    <div className={`rounded-lg border bg-white p-3 ${isBad ? 'border-rose-300' : 'border-slate-200'}`}>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`mt-1 font-semibold ${isBad ? 'text-rose-800' : ''}`}>{value}</dd>
      {meter !== null && meter !== undefined ? (
        <dd>
          <div
            role="meter"
            aria-label={label}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(Math.min(meter, 100))}
            className="mt-1 h-1.5 w-full overflow-hidden rounded bg-slate-100"
          >
            <div
              className={`h-full ${meter >= 90 ? 'bg-rose-500' : meter >= 70 ? 'bg-amber-500' : 'bg-emerald-500'}`}
              style={{ width: `${Math.min(meter, 100)}%` }}
            />
          </div>
        </dd>
      ) : null}
      {hint ? <dd className="text-xs text-slate-500">{hint}</dd> : null}
    </div>
  );
}

function AdSetTable({ rows, currency }: { rows: AdSetRow[]; currency: string }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full min-w-[56rem] text-left text-sm">
        <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
          <tr>
            <th className="px-3 py-2 font-medium">Ad set</th>
            <th className="px-3 py-2 font-medium">Status</th>
            <th className="px-3 py-2 text-right font-medium">Daily budget</th>
            <th className="px-3 py-2 font-medium">Audience · stage</th>
            <th className="px-3 py-2 text-right font-medium">Spend</th>
            <th className="px-3 py-2 text-right font-medium">Revenue</th>
            <th className="px-3 py-2 text-right font-medium">ROAS</th>
            <th className="px-3 py-2 font-medium">Latest</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2">
                <Link to={`/adsets/${encodeURIComponent(row.id)}`} className="font-medium hover:underline">
                  {row.name}
                </Link>
                <div className="text-xs text-slate-500">{campaignName(row.campaign)}</div>
              </td>
              <td className="px-3 py-2">
                {row.status ? <StatusBadge status={row.status.toLowerCase()} /> : '–'}
                {row.learningStage ? (
                  <div className="mt-1 text-xs text-slate-500">Learning: {titleCase(row.learningStage)}</div>
                ) : null}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">
                {formatMoneyView(row.budget.daily)}
                {row.budget.owner === 'campaign' ? (
                  <div className="text-xs text-slate-500">campaign (CBO)</div>
                ) : null}
              </td>
              <td className="px-3 py-2">
                <span className="flex flex-wrap gap-1">
                  {audienceLabel(row.audience) ? <Chip>{audienceLabel(row.audience)}</Chip> : null}
                  {row.stage ? <Chip>{titleCase(row.stage)}</Chip> : null}
                </span>
              </td>
              <td className="px-3 py-2 text-right tabular-nums">
                {formatMoney(row.metrics.spend, currency)}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">
                {formatMoney(row.metrics.revenue, currency)}
              </td>
              <td className="px-3 py-2 text-right font-semibold tabular-nums">
                {formatRoas(row.metrics.roas)}
              </td>
              <td className="px-3 py-2">
                {row.latestRecommendation ? (
                  <span className="flex flex-wrap items-center gap-1">
                    {isAction(row.latestRecommendation.action) ? (
                      <ActionBadge
                        action={row.latestRecommendation.action}
                        scalePercent={row.latestRecommendation.scalePercent}
                      />
                    ) : (
                      row.latestRecommendation.action
                    )}
                    <span className="text-xs text-slate-500">
                      {titleCase(row.latestRecommendation.confidence)} · {row.latestRecommendation.status}
                    </span>
                  </span>
                ) : (
                  <span className="text-xs text-slate-400">none</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
