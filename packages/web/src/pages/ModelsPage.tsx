import { useState } from 'react';
import { MODEL_KINDS, type ModelHoldout, type ModelInfo, type ModelKind } from '../api/types.ts';
import { EmptyState, ErrorMessage, Loading } from '../components/StateMessage.tsx';
import { useAccountsQuery } from '../hooks/queries/useAccountsQuery.ts';
import { useModelsQuery } from '../hooks/queries/useModelsQuery.ts';
import { formatDateTime, formatDay, formatNumber } from '../lib/format.ts';

const KIND_TITLES: Record<ModelKind, { title: string; predicts: string }> = {
  roas_forecast: { title: 'ROAS forecast', predicts: 'each ad set’s ROAS over the next 7 days' },
  purchase_probability: {
    title: 'Purchase probability',
    predicts: 'the chance of at least one purchase in the next 3 days',
  },
  fatigue_onset: {
    title: 'Fatigue onset',
    predicts: 'the chance the CTR falls 20% or more from its peak within 7 days',
  },
};

const BASELINE_NAMES: Record<string, string> = {
  last7Roas: 'last-7-day ROAS',
  last7RoasReported: 'last-7-day ROAS as reported',
  accountRoas: 'account mean ROAS',
  baseRate: 'base rate',
  coldStart: 'cold-start model',
};

const baselineName = (name: string) => BASELINE_NAMES[name] ?? name;
const metricName = (holdout: ModelHoldout) => (holdout.metric === 'mae' ? 'MAE' : 'Brier score');
const error4 = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(4));

