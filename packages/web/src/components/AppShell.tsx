import { Suspense } from 'react';
import { Logo } from './Logo.tsx';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { SessionContext } from '../auth/session.ts';
import { useLogoutMutation, useMeQuery } from '../hooks/queries/useMeQuery.ts';
import { ErrorMessage, Loading } from './StateMessage.tsx';

const NAV = [
  { to: '/', label: 'Recommendations', end: true },
  { to: '/history', label: 'History' },
  { to: '/outcomes', label: 'Outcomes' },
  { to: '/models', label: 'Models' },
  { to: '/accounts', label: 'Accounts' },
  { to: '/settings', label: 'Settings' },
] as const;

const ROLE_HINT = {
  viewer: 'can read everything',
  approver: 'can approve and reject',
  admin: 'can change settings, users and accounts',
} as const;

/** Every signed-in page: the header with navigation and who is signed in, then the page. */
export function AppShell() {
  const me = useMeQuery();
  const location = useLocation();
  const navigate = useNavigate();
  const logout = useLogoutMutation();

  if (me.isPending) {
    return (
      <div className="mx-auto max-w-6xl px-4">
        <Loading what="your session" />
      </div>
    );
  }
  if (me.isError) {
    return (
      <div className="mx-auto max-w-6xl px-4">
        <ErrorMessage error={me.error} what="your session" onRetry={() => void me.refetch()} />
      </div>
    );
  }
  if (me.data === null) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  const { user } = me.data;

  return (
    <SessionContext.Provider value={me.data}>
      <div className="min-h-screen">
        <header className="sticky top-0 z-30 border-b border-slate-800 bg-slate-900 text-slate-100">
          <div className="mx-auto flex max-w-7xl items-center gap-4 px-4 py-2">
            <NavLink to="/" className="flex shrink-0 items-center gap-2 font-semibold tracking-tight">
              <Logo className="size-6" />
              ROAS Pilot
            </NavLink>
            <nav aria-label="Main" className="hidden gap-1 md:flex">
              {NAV.map((item) => (
                <NavItem key={item.to} {...item} />
              ))}
            </nav>
            <div className="ml-auto flex items-center gap-3 text-sm">
              <span className="hidden text-right leading-tight sm:block" data-testid="signed-in-user">
                <span className="block font-medium">{user.username}</span>
                <span className="block text-xs text-slate-400" title={ROLE_HINT[user.role]}>
                  {user.role}
                </span>
              </span>
              <button
                type="button"
                onClick={() =>
                  logout.mutate(undefined, { onSettled: () => void navigate('/login', { replace: true }) })
                }
                className="rounded-md border border-slate-600 px-2.5 py-1 text-xs font-medium hover:bg-slate-800"
              >
                Sign out
              </button>
            </div>
          </div>
          <nav
            aria-label="Main (compact)"
            className="flex gap-1 overflow-x-auto border-t border-slate-800 px-2 py-1 md:hidden"
          >
            {NAV.map((item) => (
              <NavItem key={item.to} {...item} />
            ))}
          </nav>
        </header>
        <main className="mx-auto max-w-7xl px-4 pt-4 pb-28">
          <Suspense fallback={<Loading what="the page" />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function NavItem({ to, label, end }: { to: string; label: string; end?: boolean }) {
  return (
    <NavLink
      to={to}
      end={end}
      className={({ isActive }) =>
        `shrink-0 rounded-md px-3 py-1.5 text-sm font-medium ${
          isActive ? 'bg-slate-700 text-white' : 'text-slate-300 hover:bg-slate-800 hover:text-white'
        }`
      }
    >
      {label}
    </NavLink>
  );
}
