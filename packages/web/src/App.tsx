import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiError } from './api/client.ts';
import { AppShell } from './components/AppShell.tsx';
import { ME_KEY } from './hooks/queries/useMeQuery.ts';
import {
  filtersFromSearch,
  recommendationsQueryOptions,
  toApiFilters,
} from './hooks/queries/useRecommendationsQuery.ts';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { RecommendationsPage } from './pages/RecommendationsPage.tsx';

// The main page ships in the first bundle; the rest (and recharts) load when first opened.
const AdSetPage = lazy(() => import('./pages/AdSetPage.tsx').then((m) => ({ default: m.AdSetPage })));
const HistoryPage = lazy(() => import('./pages/HistoryPage.tsx').then((m) => ({ default: m.HistoryPage })));
const OutcomesPage = lazy(() =>
  import('./pages/OutcomesPage.tsx').then((m) => ({ default: m.OutcomesPage })),
);
const SettingsPage = lazy(() =>
  import('./pages/SettingsPage.tsx').then((m) => ({ default: m.SettingsPage })),
);
const ModelsPage = lazy(() => import('./pages/ModelsPage.tsx').then((m) => ({ default: m.ModelsPage })));
const AccountsPage = lazy(() =>
  import('./pages/AccountsPage.tsx').then((m) => ({ default: m.AccountsPage })),
);
const AccountHealthPage = lazy(() =>
  import('./pages/AccountHealthPage.tsx').then((m) => ({ default: m.AccountHealthPage })),
);

function createQueryClient(): QueryClient {
  // A 401 anywhere means the session ended (expired, or signed out elsewhere): back to the login page.
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) queryClient.setQueryData(ME_KEY, null);
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
  return queryClient;
}

const queryClient = createQueryClient();

// The main page's data is asked for while React starts and the session is checked, not after: the
// list is what a media buyer opens the dashboard for, and the two requests then run side by side.
if (window.location.pathname === '/' || window.location.pathname === '/recommendations') {
  const filters = toApiFilters(filtersFromSearch(new URLSearchParams(window.location.search)));
  void queryClient.prefetchInfiniteQuery(recommendationsQueryOptions(filters));
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route element={<AppShell />}>
            <Route index element={<RecommendationsPage />} />
            <Route path="recommendations" element={<RecommendationsPage />} />
            <Route path="adsets/:id" element={<AdSetPage />} />
            <Route path="history" element={<HistoryPage />} />
            <Route path="outcomes" element={<OutcomesPage />} />
            <Route path="models" element={<ModelsPage />} />
            <Route path="settings" element={<SettingsPage />} />
            <Route path="accounts" element={<AccountsPage />} />
            <Route path="accounts/:id" element={<AccountHealthPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
