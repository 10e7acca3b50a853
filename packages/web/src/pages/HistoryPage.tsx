import { useState } from 'react';
import { Link } from 'react-router';
import type { HistoryItem } from '../api/types.ts';
import { ActionBadge, StatusBadge } from '../components/Badges.tsx';
import { budgetChange } from '../components/RecommendationRow.tsx';
import { EmptyState, ErrorMessage, Loading } from '../components/StateMessage.tsx';
import { useAccountsQuery } from '../hooks/queries/useAccountsQuery.ts';
import { useHistoryQuery } from '../hooks/queries/useHistoryQuery.ts';
import { formatDateTime, titleCase } from '../lib/format.ts';

export function HistoryPage() {
  const accounts = useAccountsQuery();
  const [account, setAccount] = useState('');
  const query = useHistoryQuery({ account: account || undefined });
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  const zoneOf = (id: string) => accounts.data?.find((a) => a.id === id)?.timezone;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">History</h1>
          <p className="text-sm text-slate-600">
            Every approval, rejection and change sent to Meta, with who and when, newest first.
          </p>
        </div>
        {(accounts.data?.length ?? 0) > 1 ? (
          <label className="text-xs font-medium text-slate-600">
            Account
            <select
              value={account}
              onChange={(e) => setAccount(e.target.value)}
              className="mt-0.5 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
            >
              <option value="">All accounts</option>
              {accounts.data?.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>

      {query.isPending ? <Loading what="the history" /> : null}
      {query.isError ? (
        <ErrorMessage error={query.error} what="the history" onRetry={() => void query.refetch()} />
      ) : null}
      {query.isSuccess && items.length === 0 ? (
        <EmptyState title="Nothing has been reviewed yet.">
          <p>Approvals, rejections and changes sent to Meta show up here with who made them and when.</p>
        </EmptyState>
      ) : null}

      {items.length > 0 ? (
        <ul
          className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white"
          data-testid="history"
        >
          {items.map((item) => (
            <HistoryEntry key={`${item.kind}-${item.id}`} item={item} zoneOf={zoneOf} />
          ))}
        </ul>
      ) : null}
      {query.hasNextPage ? (
        <button
          type="button"
          onClick={() => void query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
          className="w-full rounded-md border border-slate-300 bg-white py-2 text-sm font-medium hover:bg-slate-50"
        >
          {query.isFetchingNextPage ? 'Loading more…' : 'Load older entries'}
        </button>
      ) : null}
    </div>
  );
}

function HistoryEntry({ item, zoneOf }: { item: HistoryItem; zoneOf: (id: string) => string | undefined }) {
  if (item.kind === 'review') {
    const rec = item.recommendation;
    const budget = budgetChange(rec);
    return (
      <li
        className="flex flex-col gap-1 px-3 py-2.5 sm:flex-row sm:items-center sm:gap-3"
        data-testid="history-row"
        data-entity-id={rec.entity.id}
        data-recommendation-id={rec.id}
      >
        <span className="shrink-0 text-sm text-slate-500 sm:w-52">
          {formatDateTime(item.at, rec.account.timezone)}
        </span>
        <span className="flex min-w-0 flex-wrap items-center gap-2">
          <StatusBadge status={rec.status} />
          <ActionBadge action={rec.action} scalePercent={rec.scalePercent} />
          <Link to={`/adsets/${encodeURIComponent(rec.entity.id)}`} className="font-medium hover:underline">
            {rec.entity.name}
          </Link>
          {budget ? <span className="text-xs text-slate-600 tabular-nums">{budget}</span> : null}
        </span>
        <span className="text-sm text-slate-600 sm:ml-auto sm:text-right">
          {rec.reviewedBy?.username ? (
            <>
              by <span className="font-medium text-slate-800">{rec.reviewedBy.username}</span>
            </>
          ) : null}
          {rec.comment ? <span className="block text-slate-500 italic">“{rec.comment}”</span> : null}
        </span>
      </li>
    );
  }
  return (
    <li
      className="flex flex-col gap-1 px-3 py-2.5 sm:flex-row sm:items-center sm:gap-3"
      data-testid="history-row"
      data-entity-id={item.entity.id}
    >
      <span className="shrink-0 text-sm text-slate-500 sm:w-52">
        {formatDateTime(item.at, zoneOf(item.account.id))}
      </span>
      <span className="flex min-w-0 flex-wrap items-center gap-2">
        <StatusBadge status={item.action.status} />
        <span className="text-sm font-medium">{titleCase(item.action.kind.replaceAll('_', ' '))}</span>
        <Link to={`/adsets/${encodeURIComponent(item.entity.id)}`} className="font-medium hover:underline">
          {item.entity.name}
        </Link>
      </span>
      <span className="text-sm text-slate-600 sm:ml-auto">
        {item.action.approvedBy?.username ? `approved by ${item.action.approvedBy.username}` : null}
      </span>
    </li>
  );
}
