import { useState, type MouseEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, describeError } from '../api/client.ts';
import type { Account } from '../api/types.ts';
import { useCan } from '../auth/session.ts';
import { EmptyState, ErrorMessage, Loading } from '../components/StateMessage.tsx';
import { useAccountsQuery } from '../hooks/queries/useAccountsQuery.ts';
import { formatDateTime, formatRelative, titleCase } from '../lib/format.ts';

const DAY_MS = 86_400_000;

function tokenNote(account: Account): { text: string; isWarning: boolean } | null {
  if (account.source !== 'meta') return null;
  if (!account.tokenExpiresAt) return { text: 'Token does not expire', isWarning: false };
  const daysLeft = Math.floor((new Date(account.tokenExpiresAt).getTime() - Date.now()) / DAY_MS);
  if (daysLeft < 0) return { text: 'Token expired: reconnect', isWarning: true };
  return { text: `Token expires ${formatRelative(account.tokenExpiresAt)}`, isWarning: daysLeft <= 7 };
}

export function AccountsPage() {
  const isAdmin = useCan('admin');
  const accounts = useAccountsQuery();
  const [params] = useSearchParams();
  const connected = params.get('connected');

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Accounts</h1>
        <p className="text-sm text-slate-600">
          The ad accounts ROAS Pilot reads, and how healthy each connection is.
        </p>
      </div>
      {connected ? (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          Connected: {connected.split(',').join(', ')}. The first sync reads the last 90 days.
        </p>
      ) : null}

      {accounts.isPending ? <Loading what="accounts" /> : null}
      {accounts.isError ? (
        <ErrorMessage error={accounts.error} what="accounts" onRetry={() => void accounts.refetch()} />
      ) : null}
      {accounts.isSuccess && accounts.data.length === 0 ? (
        <EmptyState title="No ad account yet.">
          <p>
            Connect one below, or import an Ads Manager export with <code>npx roas import</code>.
          </p>
        </EmptyState>
      ) : null}
      {accounts.data && accounts.data.length > 0 ? (
        <ul className="grid gap-3 md:grid-cols-2" data-testid="accounts">
          {accounts.data.map((account) => {
            const token = tokenNote(account);
            return (
              <li key={account.id} className="rounded-lg border border-slate-200 bg-white p-4">
                <div className="flex items-start justify-between gap-2">
                  <div className="min-w-0">
                    <Link
                      to={`/accounts/${encodeURIComponent(account.id)}`}
                      className="font-semibold text-slate-900 hover:underline"
                    >
                      {account.name}
                    </Link>
                    <div className="font-mono text-xs text-slate-500">{account.id}</div>
                  </div>
                  {account.killSwitch.isOn ? (
                    <span
                      className="rounded bg-rose-600 px-2 py-0.5 text-xs font-semibold text-white"
                      title={account.killSwitch.reason ?? ''}
                    >
                      Kill switch on
                    </span>
                  ) : null}
                </div>
                <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
                  <dt className="text-slate-500">Source</dt>
                  <dd>
                    {account.source === 'meta'
                      ? 'Meta (connected)'
                      : account.source === 'csv'
                        ? 'CSV import'
                        : titleCase(account.source)}
                  </dd>
                  <dt className="text-slate-500">Currency · time zone</dt>
                  <dd>
                    {account.currency} · {account.timezone}
                  </dd>
                  <dt className="text-slate-500">Changes</dt>
                  <dd>{titleCase(account.executionMode.replaceAll('_', ' '))}</dd>
                  <dt className="text-slate-500">Last sync</dt>
                  <dd title={formatDateTime(account.lastSyncedAt, account.timezone)}>
                    {formatRelative(account.lastSyncedAt)}
                  </dd>
                </dl>
                {account.syncBlockedReason ? (
                  <p className="mt-2 rounded bg-rose-50 px-2 py-1 text-sm text-rose-800">
                    Sync stopped: {account.syncBlockedReason}
                  </p>
                ) : null}
                {token ? (
                  <p
                    className={`mt-2 text-sm ${token.isWarning ? 'font-medium text-amber-700' : 'text-slate-500'}`}
                  >
                    {token.text}
                  </p>
                ) : null}
                <Link
                  to={`/accounts/${encodeURIComponent(account.id)}`}
                  className="mt-3 inline-block text-sm font-medium text-sky-700 hover:underline"
                >
                  Health and ad sets →
                </Link>
              </li>
            );
          })}
        </ul>
      ) : null}

      <section aria-labelledby="connect" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="connect" className="text-lg font-semibold">
          Connect a Meta ad account
        </h2>
        {isAdmin ? (
          <div className="mt-2 space-y-4 text-sm text-slate-700">
            <div>
              <p>
                Sign in with Facebook and choose the ad accounts to read. ROAS Pilot asks only for ads read
                access and the right to change budgets you approve.
              </p>
              <ConnectWithFacebook />
              <p className="mt-1 text-xs text-slate-500">
                Needs <code>META_APP_ID</code>, <code>META_APP_SECRET</code> and{' '}
                <code>META_REDIRECT_URI</code> on the server; without them the server answers that Meta login
                is not configured.
              </p>
            </div>
            <div>
              <p className="font-medium">Or use a system-user token</p>
              <p>
                In Business Settings → System users, generate a token with <code>ads_read</code> and{' '}
                <code>ads_management</code>, then on the server run:
              </p>
              <pre className="mt-1 overflow-x-auto rounded bg-slate-900 px-3 py-2 text-xs text-slate-100">
                npx roas accounts add --token &lt;token&gt;{'\n'}npx roas sync
              </pre>
              <p className="mt-1 text-xs text-slate-500">
                The token is stored encrypted; it never passes through the browser.
              </p>
            </div>
          </div>
        ) : (
          <p className="mt-2 text-sm text-slate-600">
            Only an admin can connect accounts. Ask one to connect yours.
          </p>
        )}
      </section>
    </div>
  );
}

const META_START = '/api/auth/meta/start?returnTo=/accounts';

/**
 * The OAuth start link. It asks first, without following the redirect, so that a server without Meta
 * app credentials answers in words here instead of showing a bare JSON error page.
 */
function ConnectWithFacebook() {
  const [problem, setProblem] = useState<string | null>(null);
  const [isChecking, setIsChecking] = useState(false);
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    setProblem(null);
    setIsChecking(true);
    fetch(META_START, { redirect: 'manual', credentials: 'same-origin' })
      .then(async (response) => {
        if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
          window.location.assign(META_START);
          return;
        }
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new ApiError(
          response.status,
          'meta_start',
          body?.error?.message ?? `status ${response.status}`,
        );
      })
      .catch((error: unknown) => setProblem(describeError(error)))
      .finally(() => setIsChecking(false));
  };
  return (
    <div>
      <a
        href={META_START}
        onClick={onClick}
        aria-disabled={isChecking}
        className="mt-2 inline-flex items-center gap-2 rounded-md bg-[#1877f2] px-3 py-2 font-semibold text-white hover:bg-[#166fe5]"
      >
        {isChecking ? 'Opening Facebook…' : 'Connect with Facebook'}
      </a>
      {problem ? (
        <p role="alert" className="mt-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
          Cannot start the Facebook login: {problem}
        </p>
      ) : null}
    </div>
  );
}
