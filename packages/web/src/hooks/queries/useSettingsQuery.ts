import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type {
  Settings,
  SettingsDiff,
  SettingsSaved,
  SettingsValidation,
  SettingsVersion,
} from '../../api/types.ts';

export function useSettingsQuery() {
  return useQuery({ queryKey: ['settings'], queryFn: () => api.get<Settings>('/api/settings') });
}

export function useSettingsVersionsQuery() {
  return useQuery({
    queryKey: ['settings', 'versions'],
    queryFn: async () => (await api.get<{ versions: SettingsVersion[] }>('/api/settings/versions')).versions,
  });
}

export function useSettingsDiffQuery(from: number | undefined, to: number | undefined) {
  return useQuery({
    queryKey: ['settings', 'diff', from, to],
    enabled: from !== undefined && to !== undefined,
    queryFn: () => api.get<SettingsDiff>('/api/settings/diff', { from, to }),
  });
}

export function useValidateSettingsMutation() {
  return useMutation({
    mutationFn: (yaml: string) => api.post<SettingsValidation>('/api/settings/validate', { yaml }),
  });
}

export function useSaveSettingsMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { yaml: string; comment?: string }) =>
      api.put<SettingsSaved>('/api/settings', {
        yaml: input.yaml,
        ...(input.comment?.trim() ? { comment: input.comment.trim() } : {}),
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['settings'] }),
  });
}
