import type { ReactNode } from 'react';
import type { Action, Confidence } from '../api/types.ts';
import { formatSignedPercent, titleCase } from '../lib/format.ts';

const ACTION_STYLE: Record<Action, string> = {
  SCALE: 'bg-emerald-600 text-white',
  PAUSE: 'bg-rose-600 text-white',
  RETEST: 'bg-amber-400 text-amber-950',
  PROMOTE: 'bg-violet-600 text-white',
  HOLD: 'bg-slate-200 text-slate-800',
};

export const ACTION_LABEL: Record<Action, string> = {
  SCALE: 'Scale',
  PAUSE: 'Pause',
  RETEST: 'Retest',
  PROMOTE: 'Promote',
  HOLD: 'Hold',
};

export const ACTION_HINT: Record<Action, string> = {
  SCALE: 'Change the budget: up where the money earns more, down where it earns less.',
  PAUSE: 'Stop spending: losing money with enough evidence.',
  RETEST: 'Not enough clean evidence yet: relaunch or give it more time.',
  PROMOTE: 'Passed its stage: copy it into the next stage.',
  HOLD: 'Leave it as it is.',
};

export function ActionBadge({ action, scalePercent }: { action: Action; scalePercent?: number | null }) {
  const style = ACTION_STYLE[action] ?? ACTION_STYLE.HOLD;
  return (
    <span
      className={`inline-flex items-center gap-1 rounded px-2 py-0.5 text-xs font-semibold tracking-wide uppercase ${style}`}
    >
      {ACTION_LABEL[action] ?? action}
      {action === 'SCALE' && scalePercent !== null && scalePercent !== undefined ? (
        <span className="font-bold" aria-label={scalePercent < 0 ? 'budget down' : 'budget up'}>
          {scalePercent < 0 ? '↓' : '↑'}
          {formatSignedPercent(Math.abs(scalePercent)).replace('+', '')}
        </span>
      ) : null}
    </span>
  );
}

const CONFIDENCE_BARS: Record<Confidence, number> = { HIGH: 3, MEDIUM: 2, LOW: 1 };

export function ConfidenceBadge({ confidence }: { confidence: Confidence }) {
  const bars = CONFIDENCE_BARS[confidence] ?? 0;
  const color =
    confidence === 'HIGH' ? 'bg-slate-800' : confidence === 'MEDIUM' ? 'bg-slate-500' : 'bg-slate-400';
  return (
    <span
      className="inline-flex items-center gap-1.5 text-xs font-medium text-slate-700"
      title={`${titleCase(confidence)} confidence`}
    >
      <span aria-hidden className="inline-flex items-end gap-0.5">
        {[1, 2, 3].map((bar) => (
          <span
            key={bar}
            className={`w-1 rounded-sm ${bar <= bars ? color : 'bg-slate-200'}`}
            style={{ height: `${4 + bar * 3}px` }}
          />
        ))}
      </span>
      {titleCase(confidence)}
    </span>
  );
}

const STATUS_STYLE: Record<string, string> = {
  pending: 'bg-sky-50 text-sky-800 ring-sky-200',
  approved: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  rejected: 'bg-rose-50 text-rose-800 ring-rose-200',
  superseded: 'bg-slate-50 text-slate-500 ring-slate-200',
  applied: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_STYLE[status] ?? 'bg-slate-50 text-slate-600 ring-slate-200'}`}
    >
      {titleCase(status)}
    </span>
  );
}

export function Chip({ children, title }: { children: ReactNode; title?: string }) {
  return (
    <span
      title={title}
      className="inline-flex items-center rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-600"
    >
      {children}
    </span>
  );
}
