import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { ThresholdProposal } from '../../api/types.ts';

export function useThresholdProposalsQuery() {
  return useQuery({
    queryKey: ['settings', 'proposals'],
    queryFn: async () =>
      (await api.get<{ proposals: ThresholdProposal[] }>('/api/settings/proposals')).proposals,
  });
}

/** Approve or reject; an approval saves a settings version, so every settings query is refreshed. */
export function useDecideProposalMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; decision: 'approve' | 'reject' }) =>
      api.post<{ proposal: ThresholdProposal; settingsVersion: number | null }>(
        `/api/settings/proposals/${encodeURIComponent(input.id)}/${input.decision}`,
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['settings'] }),
  });
}
