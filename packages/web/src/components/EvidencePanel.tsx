import type { Recommendation } from '../api/types.ts';
import { formatDateTime, formatRate, formatRoas, titleCase } from '../lib/format.ts';
import { formatEvidenceValue, groupReasons } from '../lib/reasons.ts';

function PassMark({ passed }: { passed: boolean }) {
  return passed ? (
    <span className="inline-flex items-center gap-1 font-medium text-emerald-700">
      <span aria-hidden>✓</span> met
    </span>
  ) : (
    <span className="inline-flex items-center gap-1 font-medium text-slate-500">
      <span aria-hidden>✗</span> not met
    </span>
  );
}

// The analyst can only add caution; a fallback leaves the engine's decision and explanation as they were.
const ANALYST_OUTCOME: Record<string, string> = {
  ok: 'reviewed',
  refused: 'its answer was bolder than the engine and was refused',
  malformed: 'its answer was unreadable; the engine’s explanation stands',
  failed: 'the call failed; the engine’s explanation stands',
  'skipped-cost-cap': 'not asked (the run’s cost cap was reached)',
  'skipped-unavailable': 'not asked (the service was unavailable)',
};

/** Everything the engine weighed for one recommendation: explanation, reasons, guardrails, risks. */
export function EvidencePanel({ rec }: { rec: Recommendation }) {
  const timeZone = rec.account.timezone;
  const groups = groupReasons(rec.reasons);
  const guardrails = rec.guardrails;
  const risks = rec.risks;
  return (
    <div className="space-y-4 text-sm" data-testid="evidence">
      {rec.explanation ? <p className="leading-relaxed text-slate-800">{rec.explanation}</p> : null}
      {rec.analyst ? (
        <p className="text-xs text-slate-600" data-testid="analyst-note">
          Claude analyst ({rec.analyst.model}, prompt {rec.analyst.promptVersion}):{' '}
          {ANALYST_OUTCOME[rec.analyst.outcome] ?? rec.analyst.outcome}
          {rec.analyst.changed ? ' (it made this recommendation more cautious)' : ''}.
        </p>
      ) : null}

      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-4">
        <Fact label="ROAS estimate" value={rec.roas ? formatRoas(rec.roas.mean) : '–'} />
        <Fact
          label="90% interval"
          value={rec.roas ? `${formatRoas(rec.roas.lo)} – ${formatRoas(rec.roas.hi)}` : '–'}
        />
        <Fact
          label="P(above break-even)"
          value={rec.roas ? formatRate(rec.roas.probabilityAboveBreakEven, 0) : '–'}
        />
        <Fact
          label="Bucket · trend"
          value={`${titleCase(rec.bucket) || '–'} · ${titleCase(rec.trend) || '–'}`}
        />
      </dl>

      {groups.length > 0 ? (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[36rem] border-collapse text-left">
            <caption className="sr-only">Reasons</caption>
            <thead>
              <tr className="border-b border-slate-200 text-xs text-slate-500 uppercase">
                <th className="py-1 pr-3 font-medium">Check</th>
                <th className="py-1 pr-3 font-medium">Metric</th>
                <th className="py-1 pr-3 text-right font-medium">Observed</th>
                <th className="py-1 pr-3 text-right font-medium">Threshold</th>
                <th className="py-1 font-medium">Result</th>
              </tr>
            </thead>
            {groups.map((group) => (
              <tbody key={group.label}>
                <tr>
                  <th colSpan={5} className="pt-3 pb-1 text-xs font-semibold text-slate-700">
                    {group.label}
                  </th>
                </tr>
                {group.reasons.map((reason, index) => (
                  <tr
                    key={`${reason.ruleId}-${index}`}
                    className="border-t border-slate-100 align-top"
                    data-rule={reason.ruleId}
                  >
                    <td className="py-1 pr-3">
                      <div className="text-slate-800">{reason.text}</div>
                      <div className="font-mono text-[11px] text-slate-400">{reason.ruleId}</div>
                    </td>
                    <td className="py-1 pr-3 text-slate-600">{reason.metric ?? '–'}</td>
                    <td className="py-1 pr-3 text-right font-mono tabular-nums">
                      {formatEvidenceValue(reason.observed)}
                    </td>
                    <td className="py-1 pr-3 text-right font-mono tabular-nums">
                      {formatEvidenceValue(reason.threshold)}
                    </td>
                    <td className="py-1 whitespace-nowrap">
                      <PassMark passed={reason.passed} />
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
      ) : (
        <p className="text-slate-500">No reasons were recorded.</p>
      )}

      <div className="grid gap-4 md:grid-cols-2">
        <section>
          <h4 className="text-xs font-semibold text-slate-700 uppercase">Guardrails</h4>
          {guardrails.length === 0 ? (
            <p className="mt-1 text-slate-500">No guardrail applied.</p>
          ) : (
            <ul className="mt-1 space-y-1">
              {guardrails.map((g) => (
                <li key={g.id} className="flex gap-2">
                  <span
                    aria-hidden
                    className={
                      g.passed ? (g.changed ? 'text-amber-600' : 'text-emerald-700') : 'text-rose-700'
                    }
                  >
                    {g.passed ? (g.changed ? '◐' : '✓') : '✗'}
                  </span>
                  <span>
                    {g.text}
                    <span className="ml-1 text-xs text-slate-500">
                      ({g.passed ? (g.changed ? 'passed, changed the action' : 'passed') : 'blocked'})
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section>
          <h4 className="text-xs font-semibold text-slate-700 uppercase">Risks</h4>
          {risks.length === 0 ? (
            <p className="mt-1 text-slate-500">None noted.</p>
          ) : (
            <ul className="mt-1 list-disc space-y-1 pl-5">
              {risks.map((risk) => (
                <li key={risk}>{risk}</li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <p className="text-xs text-slate-500">
        Decided {formatDateTime(rec.createdAt, timeZone)}
        {rec.runId ? ` · run ${rec.runId.slice(0, 8)}` : ''}
        {rec.reviewedAt
          ? ` · ${titleCase(rec.status)}${rec.reviewedBy?.username ? ` by ${rec.reviewedBy.username}` : ''} ${formatDateTime(rec.reviewedAt, timeZone)}`
          : ''}
        {` · settings v${rec.settingsVersionId} · engine ${rec.engineVersion}`}
        {rec.comment ? ` · “${rec.comment}”` : ''}
      </p>
    </div>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="font-medium tabular-nums">{value}</dd>
    </div>
  );
}
