import { Suspense, lazy, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { ActionRecord, Recommendation } from '../api/types.ts';
import { ActionBadge, Chip, ConfidenceBadge, StatusBadge } from '../components/Badges.tsx';
import { EvidencePanel } from '../components/EvidencePanel.tsx';
import { audienceLabel, budgetChange } from '../components/RecommendationRow.tsx';
import { EmptyState, ErrorMessage, Loading } from '../components/StateMessage.tsx';
import { useAdSetQuery } from '../hooks/queries/useAdSetQuery.ts';
import {
  campaignName,
  formatDateTime,
  formatDay,
  formatMoney,
  formatMoneyView,
  formatNumber,
  formatRoas,
  titleCase,
} from '../lib/format.ts';

const AdSetCharts = lazy(() =>
  import('../components/AdSetCharts.tsx').then((m) => ({ default: m.AdSetCharts })),
);

const RANGES = [14, 30, 60, 90] as const;

export function AdSetPage() {
  const { id } = useParams();
  const [params, setParams] = useSearchParams();
  const days = Number(params.get('days')) || 60;
  const query = useAdSetQuery(id, days);

  if (query.isPending) return <Loading what="the ad set" />;
  if (query.isError) {
    return <ErrorMessage error={query.error} what="the ad set" onRetry={() => void query.refetch()} />;
  }
  const { entity, daily, recommendations, actions, totals, range, lagCurve } = query.data;
  const { account } = entity;
  const currency = account.currency;
  const campaign = campaignName(entity.campaign);
  const history = [...recommendations].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const [latest] = history;
  const immatureDays = daily.filter((day) => day.immature).length;

  return (
    <div className="space-y-5">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link to="/" className="hover:underline">
          Recommendations
        </Link>
        {' / '}
        <Link to={`/accounts/${encodeURIComponent(account.id)}`} className="hover:underline">
          {account.name}
        </Link>
        {campaign ? ` / ${campaign}` : ''}
      </nav>

      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="text-xs font-medium text-slate-500 uppercase">
            {entity.level === 'ad' ? 'Ad' : 'Ad set'}
          </p>
          <h1 className="text-2xl font-semibold tracking-tight break-words">{entity.name}</h1>
          <div className="mt-1 flex flex-wrap gap-1.5">
            {entity.status ? <StatusBadge status={entity.status.toLowerCase()} /> : null}
            {entity.stage ? <Chip title="Stage">{titleCase(entity.stage)}</Chip> : null}
            {audienceLabel(entity.audience) ? (
              <Chip title="Audience type">{audienceLabel(entity.audience)}</Chip>
            ) : null}
            {entity.learningStage ? (
              <Chip title="Meta's learning stage">Learning: {titleCase(entity.learningStage)}</Chip>
            ) : null}
          </div>
        </div>
        <div
          className="flex rounded-md border border-slate-300 bg-white p-0.5"
          role="group"
          aria-label="Date range"
        >
          {RANGES.map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={days === option}
              onClick={() => setParams(option === 60 ? {} : { days: String(option) })}
              className={`rounded px-2.5 py-1 text-sm font-medium ${days === option ? 'bg-slate-900 text-white' : 'text-slate-600 hover:bg-slate-100'}`}
            >
              {option}d
            </button>
          ))}
        </div>
      </header>

      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Kpi
          label="Daily budget"
          value={formatMoneyView(entity.budget.daily)}
          hint={
            entity.budget.owner === 'campaign'
              ? 'set on the campaign (CBO)'
              : entity.budget.owner === null
                ? 'unknown (imported data)'
                : undefined
          }
        />
        <Kpi label={`Spend, ${range?.days ?? days} days`} value={formatMoney(totals.spend, currency)} />
        <Kpi label="Revenue" value={formatMoney(totals.revenue, currency)} />
        <Kpi
          label="ROAS"
          value={formatRoas(totals.roas)}
          hint={`${formatNumber(totals.purchases)} purchases`}
        />
        <div className="col-span-2 rounded-lg border border-slate-200 bg-white p-3">
          <dt className="text-xs text-slate-500">Latest recommendation</dt>
          <dd className="mt-1 flex flex-wrap items-center gap-2">
            {latest ? (
              <>
                <ActionBadge action={latest.action} scalePercent={latest.scalePercent} />
                <ConfidenceBadge confidence={latest.confidence} />
                <StatusBadge status={latest.status} />
              </>
            ) : (
              <span className="text-sm text-slate-500">None yet</span>
            )}
          </dd>
        </div>
      </dl>

      {daily.length === 0 ? (
        <EmptyState title="No daily data in this range.">
          <p>Sync the account, or choose a longer range.</p>
        </EmptyState>
      ) : (
        <section aria-label="Charts" className="space-y-2">
          <p className="text-xs text-slate-500">
            {range ? `${formatDay(range.from, true)} to ${formatDay(range.to, true)}, ` : ''}
            days in {account.timezone}.{' '}
            {immatureDays > 0
              ? `The last ${immatureDays} day${immatureDays === 1 ? ' is' : 's are'} still collecting late conversions (${lagCurve.source === 'learned' ? 'lag curve learned from this account' : 'default lag curve'}): their ROAS will likely rise.`
              : 'Every day shown has settled.'}
          </p>
          <Suspense fallback={<Loading what="the charts" />}>
            <AdSetCharts
              daily={daily}
              recommendations={recommendations}
              actions={actions}
              currency={currency}
              timeZone={account.timezone}
            />
          </Suspense>
        </section>
      )}

      <section aria-labelledby="rec-history">
        <h2 id="rec-history" className="mb-2 text-lg font-semibold">
          Recommendation history
        </h2>
        {history.length === 0 ? (
          <EmptyState title="The engine has not judged this ad set yet." />
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
            {history.map((rec) => (
              <HistoryRow key={rec.id} rec={rec} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="action-history">
        <h2 id="action-history" className="mb-2 text-lg font-semibold">
          Changes sent to Meta
        </h2>
        {actions.length === 0 ? (
          <p className="text-sm text-slate-500">
            No budget or status change has been sent for this ad set yet.
          </p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
            {actions.map((action) => (
              <ActionRow key={action.id} action={action} timeZone={account.timezone} />
            ))}
          </ul>
        )}
      </section>

      {entity.ads.length > 0 ? (
        <section aria-labelledby="ads">
          <h2 id="ads" className="mb-2 text-lg font-semibold">
            Ads
          </h2>
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
            {entity.ads.map((ad) => (
              <li key={ad.id} className="flex items-center justify-between gap-2 px-3 py-2">
                <span className="truncate">{ad.name}</span>
                {ad.status ? <StatusBadge status={ad.status.toLowerCase()} /> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

function Kpi({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-1 text-lg font-semibold tabular-nums">{value}</dd>
      {hint ? <dd className="text-xs text-slate-500">{hint}</dd> : null}
    </div>
  );
}

export function ActionRow({ action, timeZone }: { action: ActionRecord; timeZone: string }) {
  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
      <span className="text-slate-500">{formatDateTime(action.appliedAt ?? action.createdAt, timeZone)}</span>
      <span className="font-medium">{titleCase(action.kind.replaceAll('_', ' '))}</span>
      <StatusBadge status={action.status} />
      {action.approvedBy?.username ? (
        <span className="text-slate-500">approved by {action.approvedBy.username}</span>
      ) : null}
    </li>
  );
}

function HistoryRow({ rec }: { rec: Recommendation }) {
  const [isOpen, setIsOpen] = useState(false);
  const budget = budgetChange(rec);
  return (
    <li className="px-3 py-2" data-testid="adset-recommendation">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className="w-48 shrink-0 text-sm text-slate-500">
          {formatDateTime(rec.createdAt, rec.account.timezone)}
        </span>
        <ActionBadge action={rec.action} scalePercent={rec.scalePercent} />
        {budget ? <span className="text-xs tabular-nums">{budget}</span> : null}
        <ConfidenceBadge confidence={rec.confidence} />
        {rec.roas ? (
          <span className="text-xs text-slate-600 tabular-nums">ROAS {formatRoas(rec.roas.mean)}</span>
        ) : null}
        <StatusBadge status={rec.status} />
        {rec.reviewedBy?.username ? (
          <span className="text-xs text-slate-500">by {rec.reviewedBy.username}</span>
        ) : null}
        <button
          type="button"
          onClick={() => setIsOpen((open) => !open)}
          aria-expanded={isOpen}
          className="ml-auto rounded-md border border-slate-300 px-2 py-0.5 text-xs font-medium hover:bg-slate-50"
        >
          {isOpen ? 'Hide evidence' : 'Evidence'}
        </button>
      </div>
      {isOpen ? (
        <div className="mt-2 rounded-md bg-slate-50 p-3">
          <EvidencePanel rec={rec} />
        </div>
      ) : null}
    </li>
  );
}
