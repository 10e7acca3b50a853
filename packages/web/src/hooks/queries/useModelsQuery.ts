import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { ModelsView } from '../../api/types.ts';

export function useModelsQuery(account: string | undefined) {
  return useQuery({
    queryKey: ['models', account ?? null],
    queryFn: () => api.get<ModelsView>('/api/models', { account }),
  });
}
