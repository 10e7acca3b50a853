import type { ReactNode } from 'react';
import { ApiError, describeError } from '../api/client.ts';

export function Loading({ what }: { what: string }) {
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-3 py-10 text-sm text-slate-500">
      <span className="size-4 animate-spin rounded-full border-2 border-slate-300 border-t-slate-600" />
      Loading {what}…
    </div>
  );
}

export function ErrorMessage({
  error,
  what,
  onRetry,
}: {
  error: unknown;
  what: string;
  onRetry?: () => void;
}) {
  const isMissing = error instanceof ApiError && error.status === 404;
  return (
    <div role="alert" className="my-4 rounded-lg border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900">
      <p className="font-medium">Could not load {what}.</p>
      <p className="mt-1">{describeError(error)}</p>
      {isMissing ? (
        <p className="mt-1 text-rose-800">
          The server may be an older version than this dashboard; restart it with the current code.
        </p>
      ) : null}
      {onRetry ? (
        <button
          type="button"
          onClick={onRetry}
          className="mt-3 rounded-md border border-rose-300 bg-white px-3 py-1.5 font-medium hover:bg-rose-100"
        >
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="my-4 rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
      <p className="font-medium text-slate-800">{title}</p>
      {children ? <div className="mt-2 text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}

export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="text-sm text-rose-700">
      {describeError(error)}
    </p>
  );
}
