import { useState, type ReactNode } from 'react';
import type { Account, RecommendationFilters as Filters } from '../api/types.ts';
import { ACTIONS, AUDIENCES, CONFIDENCES, STAGES, STATUSES } from '../api/types.ts';
import { titleCase } from '../lib/format.ts';
import { ACTION_LABEL } from './Badges.tsx';

type Props = {
  filters: Filters;
  accounts: readonly Account[];
  onChange: (next: Filters) => void;
};

const selectClass =
  'mt-0.5 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus:border-slate-500 focus:outline-none';

const listOf = (value: string | undefined): string[] => (value ? value.split(',').filter(Boolean) : []);

/** The filter bar of the recommendations page; its state lives in the URL so a view can be shared. */
export function RecommendationFilters({ filters, accounts, onChange }: Props) {
  const [isOpen, setIsOpen] = useState(false);
  const set = (key: keyof Filters, value: string) => onChange({ ...filters, [key]: value || undefined });
  const toggle = (key: 'action' | 'confidence', value: string) => {
    const current = listOf(filters[key]);
    const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
    set(key, next.join(','));
  };
  const isFiltered = Object.entries(filters).some(([key, value]) => key !== 'status' && value);
  const actions = listOf(filters.action);
  const confidences = listOf(filters.confidence);
  const activeCount = Object.entries(filters).filter(([key, value]) => key !== 'status' && value).length;

  return (
    <div>
      {/* On a phone the filters fold away behind one button; from tablet width up they always show. */}
      <button
        type="button"
        onClick={() => setIsOpen((open) => !open)}
        aria-expanded={isOpen}
        className="mb-2 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-left text-sm font-medium md:hidden"
      >
        {isOpen ? 'Hide filters' : 'Filters'}
        {activeCount > 0 ? ` (${activeCount} on)` : ''}
      </button>
      <form
        aria-label="Filters"
        onSubmit={(e) => e.preventDefault()}
        className={`space-y-3 rounded-lg border border-slate-200 bg-white p-3 ${isOpen ? '' : 'hidden md:block'}`}
      >
        <div className="flex flex-wrap items-center gap-x-5 gap-y-2">
          <fieldset className="flex flex-wrap items-center gap-1.5">
            <legend className="sr-only">Action</legend>
            <span aria-hidden className="mr-1 text-xs font-medium text-slate-600">
              Action
            </span>
            {ACTIONS.map((action) => (
              <ToggleChip
                key={action}
                isOn={actions.includes(action)}
                onClick={() => toggle('action', action)}
                label={ACTION_LABEL[action]}
              />
            ))}
          </fieldset>
          <fieldset className="flex flex-wrap items-center gap-1.5">
            <legend className="sr-only">Confidence</legend>
            <span aria-hidden className="mr-1 text-xs font-medium text-slate-600">
              Confidence
            </span>
            {CONFIDENCES.map((confidence) => (
              <ToggleChip
                key={confidence}
                isOn={confidences.includes(confidence)}
                onClick={() => toggle('confidence', confidence)}
                label={titleCase(confidence)}
              />
            ))}
          </fieldset>
        </div>
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-[repeat(6,minmax(0,1fr))_auto]">
          <Field label="Audience">
            <select
              className={selectClass}
              value={filters.audience ?? ''}
              onChange={(e) => set('audience', e.target.value)}
            >
              <option value="">All audiences</option>
              {AUDIENCES.map((a) => (
                <option key={a} value={a}>
                  {titleCase(a)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Stage">
            <select
              className={selectClass}
              value={filters.stage ?? ''}
              onChange={(e) => set('stage', e.target.value)}
            >
              <option value="">All stages</option>
              {STAGES.map((s) => (
                <option key={s} value={s}>
                  {titleCase(s)}
                </option>
              ))}
              <option value="none">No stage</option>
            </select>
          </Field>
          <Field label="Account">
            <select
              className={selectClass}
              value={filters.account ?? ''}
              onChange={(e) => set('account', e.target.value)}
            >
              <option value="">All accounts</option>
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Status">
            <select
              className={selectClass}
              value={filters.status ?? 'all'}
              onChange={(e) => onChange({ ...filters, status: e.target.value })}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {titleCase(s)}
                </option>
              ))}
              <option value="approved,rejected">Reviewed</option>
              <option value="all">All statuses</option>
            </select>
          </Field>
          <Field label="Decided from">
            <input
              type="date"
              className={selectClass}
              value={filters.from ?? ''}
              max={filters.to}
              onChange={(e) => set('from', e.target.value)}
            />
          </Field>
          <Field label="Decided to">
            <input
              type="date"
              className={selectClass}
              value={filters.to ?? ''}
              min={filters.from}
              onChange={(e) => set('to', e.target.value)}
            />
          </Field>
          <div className="col-span-2 flex items-end sm:col-span-3 lg:col-span-1">
            <button
              type="button"
              disabled={!isFiltered}
              onClick={() => onChange({ status: filters.status })}
              className="w-full rounded-md px-3 py-1.5 text-sm font-medium text-sky-700 hover:bg-sky-50 disabled:text-slate-400 disabled:hover:bg-transparent"
            >
              Clear filters
            </button>
          </div>
        </div>
      </form>
    </div>
  );
}

function ToggleChip({ isOn, onClick, label }: { isOn: boolean; onClick: () => void; label: string }) {
  return (
    <button
      type="button"
      aria-pressed={isOn}
      onClick={onClick}
      className={`rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset ${
        isOn
          ? 'bg-slate-900 text-white ring-slate-900'
          : 'bg-white text-slate-700 ring-slate-300 hover:bg-slate-50'
      }`}
    >
      {label}
    </button>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="block min-w-0 text-xs font-medium text-slate-600">
      {label}
      {children}
    </label>
  );
}
