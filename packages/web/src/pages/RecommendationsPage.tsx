import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { describeError } from '../api/client.ts';
import type {
  Action,
  Recommendation,
  RecommendationFilters as Filters,
  ReviewResult,
  RunSummary,
} from '../api/types.ts';
import { ACTIONS } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { ACTION_HINT, ACTION_LABEL, ActionBadge } from '../components/Badges.tsx';
import { RecommendationFilters } from '../components/RecommendationFilters.tsx';
import { RecommendationRow } from '../components/RecommendationRow.tsx';
import { EmptyState, ErrorMessage, Loading } from '../components/StateMessage.tsx';
import { useAccountsQuery } from '../hooks/queries/useAccountsQuery.ts';
import {
  FILTER_KEYS,
  filtersFromSearch,
  toApiFilters,
  useRecommendationsQuery,
  useReviewMutation,
  useRunMutation,
  type Decision,
} from '../hooks/queries/useRecommendationsQuery.ts';
import { formatRelative } from '../lib/format.ts';

// Long groups render in slices so the first paint stays fast on big accounts.
const GROUP_SLICE = 50;

type Notice = { tone: 'ok' | 'error'; text: string };

export function RecommendationsPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(params), [params]);
  const apiFilters = useMemo(() => toApiFilters(filters), [filters]);
  const canReview = useCan('approver');
  const accounts = useAccountsQuery();
  const query = useRecommendationsQuery(apiFilters);
  const review = useReviewMutation();
  const run = useRunMutation();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkComment, setBulkComment] = useState('');
  const [notice, setNotice] = useState<Notice | null>(null);
  const markedReady = useRef(false);

  const items = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  const total = query.data?.pages[0]?.total;
  const groups = useMemo(() => {
    const byAction = new Map<Action, Recommendation[]>();
    for (const rec of items) {
      const list = byAction.get(rec.action) ?? [];
      list.push(rec);
      byAction.set(rec.action, list);
    }
    return ACTIONS.flatMap((action) => {
      const list = byAction.get(action);
      return list ? [{ action, items: list }] : [];
    });
  }, [items]);
  const accountList = accounts.data ?? [];
  const selectedIds = items.filter((rec) => selected.has(rec.id)).map((rec) => rec.id);

  useEffect(() => {
    // The browser test reads this mark: navigation start to a rendered, clickable list.
    if (!markedReady.current && query.isSuccess) {
      markedReady.current = true;
      performance.mark('roas:recommendations-ready');
    }
  }, [query.isSuccess]);

  const setFilters = (next: Filters) => {
    const search = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      const value = next[key];
      if (value && !(key === 'status' && value === 'pending')) search.set(key, value);
    }
    setSelected(new Set());
    setParams(search);
  };

  const decide = (ids: string[], decision: Decision, comment?: string) => {
    setNotice(null);
    review.mutate(
      { ids, decision, comment },
      {
        onSuccess: (result) => {
          const verb = decision === 'approve' ? 'Approved' : 'Rejected';
          const what =
            ids.length === 1
              ? (items.find((rec) => rec.id === ids[0])?.entity.name ?? '1 recommendation')
              : `${ids.length} recommendations`;
          setNotice({ tone: 'ok', text: `${verb} ${what}. ${describeApplied(result)}`.trim() });
          setSelected(new Set());
          setBulkComment('');
        },
        onError: (error) => setNotice({ tone: 'error', text: describeError(error) }),
      },
    );
  };

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const toggleGroup = (list: Recommendation[], isOn: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const rec of list) {
        if (rec.status !== 'pending') continue;
        if (isOn) next.add(rec.id);
        else next.delete(rec.id);
      }
      return next;
    });

  const lastSync = accountList
    .map((a) => a.lastSyncedAt)
    .filter((at): at is string => typeof at === 'string')
    .sort()
    .at(-1);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Recommendations</h1>
          <p className="text-sm text-slate-600">
            {query.isSuccess
              ? describeCount(total ?? items.length, filters.status)
              : 'Budget decisions waiting for a person.'}
            {lastSync ? ` · data synced ${formatRelative(lastSync)}` : ''}
          </p>
        </div>
        {canReview ? (
          <div className="flex items-center gap-2">
            <button
              type="button"
              disabled={run.isPending}
              onClick={() => {
                setNotice(null);
                run.mutate(filters.account, {
                  onSuccess: (summary) => setNotice({ tone: 'ok', text: describeRun(summary) }),
                  onError: (error) => setNotice({ tone: 'error', text: describeError(error) }),
                });
              }}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60"
            >
              {run.isPending ? 'Running the engine…' : 'Run the engine now'}
            </button>
          </div>
        ) : null}
      </div>

      {!canReview ? (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700" data-testid="read-only-note">
          You have read-only access (viewer): you can see every recommendation and its evidence, but an
          approver or admin has to approve or reject them.
        </p>
      ) : null}

      <RecommendationFilters filters={filters} accounts={accountList} onChange={setFilters} />

      {notice ? (
        <p
          role={notice.tone === 'error' ? 'alert' : 'status'}
          className={`rounded-md px-3 py-2 text-sm ${notice.tone === 'ok' ? 'bg-emerald-50 text-emerald-900' : 'bg-rose-50 text-rose-900'}`}
        >
          {notice.text}
        </p>
      ) : null}

      {query.isPending ? <Loading what="recommendations" /> : null}
      {query.isError ? (
        <ErrorMessage error={query.error} what="recommendations" onRetry={() => void query.refetch()} />
      ) : null}
      {query.isSuccess && items.length === 0 ? (
        <EmptyState
          title={
            filters.status === 'pending' && Object.keys(filters).length === 1
              ? 'Nothing waiting for review.'
              : 'No recommendation matches these filters.'
          }
        >
          {filters.status === 'pending' && Object.keys(filters).length === 1 ? (
            <p>
              Every recommendation has been reviewed, or the engine has not run yet. Run it with the button
              above or <code>npx roas recommend</code>; connect an account on the Accounts page.
            </p>
          ) : (
            <p>Loosen a filter, or choose “All statuses” to include reviewed ones.</p>
          )}
        </EmptyState>
      ) : null}

      {groups.length > 0 ? (
        <nav aria-label="Jump to action" className="flex flex-wrap gap-2">
          {groups.map((group) => (
            <a
              key={group.action}
              href={`#group-${group.action}`}
              className="inline-flex items-center gap-1.5 rounded-full border border-slate-200 bg-white py-1 pr-3 pl-1 text-sm hover:bg-slate-50"
            >
              <ActionBadge action={group.action} />
              <span className="font-semibold tabular-nums">{group.items.length}</span>
            </a>
          ))}
        </nav>
      ) : null}

      <div className="space-y-6" data-testid="recommendation-groups">
        {groups.map((group) => (
          <ActionGroup
            key={group.action}
            action={group.action}
            items={group.items}
            canReview={canReview}
            selected={selected}
            onToggleGroup={toggleGroup}
            renderRow={(rec) => (
              <RecommendationRow
                key={rec.id}
                rec={rec}
                showAccount={accountList.length > 1}
                canReview={canReview}
                isSelected={selected.has(rec.id)}
                onToggleSelect={() => toggle(rec.id)}
                onReview={(decision, comment) => decide([rec.id], decision, comment)}
                isReviewing={review.isPending}
              />
            )}
          />
        ))}
      </div>

      {query.hasNextPage ? (
        <button
          type="button"
          onClick={() => void query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
          className="w-full rounded-md border border-slate-300 bg-white py-2 text-sm font-medium hover:bg-slate-50"
        >
          {query.isFetchingNextPage ? 'Loading more…' : `Load more (${items.length} of ${total ?? 'more'})`}
        </button>
      ) : null}

      {canReview && selectedIds.length > 0 ? (
        <div
          role="region"
          aria-label="Bulk review"
          className="fixed inset-x-0 bottom-0 z-40 border-t border-slate-300 bg-white/95 shadow-[0_-4px_12px_rgba(0,0,0,0.08)] backdrop-blur"
        >
          <div className="mx-auto flex max-w-7xl flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center">
            <span className="text-sm font-semibold whitespace-nowrap">{selectedIds.length} selected</span>
            <input
              value={bulkComment}
              onChange={(e) => setBulkComment(e.target.value)}
              placeholder="Comment for all of them (optional)"
              aria-label="Comment for the selected recommendations"
              maxLength={1000}
              className="min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
            <div className="flex gap-2">
              <button
                type="button"
                disabled={review.isPending}
                onClick={() => decide(selectedIds, 'approve', bulkComment)}
                className="flex-1 rounded-md bg-emerald-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-emerald-700 disabled:opacity-50 sm:flex-none"
              >
                Approve {selectedIds.length}
              </button>
              <button
                type="button"
                disabled={review.isPending}
                onClick={() => decide(selectedIds, 'reject', bulkComment)}
                className="flex-1 rounded-md border border-rose-300 px-3 py-1.5 text-sm font-semibold text-rose-700 hover:bg-rose-50 disabled:opacity-50 sm:flex-none"
              >
                Reject {selectedIds.length}
              </button>
              <button
                type="button"
                onClick={() => setSelected(new Set())}
                className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100"
              >
                Clear
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function describeCount(count: number, status: string | undefined): string {
  const what = count === 1 ? 'recommendation' : 'recommendations';
  if (status === 'pending') return `${count} ${what} waiting for review`;
  if (!status || status === 'all') return `${count} ${what}`;
  return `${count} ${status.replace(',', ' or ')} ${what}`;
}

/** What the account's mode did with an approval: sent to Meta (and how it ended) or why not. */
function describeApplied(result: ReviewResult): string {
  const sent = result.applied.map((item) =>
    item.outcome === 'confirmed'
      ? 'Applied on Meta.'
      : `Sent to Meta: ${item.outcome}${item.reason ? ` (${item.reason})` : ''}.`,
  );
  return [...sent, ...result.applyNotes.map((note) => `${note}.`)].join(' ');
}

function describeRun(summary: RunSummary): string {
  if (summary.accounts.length === 0) return 'The engine ran, but there is no account to judge yet.';
  const parts = summary.accounts.map((run) => {
    const counts = ACTIONS.filter((action) => (run.counts[action] ?? 0) > 0)
      .map((action) => `${run.counts[action]} ${ACTION_LABEL[action]}`)
      .join(', ');
    return `${run.account.name}: ${run.total} decision${run.total === 1 ? '' : 's'}${counts ? ` (${counts})` : ''}`;
  });
  return `New run finished. ${parts.join('; ')}.`;
}

function ActionGroup({
  action,
  items,
  canReview,
  selected,
  onToggleGroup,
  renderRow,
}: {
  action: Action;
  items: Recommendation[];
  canReview: boolean;
  selected: ReadonlySet<string>;
  onToggleGroup: (items: Recommendation[], isOn: boolean) => void;
  renderRow: (rec: Recommendation) => ReactNode;
}) {
  const [limit, setLimit] = useState(GROUP_SLICE);
  const pending = items.filter((rec) => rec.status === 'pending');
  const allSelected = pending.length > 0 && pending.every((rec) => selected.has(rec.id));
  const shown = items.slice(0, limit);
  return (
    <section id={`group-${action}`} aria-labelledby={`group-${action}-title`} className="scroll-mt-28">
      <div className="mb-2 flex items-center gap-3">
        {canReview && pending.length > 0 ? (
          <input
            type="checkbox"
            checked={allSelected}
            onChange={(e) => onToggleGroup(pending, e.target.checked)}
            aria-label={`Select every pending ${ACTION_LABEL[action]} recommendation`}
            className="ml-3 size-4 accent-sky-600"
          />
        ) : null}
        <h2 id={`group-${action}-title`} className="text-lg font-semibold">
          {ACTION_LABEL[action]} <span className="text-slate-400 tabular-nums">· {items.length}</span>
        </h2>
        <p className="hidden text-sm text-slate-500 sm:block">{ACTION_HINT[action]}</p>
      </div>
      <ul className="space-y-2">{shown.map(renderRow)}</ul>
      {items.length > limit ? (
        <button
          type="button"
          onClick={() => setLimit(items.length)}
          className="mt-2 w-full rounded-md border border-dashed border-slate-300 py-2 text-sm text-slate-600 hover:bg-white"
        >
          Show all {items.length} {ACTION_LABEL[action]} recommendations
        </button>
      ) : null}
    </section>
  );
}
