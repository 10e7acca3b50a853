import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { EntityDetail } from '../../api/types.ts';

export function useAdSetQuery(id: string | undefined, days: number) {
  return useQuery({
    queryKey: ['adset', id, days],
    enabled: id !== undefined,
    placeholderData: keepPreviousData,
    queryFn: () => api.get<EntityDetail>(`/api/adsets/${encodeURIComponent(id ?? '')}`, { days }),
  });
}
