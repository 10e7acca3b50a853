import type { ReactNode } from 'react';
import type { HitRate } from '../api/types.ts';
import { ActionBadge } from '../components/Badges.tsx';
import { EmptyState, ErrorMessage, Loading } from '../components/StateMessage.tsx';
import { useOutcomesQuery } from '../hooks/queries/useHistoryQuery.ts';
import { formatDateTime, formatRate, titleCase } from '../lib/format.ts';
import { ACTIONS, type Action } from '../api/types.ts';

type Row = HitRate & { key: string; label: ReactNode };

function OutcomeTable({ title, rows }: { title: string; rows: Row[] }) {
  if (rows.length === 0) return null;
  return (
    <section>
      <h2 className="mb-2 text-lg font-semibold">{title}</h2>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full min-w-[32rem] text-left text-sm">
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-3 py-2 font-medium">Group</th>
              <th className="px-3 py-2 text-right font-medium">After</th>
              <th className="px-3 py-2 text-right font-medium">Right</th>
              <th className="px-3 py-2 text-right font-medium">Wrong</th>
              <th className="px-3 py-2 text-right font-medium">Too early to tell</th>
              <th className="px-3 py-2 text-right font-medium">Hit rate</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} className="border-t border-slate-100">
                <td className="px-3 py-2">{row.label}</td>
                <td className="px-3 py-2 text-right tabular-nums">{row.horizonDays} d</td>
                <td className="px-3 py-2 text-right tabular-nums">{row.hits}</td>
                <td className="px-3 py-2 text-right tabular-nums">{row.misses}</td>
                <td className="px-3 py-2 text-right tabular-nums">{row.inconclusive}</td>
                <td className="px-3 py-2 text-right font-semibold tabular-nums">
                  {formatRate(row.hitRate, 0)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** One card per horizon: how often the recommendations were right, all actions together. */
function HorizonCards({ rows }: { rows: HitRate[] }) {
  return (
    <ul className="grid gap-3 sm:grid-cols-2" aria-label="Hit rate per horizon">
      {rows.map((row) => (
        <li key={row.horizonDays} className="rounded-lg border border-slate-200 bg-white p-4">
          <p className="text-sm text-slate-500">After {row.horizonDays} days</p>
          <p className="text-3xl font-semibold tabular-nums">{formatRate(row.hitRate, 0)}</p>
          <p className="text-sm text-slate-600">
            right in {row.hits} of {row.hits + row.misses} judged; {row.inconclusive} too early or too close
            to tell
          </p>
        </li>
      ))}
    </ul>
  );
}

function ScoringRules() {
  return (
    <details className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">
      <summary className="cursor-pointer font-medium">How a recommendation is scored</summary>
      <p className="mt-2">
        Each recommendation, applied or not, is measured over the 3 and the 7 days from its decision day
        against the week before it, and judged on the probability that the ad set&apos;s ROAS over those days
        was above the line in force when it was made (80% either way counts):
      </p>
      <ul className="mt-2 list-disc space-y-1 pl-5">
        <li>Scale and Promote are right when the ROAS stayed at or above the target.</li>
        <li>
          Pause is right when the ad set stayed below break-even: by its own later data when it kept running,
          or by the simulator&apos;s truth when it was paused.
        </li>
        <li>Hold is wrong when the ad set turned out a clear winner that should have been scaled.</li>
        <li>Retest is wrong when the ad set turned out a clear loser.</li>
      </ul>
      <p className="mt-2">
        Days still collecting late conversions weigh less; an outcome is revised until its days are final. Too
        little spend, or a ROAS too close to the line, is counted as too early to tell and left out of the hit
        rate. A decision repeated on the same day counts once.
      </p>
    </details>
  );
}

const isAction = (value: string): value is Action => (ACTIONS as readonly string[]).includes(value);
const actionLabel = (action: string) => (isAction(action) ? <ActionBadge action={action} /> : action);

export function OutcomesPage() {
  const query = useOutcomesQuery();
  const data = query.data;
  const isEmpty =
    data !== undefined && data.byRuleCell.length + data.byAudience.length + data.byStage.length === 0;
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Outcomes</h1>
        <p className="text-sm text-slate-600">
          Whether past recommendations were right, measured 3 and 7 days after each one: the hit rate by rule,
          by audience type and by stage.
          {data?.measuredAt ? ` Last measured ${formatDateTime(data.measuredAt)}.` : ''}
        </p>
      </div>
      {query.isPending ? <Loading what="outcomes" /> : null}
      {query.isError ? (
        <ErrorMessage error={query.error} what="outcomes" onRetry={() => void query.refetch()} />
      ) : null}
      {data && isEmpty ? (
        <EmptyState title="No outcomes measured yet.">
          <p>
            {data.note ??
              'An outcome is measured 3 and 7 days after a recommendation, once those days are synced and most of their late conversions are in.'}
          </p>
        </EmptyState>
      ) : null}
      {data && !isEmpty ? (
        <>
          {data.note ? <p className="text-sm text-slate-600">{data.note}</p> : null}
          <HorizonCards rows={data.overall ?? []} />
          <OutcomeTable
            title="By action"
            rows={(data.byAction ?? []).map((row) => ({
              ...row,
              key: `${row.action}-${row.horizonDays}`,
              label: actionLabel(row.action),
            }))}
          />
          <OutcomeTable
            title="By rule"
            rows={data.byRuleCell.map((row) => ({
              ...row,
              key: `${row.action}-${row.bucket}-${row.trend}-${row.horizonDays}`,
              label: (
                <span className="flex flex-wrap items-center gap-2">
                  {actionLabel(row.action)}
                  <span className="text-slate-600">
                    {[titleCase(row.bucket), titleCase(row.trend)].filter(Boolean).join(' · ')}
                  </span>
                </span>
              ),
            }))}
          />
          <OutcomeTable
            title="By audience type"
            rows={data.byAudience.map((row) => ({
              ...row,
              key: `${row.audienceType}-${row.horizonDays}`,
              label: titleCase(row.audienceType),
            }))}
          />
          <OutcomeTable
            title="By stage"
            rows={data.byStage.map((row) => ({
              ...row,
              key: `${row.stage}-${row.horizonDays}`,
              label: row.stage ? titleCase(row.stage) : 'No stage',
            }))}
          />
        </>
      ) : null}
      <ScoringRules />
    </div>
  );
}
