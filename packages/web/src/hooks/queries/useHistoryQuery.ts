import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { HistoryPage, OutcomeSummary } from '../../api/types.ts';

export function useHistoryQuery(filters: { account?: string }) {
  return useInfiniteQuery({
    queryKey: ['history', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get<HistoryPage>('/api/history', { ...filters, cursor: pageParam, limit: 100 }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useOutcomesQuery() {
  return useQuery({ queryKey: ['outcomes'], queryFn: () => api.get<OutcomeSummary>('/api/outcomes') });
}
