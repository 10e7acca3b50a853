import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Account, AccountHealth, AdSetList } from '../../api/types.ts';

export function useAccountsQuery() {
  return useQuery({
    queryKey: ['accounts'],
    queryFn: async () => (await api.get<{ accounts: Account[] }>('/api/accounts')).accounts,
    staleTime: 60_000,
  });
}

export function useAdSetsQuery(accountId: string | undefined) {
  return useQuery({
    queryKey: ['accounts', accountId, 'adsets'],
    enabled: accountId !== undefined,
    queryFn: () => api.get<AdSetList>(`/api/accounts/${encodeURIComponent(accountId ?? '')}/adsets`),
  });
}

export function useAccountHealthQuery(accountId: string | undefined) {
  return useQuery({
    queryKey: ['accounts', accountId, 'health'],
    enabled: accountId !== undefined,
    queryFn: () => api.get<AccountHealth>(`/api/accounts/${encodeURIComponent(accountId ?? '')}/health`),
  });
}
