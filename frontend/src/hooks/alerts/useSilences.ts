import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiError } from "../../api/client";
import {
  createMaintenanceWindow,
  createSilence,
  deleteMaintenanceWindow,
  deleteSilence,
  expireSilence,
  extendSilence,
  fetchAlertTimeline,
  fetchMaintenanceWindows,
  fetchSilences,
  previewSilence,
  updateMaintenanceWindow,
} from "../../api/silences";
import type {
  LabelMatcher,
  MaintenanceWindow,
  MaintenanceWindowInput,
  Silence,
  SilenceExtendRequest,
  SilenceInput,
  SilenceState,
} from "../../types/alerts";
import { alertKeys, silenceKeys, timelineKeys } from "../queryKeys";

export function useSilences(state: SilenceState | undefined) {
  return useQuery({
    queryKey: silenceKeys.list(state ?? "all"),
    queryFn: ({ signal }) => fetchSilences(state, signal),
  });
}

/** A silence or window changes what holds the alerts: the lists of both, the alerts' silenced_by
 * and their timelines. */
async function afterSilenceChange(queryClient: ReturnType<typeof useQueryClient>): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: silenceKeys.all }),
    queryClient.invalidateQueries({ queryKey: alertKeys.lists() }),
    queryClient.invalidateQueries({ queryKey: alertKeys.details() }),
    queryClient.invalidateQueries({ queryKey: timelineKeys.all }),
  ]);
}

export function useCreateSilence() {
  const queryClient = useQueryClient();
  return useMutation<Silence, ApiError, SilenceInput>({
    mutationFn: createSilence,
    onSuccess: () => afterSilenceChange(queryClient),
  });
}

export function useExpireSilence() {
  const queryClient = useQueryClient();
  return useMutation<Silence, ApiError, number>({
    mutationFn: expireSilence,
    onSettled: () => afterSilenceChange(queryClient),
  });
}

export function useExtendSilence() {
  const queryClient = useQueryClient();
  return useMutation<Silence, ApiError, { id: number; request: SilenceExtendRequest }>({
    mutationFn: ({ id, request }) => extendSilence(id, request),
    onSuccess: () => afterSilenceChange(queryClient),
  });
}

export function useDeleteSilence() {
  const queryClient = useQueryClient();
  return useMutation<undefined, ApiError, number>({
    mutationFn: deleteSilence,
    onSettled: () => afterSilenceChange(queryClient),
  });
}

/**
 * The open alerts `matchers` would hold now, asked again as they change (the caller debounces);
 * the last answer stays while the next one loads. Off while there is no matcher with a label.
 */
export function useSilencePreview(matchers: readonly LabelMatcher[]) {
  const usable = matchers.filter((matcher) => matcher.label.trim() !== "");
  const key = JSON.stringify(usable);
  return useQuery<Awaited<ReturnType<typeof previewSilence>>, ApiError>({
    queryKey: silenceKeys.preview(key),
    queryFn: ({ signal }) => previewSilence(usable, signal),
    enabled: usable.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function useMaintenanceWindows() {
  return useQuery({
    queryKey: silenceKeys.windows(),
    queryFn: ({ signal }) => fetchMaintenanceWindows(signal),
  });
}

export function useSaveMaintenanceWindow() {
  const queryClient = useQueryClient();
  return useMutation<MaintenanceWindow, ApiError, { id: number | null; input: MaintenanceWindowInput }>({
    mutationFn: ({ id, input }) => (id === null ? createMaintenanceWindow(input) : updateMaintenanceWindow(id, input)),
    onSuccess: () => afterSilenceChange(queryClient),
  });
}

export function useDeleteMaintenanceWindow() {
  const queryClient = useQueryClient();
  return useMutation<undefined, ApiError, number>({
    mutationFn: deleteMaintenanceWindow,
    onSettled: () => afterSilenceChange(queryClient),
  });
}

/** An alert's timeline; a 404 (an API without the endpoint yet) is, as every 4xx, not retried. */
export function useAlertTimeline(id: number) {
  return useQuery<Awaited<ReturnType<typeof fetchAlertTimeline>>, ApiError>({
    queryKey: timelineKeys.alert(id),
    queryFn: ({ signal }) => fetchAlertTimeline(id, signal),
    enabled: id > 0,
  });
}