/** The model's holdout error against each baseline, the ones it must beat first. */
function Accuracy({ holdout }: { holdout: ModelHoldout | null }) {
  if (!holdout) return <span className="text-slate-500">not measured</span>;
  const gates = [holdout.gate, ...(holdout.alsoBeat ?? [])];
  const names = [...gates, ...Object.keys(holdout.baselines).filter((name) => !gates.includes(name))];
  return (
    <div className="space-y-0.5">
      <p>
        <span className="font-semibold tabular-nums">{error4(holdout.model)}</span>{' '}
        <span className="text-slate-500">{metricName(holdout)}</span>
      </p>
      <ul className="text-xs text-slate-600">
        {names.map((name) => {
          const value = holdout.baselines[name];
          const beats = value !== undefined && holdout.model < value;
          return (
            <li key={name}>
              {baselineName(name)} <span className="tabular-nums">{error4(value)}</span>
              {gates.includes(name) ? (
                <span className={beats ? 'text-emerald-700' : 'text-rose-700'}>
                  {beats ? ' · beaten' : ' · not beaten'}
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** One card per kind: the model this account's decisions use, or why none is. */
function InUseCards({ models }: { models: ModelInfo[] }) {
  return (
    <ul className="grid gap-3 md:grid-cols-3" aria-label="Models in use">
      {MODEL_KINDS.map((kind) => {
        const used = models.find((m) => m.kind === kind && m.inUse);
        const cold = models.find((m) => m.kind === kind && m.scope === 'cold-start' && m.isActive);
        return (
          <li key={kind} className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
            <p className="font-medium text-slate-900">{KIND_TITLES[kind].title}</p>
            <p className="text-xs text-slate-500">Predicts {KIND_TITLES[kind].predicts}.</p>
            {used ? (
              <>
                <p className="mt-2">
                  Uses <span className="font-mono text-xs">{used.label}</span> (
                  {used.scope === 'cold-start' ? 'cold start' : 'trained on this account'}), trained{' '}
                  {formatDateTime(used.trainedAt)}.
                </p>
                {used.holdout ? (
                  <p className="mt-1 text-slate-600">
                    {metricName(used.holdout)} {error4(used.holdout.model)} against{' '}
                    {baselineName(used.holdout.gate)} {error4(used.holdout.baselines[used.holdout.gate])}
                  </p>
                ) : null}
              </>
            ) : (
              <p className="mt-2 text-slate-700">
                No model in use{cold && !cold.inUse ? `: ${cold.usage}` : '.'}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function ModelTable({ models }: { models: ModelInfo[] }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full min-w-[56rem] text-left text-sm" data-testid="models">
        <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
          <tr>
            <th className="px-3 py-2 font-medium">Model</th>
            <th className="px-3 py-2 font-medium">Scope</th>
            <th className="px-3 py-2 font-medium">Used</th>
            <th className="px-3 py-2 font-medium">Holdout error vs baselines</th>
            <th className="px-3 py-2 text-right font-medium">Rank corr.</th>
            <th className="px-3 py-2 text-right font-medium">Holdout rows</th>
            <th className="px-3 py-2 font-medium">Trained on</th>
            <th className="px-3 py-2 font-medium">Trained at</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.id} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2">
                <p className="font-medium">{KIND_TITLES[m.kind].title}</p>
                <p className="font-mono text-xs text-slate-500">{m.label}</p>
              </td>
              <td className="px-3 py-2">{m.scope === 'cold-start' ? 'Cold start' : 'Account'}</td>
              <td className="max-w-xs px-3 py-2">
                <p className={m.inUse ? 'font-medium text-emerald-700' : 'font-medium text-slate-600'}>
                  {m.inUse ? 'Yes' : 'No'}
                </p>
                <p className="text-xs text-slate-600">{m.usage}</p>
              </td>
              <td className="px-3 py-2">
                <Accuracy holdout={m.holdout} />
              </td>
              <td className="px-3 py-2 text-right tabular-nums">
                {m.holdout?.rankCorrelation === null || m.holdout === null
                  ? '–'
                  : m.holdout.rankCorrelation.toFixed(2)}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{formatNumber(m.holdout?.rows ?? null)}</td>
              <td className="px-3 py-2 whitespace-nowrap">
                {formatDay(m.trainedFrom, true)} – {formatDay(m.trainedTo, true)}
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(m.trainedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function HowModelsWork() {
  return (
    <details className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">
      <summary className="cursor-pointer font-medium">How models are trained and when they are used</summary>
      <ul className="mt-2 list-disc space-y-1 pl-5">
        <li>
          The cold-start models ship with ROAS Pilot, trained on simulated accounts. Each account’s own models
          start from them and learn from its stored history (<code>roas train</code>, and daily).
        </li>
        <li>
          Accuracy is measured on days the model did not learn from (the holdout: the account’s last days),
          against naive baselines: the last 7 days’ ROAS for the forecast, the base rate for the
          probabilities. Lower is better for both errors (MAE, Brier score); the rank correlation says how
          well the model orders ad sets.
        </li>
        <li>
          An account’s model is used only when it beats the naive baseline and the cold-start model on the
          same holdout; otherwise the cold start stays in use, unless it did no better than the baseline there
          either.
        </li>
        <li>
          Models add evidence to a decision (they can lower or raise its confidence and add risks); they never
          change the action on their own and never bypass a guardrail.
        </li>
      </ul>
    </details>
  );
}

export function ModelsPage() {
  const accounts = useAccountsQuery();
  const [chosen, setChosen] = useState<string | null>(null);
  // The first account until one is picked: what its decisions use is the page's point.
  const account = chosen ?? accounts.data?.[0]?.id ?? '';
  const query = useModelsQuery(account || undefined);
  const data = query.data;
  const models = data?.models ?? [];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Models</h1>
          <p className="text-sm text-slate-600">
            The learning models behind the decisions: which ones are used, why, and how accurate each was on
            the days it had not seen.
          </p>
        </div>
        {(accounts.data?.length ?? 0) > 0 ? (
          <label className="text-xs font-medium text-slate-600">
            Account
            <select
              value={account}
              onChange={(e) => setChosen(e.target.value)}
              className="mt-0.5 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
            >
              {accounts.data?.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
              <option value="">Every model</option>
            </select>
          </label>
        ) : null}
      </div>

      {data && !data.mlEnabled ? (
        <p
          role="status"
          className="rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
        >
          Models are off on this server (ML_ENABLED=false): decisions are made without them.
        </p>
      ) : null}
      {query.isPending ? <Loading what="models" /> : null}
      {query.isError ? (
        <ErrorMessage error={query.error} what="models" onRetry={() => void query.refetch()} />
      ) : null}
      {data && models.length === 0 ? (
        <EmptyState title="No models registered yet.">
          <p>
            The cold-start models are registered on the first engine run with models on; an account’s own
            models by <code>roas train</code> or the daily training job.
          </p>
        </EmptyState>
      ) : null}
      {data && models.length > 0 ? (
        <>
          {data.account ? <InUseCards models={models} /> : null}
          <ModelTable models={models} />
        </>
      ) : null}
      <HowModelsWork />
    </div>
  );
}
