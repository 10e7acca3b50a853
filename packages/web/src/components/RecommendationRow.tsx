import { useState } from 'react';
import { Link } from 'react-router';
import type { Audience, Recommendation } from '../api/types.ts';
import type { Decision } from '../hooks/queries/useRecommendationsQuery.ts';
import { campaignName, formatMoneyView, formatRate, formatRoas, titleCase } from '../lib/format.ts';
import { topReasons } from '../lib/reasons.ts';
import { ActionBadge, Chip, ConfidenceBadge, StatusBadge } from './Badges.tsx';
import { EvidencePanel } from './EvidencePanel.tsx';

type Props = {
  rec: Recommendation;
  canReview: boolean;
  isSelected: boolean;
  onToggleSelect: () => void;
  onReview: (decision: Decision, comment?: string) => void;
  isReviewing: boolean;
  showAccount: boolean;
};

/** The budget line: current → new per day, in the account's currency. */
export function budgetChange(
  rec: Pick<Recommendation, 'dailyBudget' | 'newDailyBudget' | 'appliesTo'>,
): string | null {
  if (!rec.newDailyBudget) return null;
  const on = rec.appliesTo === 'campaign' ? ' (campaign budget)' : '';
  const next = formatMoneyView(rec.newDailyBudget);
  return rec.dailyBudget ? `${formatMoneyView(rec.dailyBudget)} → ${next} a day${on}` : `${next} a day${on}`;
}

export function audienceLabel(audience: Audience | null | undefined): string | undefined {
  if (!audience) return undefined;
  return audience.lookalikePercent !== null
    ? `${titleCase(audience.type)} ${audience.lookalikePercent}%`
    : titleCase(audience.type);
}

export function RecommendationRow({
  rec,
  canReview,
  isSelected,
  onToggleSelect,
  onReview,
  isReviewing,
  showAccount,
}: Props) {
  const [isOpen, setIsOpen] = useState(false);
  const [comment, setComment] = useState('');
  const budget = budgetChange(rec);
  const isPending = rec.status === 'pending';
  const lines = topReasons(rec);
  const campaign = campaignName(rec.entity.campaign);
  const audience = audienceLabel(rec.audience);
  const evidenceId = `evidence-${rec.id}`;

  return (
    <li
      className={`rounded-lg border bg-white shadow-xs ${isSelected ? 'border-sky-400 ring-1 ring-sky-300' : 'border-slate-200'}`}
      data-testid="recommendation"
      data-id={rec.id}
      data-entity-id={rec.entity.id}
      data-action={rec.action}
      data-status={rec.status}
    >
      <div className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-2 p-3 lg:grid-cols-[auto_minmax(0,2.2fr)_minmax(0,1.3fr)_minmax(0,1.1fr)_minmax(0,2.6fr)_auto] lg:items-start">
        <div className="row-span-5 pt-0.5 lg:row-span-1">
          {canReview && isPending ? (
            <input
              type="checkbox"
              checked={isSelected}
              onChange={onToggleSelect}
              aria-label={`Select ${rec.entity.name}`}
              className="size-4 accent-sky-600"
            />
          ) : (
            <span className="block size-4" />
          )}
        </div>

        <div className="min-w-0">
          <Link
            to={`/adsets/${encodeURIComponent(rec.entity.id)}`}
            className="block truncate font-medium text-slate-900 hover:underline"
            title={rec.entity.name}
          >
            {rec.entity.name}
          </Link>
          {campaign ? (
            <div className="truncate text-xs text-slate-500" title={campaign}>
              {campaign}
            </div>
          ) : null}
          <div className="mt-1 flex flex-wrap gap-1">
            {rec.stage ? <Chip title="Stage">{titleCase(rec.stage)}</Chip> : null}
            {audience ? <Chip title="Audience type">{audience}</Chip> : null}
            {showAccount ? <Chip title="Account">{rec.account.name}</Chip> : null}
          </div>
        </div>

        <div className="flex flex-wrap items-center gap-2 lg:block">
          <ActionBadge action={rec.action} scalePercent={rec.scalePercent} />
          {budget ? <div className="text-xs text-slate-700 tabular-nums lg:mt-1">{budget}</div> : null}
          {!isPending ? (
            <div className="lg:mt-1">
              <StatusBadge status={rec.status} />
            </div>
          ) : null}
        </div>

        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 lg:block">
          <ConfidenceBadge confidence={rec.confidence} />
          {rec.roas ? (
            <div
              className="text-xs text-slate-600 tabular-nums lg:mt-1"
              title="ROAS estimate and its 90% interval"
            >
              <div>
                ROAS <span className="font-semibold text-slate-900">{formatRoas(rec.roas.mean)}</span>{' '}
                <span className="whitespace-nowrap text-slate-400">
                  {formatRoas(rec.roas.lo)}–{formatRoas(rec.roas.hi)}
                </span>
              </div>
              <div className="text-slate-500">
                {formatRate(rec.roas.probabilityAboveBreakEven, 0)} likely above break-even
              </div>
            </div>
          ) : null}
        </div>

        <ul className="min-w-0 space-y-0.5 text-xs text-slate-700" aria-label="Top reasons">
          {lines.map((line) => (
            <li key={line.text} className="flex gap-1.5">
              <span
                aria-hidden
                className={
                  line.tone === 'why'
                    ? 'text-slate-400'
                    : line.tone === 'held'
                      ? 'text-amber-600'
                      : 'text-rose-500'
                }
              >
                {line.tone === 'why' ? '•' : line.tone === 'held' ? '◐' : '!'}
              </span>
              <span className="line-clamp-2">{line.text}</span>
            </li>
          ))}
        </ul>

        <div className="flex flex-wrap items-center gap-2 lg:justify-end">
          <button
            type="button"
            onClick={() => setIsOpen((open) => !open)}
            aria-expanded={isOpen}
            aria-controls={evidenceId}
            className="rounded-md border border-slate-300 px-2.5 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50"
          >
            {isOpen ? 'Hide evidence' : 'Evidence'}
          </button>
          {canReview && isPending ? (
            <>
              <button
                type="button"
                disabled={isReviewing}
                onClick={() => onReview('approve', comment)}
                className="rounded-md bg-emerald-600 px-2.5 py-1 text-xs font-semibold text-white hover:bg-emerald-700 disabled:opacity-50"
              >
                Approve
              </button>
              <button
                type="button"
                disabled={isReviewing}
                onClick={() => onReview('reject', comment)}
                className="rounded-md border border-rose-300 px-2.5 py-1 text-xs font-semibold text-rose-700 hover:bg-rose-50 disabled:opacity-50"
              >
                Reject
              </button>
            </>
          ) : null}
        </div>
      </div>

      {isOpen ? (
        <div id={evidenceId} className="border-t border-slate-100 bg-slate-50/60 p-3 sm:px-10">
          <EvidencePanel rec={rec} />
          {canReview && isPending ? (
            <label className="mt-4 block text-xs font-medium text-slate-600">
              Comment (optional, kept with your approval or rejection)
              <input
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                maxLength={2000}
                className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-normal"
              />
            </label>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
