import type { ThresholdProposal } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import {
  useDecideProposalMutation,
  useThresholdProposalsQuery,
} from '../hooks/queries/useThresholdProposalsQuery.ts';
import { formatDateTime } from '../lib/format.ts';
import { EmptyState, ErrorMessage, InlineError, Loading } from './StateMessage.tsx';

const money = (value: number | undefined) =>
  value === undefined ? '?' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
const share = (value: number | undefined) => (value === undefined ? '?' : `${(value * 100).toFixed(1)}%`);

function Effect({ effect }: { effect: ThresholdProposal['expectedEffect'] }) {
  if (effect === null) return <span className="text-slate-500">Expected effect not measured.</span>;
  const [low, high] = effect.trueProfitDeltaInterval ?? [];
  return (
    <span>
      Simulator ({effect.seeds} markets × {effect.days} days, {effect.scenario}): true profit{' '}
      {money(effect.trueProfitDelta)} per market [{money(low)}, {money(high)}], gap closed{' '}
      {share(effect.gapClosedBefore)} → {share(effect.gapClosedAfter)}. {effect.verdict}
    </span>
  );
}

/** Bounded rule changes proposed from outcome hit rates; only an admin can apply one. */
export function ThresholdProposals() {
  const isAdmin = useCan('admin');
  const proposals = useThresholdProposalsQuery();
  const decide = useDecideProposalMutation();
  const open = (proposals.data ?? []).filter((p) => p.status === 'proposed');
  const decided = (proposals.data ?? []).filter((p) => p.status === 'approved' || p.status === 'rejected');

  return (
    <section className="space-y-3" data-testid="threshold-proposals">
      <h2 className="text-lg font-semibold">Proposed threshold changes</h2>
      <p className="text-sm text-slate-600">
        Made from how past recommendations turned out (7-day outcome hit rates), each bounded to one small
        step and measured on the simulator. Nothing changes until an admin approves; an approval saves a new
        version.
      </p>
      {proposals.isPending ? <Loading what="the proposals" /> : null}
      {proposals.isError ? (
        <ErrorMessage error={proposals.error} what="the proposals" onRetry={() => void proposals.refetch()} />
      ) : null}
      {proposals.isSuccess && open.length === 0 ? (
        <EmptyState title="No open proposals.">
          <p>
            Proposals appear once enough outcomes are measured (run <code>roas thresholds propose</code>, or
            the scheduled job).
          </p>
        </EmptyState>
      ) : null}
      {decide.isError ? <InlineError error={decide.error} /> : null}
      <ul className="space-y-2">
        {open.map((proposal) => (
          <li key={proposal.id} className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
            <p className="font-medium">{proposal.title}</p>
            <p className="text-slate-700">{proposal.reason}</p>
            <p className="text-xs text-slate-600">
              Evidence: {proposal.evidence.group}: {proposal.evidence.hits} hits, {proposal.evidence.misses}{' '}
              misses (hit rate {share(proposal.evidence.hitRate)}, 90% interval{' '}
              {share(proposal.evidence.interval?.[0])}–{share(proposal.evidence.interval?.[1])};{' '}
              {proposal.evidence.trigger}).
            </p>
            <p className="text-xs text-slate-600">
              <Effect effect={proposal.expectedEffect} />
            </p>
            <p className="text-xs text-slate-500">
              {proposal.changes.map((c) => `${c.path.join('.')}: ${c.from} → ${c.to}`).join('; ')} · proposed{' '}
              {formatDateTime(proposal.createdAt)}
            </p>
            {isAdmin ? (
              <div className="mt-2 flex gap-2">
                <button
                  type="button"
                  disabled={decide.isPending}
                  onClick={() => decide.mutate({ id: proposal.id, decision: 'approve' })}
                  className="rounded-md bg-emerald-700 px-3 py-1 text-white hover:bg-emerald-800 disabled:opacity-50"
                >
                  Approve
                </button>
                <button
                  type="button"
                  disabled={decide.isPending}
                  onClick={() => decide.mutate({ id: proposal.id, decision: 'reject' })}
                  className="rounded-md px-3 py-1 text-slate-700 hover:bg-slate-100 disabled:opacity-50"
                >
                  Reject
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {decided.length > 0 ? (
        <p className="text-xs text-slate-500">
          Decided: {decided.map((p) => `${p.title} (${p.status})`).join('; ')}.
        </p>
      ) : null}
    </section>
  );
}
