import type { ReactNode } from 'react';
import type { HitRate } from '../api/types.ts';
import { ActionBadge } from '../components/Badges.tsx';
import { EmptyState, ErrorMessage, Loading } from '../components/StateMessage.tsx';
import { useOutcomesQuery } from '../hooks/queries/useHistoryQuery.ts';
import { formatRate, titleCase } from '../lib/format.ts';
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

const isAction = (value: string): value is Action => (ACTIONS as readonly string[]).includes(value);

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
          Whether past recommendations were right, measured some days after each one: the hit rate by rule, by
          audience type and by stage.
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
              'An outcome is measured some days after a recommendation, once its effect has settled. Come back after approving and applying a few.'}
          </p>
        </EmptyState>
      ) : null}
      {data && !isEmpty ? (
        <>
          {data.note ? <p className="text-sm text-slate-600">{data.note}</p> : null}
          <OutcomeTable
            title="By rule"
            rows={data.byRuleCell.map((row) => ({
              ...row,
              key: `${row.action}-${row.bucket}-${row.trend}-${row.horizonDays}`,
              label: (
                <span className="flex flex-wrap items-center gap-2">
                  {isAction(row.action) ? <ActionBadge action={row.action} /> : row.action}
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
    </div>
  );
}
