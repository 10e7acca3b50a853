import { useState, type FormEvent } from 'react';
import { Logo } from '../components/Logo.tsx';
import { Navigate, useSearchParams } from 'react-router';
import { ApiError, describeError } from '../api/client.ts';
import { Loading } from '../components/StateMessage.tsx';
import { useLoginMutation, useMeQuery } from '../hooks/queries/useMeQuery.ts';

function safeNext(next: string | null): string {
  // Only same-site paths: a crafted ?next=https://elsewhere must not send the user away after login.
  return next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const [params] = useSearchParams();
  const me = useMeQuery();
  const login = useLoginMutation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const next = safeNext(params.get('next'));

  if (me.data) return <Navigate to={next} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ username: username.trim(), password });
  };

  const error = login.error;
  const message =
    error instanceof ApiError && error.status === 401
      ? 'Wrong username or password.'
      : error
        ? describeError(error)
        : null;

  return (
    <div className="flex min-h-screen items-center justify-center bg-slate-900 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2 text-xl font-semibold text-white">
          <Logo className="size-8" />
          ROAS Pilot
        </div>
        <form onSubmit={onSubmit} className="rounded-xl bg-white p-6 shadow-xl" aria-label="Sign in">
          <h1 className="text-lg font-semibold">Sign in</h1>
          <p className="mt-1 text-sm text-slate-600">Review today's budget recommendations.</p>
          {me.isPending ? <Loading what="your session" /> : null}
          <label className="mt-5 block text-sm font-medium" htmlFor="username">
            Username
          </label>
          <input
            id="username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-slate-500 focus:outline-none"
          />
          <label className="mt-4 block text-sm font-medium" htmlFor="password">
            Password
          </label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 focus:border-slate-500 focus:outline-none"
          />
          {message ? (
            <p role="alert" className="mt-4 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
              {message}
            </p>
          ) : null}
          <button
            type="submit"
            disabled={login.isPending}
            className="mt-5 w-full rounded-md bg-slate-900 px-3 py-2 font-medium text-white hover:bg-slate-800 disabled:opacity-60"
          >
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </button>
          <p className="mt-4 text-xs text-slate-500">
            First run? The server printed the <code>admin</code> password when it started (or used{' '}
            <code>ROAS_ADMIN_PASSWORD</code>). Add people with <code>npx roas users add</code>.
          </p>
        </form>
      </div>
    </div>
  );
}
