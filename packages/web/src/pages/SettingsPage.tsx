import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import type { SettingsChange, ValidationIssue } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { EmptyState, ErrorMessage, InlineError, Loading } from '../components/StateMessage.tsx';
import { ThresholdProposals } from '../components/ThresholdProposals.tsx';
import { YamlEditor, type YamlEditorHandle } from '../components/YamlEditor.tsx';
import {
  useSaveSettingsMutation,
  useSettingsDiffQuery,
  useSettingsQuery,
  useSettingsVersionsQuery,
  useValidateSettingsMutation,
} from '../hooks/queries/useSettingsQuery.ts';
import { formatDateTime } from '../lib/format.ts';

export function SettingsPage() {
  const isAdmin = useCan('admin');
  const settings = useSettingsQuery();
  const versions = useSettingsVersionsQuery();
  const validate = useValidateSettingsMutation();
  const save = useSaveSettingsMutation();
  const editor = useRef<YamlEditorHandle>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [issues, setIssues] = useState<ValidationIssue[] | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [picked, setPicked] = useState<number | undefined>(undefined);

  const original = settings.data?.yaml ?? '';
  const text = draft ?? original;
  const isDirty = draft !== null && draft !== original;
  const errorLines = useMemo(
    () =>
      new Set(
        (issues ?? []).map((issue) => issue.line).filter((line): line is number => typeof line === 'number'),
      ),
    [issues],
  );

  useEffect(() => {
    // A new draft makes the last verdict stale.
    setIssues(null);
  }, [draft]);

  const currentId = settings.data?.versionId;
  const sorted = useMemo(
    () => [...(versions.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id),
    [versions.data],
  );
  // Each version is compared with the one saved before it in the same scope (the defaults for the first).
  const pickedVersion = sorted.find((v) => v.id === picked);
  const previous = pickedVersion
    ? sorted.find((v) => v.scope === pickedVersion.scope && v.createdAt < pickedVersion.createdAt)
    : undefined;
  const diffFrom = picked === undefined ? undefined : (previous?.id ?? 0);
  const diff = useSettingsDiffQuery(diffFrom, picked);

  const runValidate = () => {
    setSaved(null);
    validate.mutate(text, { onSuccess: (result) => setIssues(result.issues ?? []) });
  };

  const runSave = () => {
    setSaved(null);
    validate.mutate(text, {
      onSuccess: (result) => {
        setIssues(result.issues ?? []);
        if (!result.ok) return;
        save.mutate(
          { yaml: text, comment },
          {
            onSuccess: (result) => {
              setDraft(null);
              setComment('');
              const count = result.changes.length;
              setSaved(
                `Saved as version ${result.version.id} (${count} change${count === 1 ? '' : 's'}). The next engine run uses it.`,
              );
              void versions.refetch();
            },
            onError: (error) => {
              if (error instanceof ApiError && error.issues.length > 0) setIssues(error.issues);
            },
          },
        );
      },
    });
  };

  if (settings.isPending) return <Loading what="the settings" />;
  if (settings.isError) {
    return (
      <ErrorMessage error={settings.error} what="the settings" onRetry={() => void settings.refetch()} />
    );
  }

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="text-sm text-slate-600">
          Every threshold the engine uses, as one YAML document. The comments explain each one; a document
          that does not validate is never saved.
          {settings.data
            ? ` In use: ${settings.data.versionId === 0 ? 'the bundled defaults' : `version ${settings.data.versionId}`}.`
            : ''}
        </p>
      </div>

      {!isAdmin ? (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
          Only an admin can save settings. You can still edit here and validate a change.
        </p>
      ) : null}

      <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(18rem,1fr)]">
        <div className="space-y-3">
          <YamlEditor
            ref={editor}
            label="Rules (YAML)"
            value={text}
            onChange={(value) => {
              setDraft(value);
              setSaved(null);
            }}
            errorLines={errorLines}
          />

          {issues !== null && issues.length === 0 && !validate.isPending ? (
            <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
              Valid: every threshold parses and passes the cross-field checks.
            </p>
          ) : null}
          {issues !== null && issues.length > 0 ? (
            <div
              role="alert"
              className="rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900"
            >
              <p className="font-medium">
                {issues.length} problem{issues.length === 1 ? '' : 's'}: fix{' '}
                {issues.length === 1 ? 'it' : 'them'} before saving.
              </p>
              <ul className="mt-2 space-y-1" data-testid="settings-issues">
                {issues.map((issue, index) => (
                  <li key={index}>
                    {typeof issue.line === 'number' ? (
                      <button
                        type="button"
                        onClick={() => editor.current?.goToLine(issue.line ?? 1, issue.column ?? 1)}
                        className="mr-2 rounded bg-white px-1.5 font-mono text-xs text-rose-800 ring-1 ring-rose-200 hover:bg-rose-100"
                      >
                        line {issue.line}
                        {typeof issue.column === 'number' ? `:${issue.column}` : ''}
                      </button>
                    ) : null}
                    {issue.path ? <code className="mr-1 text-xs">{issue.path}</code> : null}
                    {issue.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <InlineError error={validate.error} />
          <InlineError error={save.error} />
          {saved ? (
            <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
              {saved}
            </p>
          ) : null}

          <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
            <label className="flex-1 text-xs font-medium text-slate-600">
              What changed and why (kept with the version)
              <input
                value={comment}
                onChange={(e) => setComment(e.target.value)}
                maxLength={2000}
                disabled={!isAdmin}
                className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-normal disabled:bg-slate-100"
              />
            </label>
            <div className="flex gap-2">
              <button
                type="button"
                onClick={runValidate}
                disabled={validate.isPending}
                className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60"
              >
                {validate.isPending ? 'Validating…' : 'Validate'}
              </button>
              {isAdmin ? (
                <button
                  type="button"
                  onClick={runSave}
                  disabled={!isDirty || save.isPending || validate.isPending}
                  className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-800 disabled:opacity-50"
                >
                  {save.isPending ? 'Saving…' : 'Save new version'}
                </button>
              ) : null}
              {isDirty ? (
                <button
                  type="button"
                  onClick={() => setDraft(null)}
                  className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100"
                >
                  Discard
                </button>
              ) : null}
            </div>
          </div>
        </div>

        <aside className="space-y-3">
          <h2 className="text-lg font-semibold">Versions</h2>
          {versions.isPending ? <Loading what="the versions" /> : null}
          {versions.isError ? (
            <ErrorMessage
              error={versions.error}
              what="the versions"
              onRetry={() => void versions.refetch()}
            />
          ) : null}
          {versions.isSuccess && sorted.length === 0 ? (
            <EmptyState title="Only the bundled defaults so far.">
              <p>Each save makes a new version, with who saved it, when and why.</p>
            </EmptyState>
          ) : null}
          {sorted.length > 0 ? (
            <ul
              className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white"
              data-testid="settings-versions"
            >
              {sorted.map((version) => {
                const id = version.id;
                const isPicked = picked === id;
                return (
                  <li key={id}>
                    <button
                      type="button"
                      onClick={() => setPicked(isPicked ? undefined : id)}
                      aria-expanded={isPicked}
                      className={`w-full px-3 py-2 text-left text-sm hover:bg-slate-50 ${isPicked ? 'bg-slate-50' : ''}`}
                    >
                      <span className="flex items-center justify-between gap-2">
                        <span className="font-medium">
                          Version {id}
                          {id === currentId ? (
                            <span className="ml-2 text-xs text-emerald-700">in use</span>
                          ) : null}
                        </span>
                        <span className="text-xs text-slate-500">{formatDateTime(version.createdAt)}</span>
                      </span>
                      <span className="block text-xs text-slate-600">
                        {version.createdBy?.username ? `by ${version.createdBy.username}` : 'by the system'}
                        {version.scope !== 'global' ? ` · ${version.scope}` : ''}
                      </span>
                      {version.comment ? (
                        <span className="block text-xs text-slate-500 italic">“{version.comment}”</span>
                      ) : null}
                    </button>
                    {isPicked ? (
                      <div className="border-t border-slate-100 bg-slate-50 px-3 py-2">
                        {diff.isPending ? (
                          <Loading what="what changed" />
                        ) : diff.isError ? (
                          <InlineError error={diff.error} />
                        ) : (
                          <DiffList changes={diff.data.changes} from={diffFrom} />
                        )}
                      </div>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          ) : null}
        </aside>
      </div>

      <ThresholdProposals />
    </div>
  );
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function versionName(id: number | undefined): string {
  return id === 0 ? 'the bundled defaults' : `version ${id}`;
}

function DiffList({ changes, from }: { changes: SettingsChange[]; from: number | undefined }) {
  if (changes.length === 0)
    return <p className="text-xs text-slate-500">Nothing changed from {versionName(from)}.</p>;
  return (
    <div>
      <p className="mb-1 text-xs text-slate-500">
        {changes.length} change{changes.length === 1 ? '' : 's'} from {versionName(from)}:
      </p>
      <ul className="space-y-1 text-xs" data-testid="settings-diff">
        {changes.map((change) => (
          <li key={change.path}>
            <code className="font-semibold">{change.path}</code>:{' '}
            {change.kind === 'added' ? null : (
              <span className="text-rose-700 line-through">{show(change.old)}</span>
            )}
            {change.kind === 'changed' ? ' → ' : null}
            {change.kind === 'removed' ? null : <span className="text-emerald-700">{show(change.new)}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
