import { infiniteQueryOptions, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { RecommendationFilters, RecommendationPage, ReviewResult, RunSummary } from '../../api/types.ts';

const PAGE_SIZE = 200;

export const FILTER_KEYS = [
  'account',
  'action',
  'confidence',
  'audience',
  'stage',
  'status',
  'from',
  'to',
] as const;

/** The page's filters from its URL; no status means the ones waiting for review. */
export function filtersFromSearch(params: URLSearchParams): RecommendationFilters {
  const filters: RecommendationFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  filters.status ??= 'pending';
  return filters;
}

/** What the API is asked for: "all" statuses is no status filter at all. */
export function toApiFilters(filters: RecommendationFilters): RecommendationFilters {
  return { ...filters, status: filters.status === 'all' ? undefined : filters.status };
}

export function recommendationsQueryOptions(filters: RecommendationFilters) {
  return infiniteQueryOptions({
    queryKey: ['recommendations', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get<RecommendationPage>('/api/recommendations', {
        ...filters,
        cursor: pageParam,
        limit: PAGE_SIZE,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useRecommendationsQuery(filters: RecommendationFilters) {
  return useInfiniteQuery(recommendationsQueryOptions(filters));
}

export type Decision = 'approve' | 'reject';

/** Approve or reject one or many; everything showing recommendations is refetched afterwards. */
export function useReviewMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { ids: string[]; decision: Decision; comment?: string }) => {
      const comment = input.comment?.trim() ? input.comment.trim() : undefined;
      const [only] = input.ids;
      if (input.ids.length === 1 && only !== undefined) {
        return api.post<ReviewResult>(`/api/recommendations/${encodeURIComponent(only)}/${input.decision}`, {
          comment,
        });
      }
      return api.post<ReviewResult>('/api/recommendations/review', {
        ids: input.ids,
        decision: input.decision,
        comment,
      });
    },
    onSettled: () => invalidateDecisions(queryClient),
  });
}

export function useRunMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (accountId: string | undefined) =>
      api.post<RunSummary>('/api/recommendations/run', accountId ? { accountId } : {}),
    onSettled: () => invalidateDecisions(queryClient),
  });
}

function invalidateDecisions(queryClient: ReturnType<typeof useQueryClient>): Promise<void> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ['recommendations'] }),
    queryClient.invalidateQueries({ queryKey: ['history'] }),
    queryClient.invalidateQueries({ queryKey: ['adset'] }),
    queryClient.invalidateQueries({ queryKey: ['accounts'] }),
  ]).then(() => undefined);
}
