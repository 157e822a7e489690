import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  createChannel,
  createPolicy,
  deleteChannel,
  deletePolicy,
  fetchChannelDeliveries,
  fetchChannelKinds,
  fetchChannels,
  fetchPolicies,
  previewRoutes,
  reorderPolicies,
  sendChannelTest,
  updateChannel,
  updatePolicy,
} from "../../api/channels";
import type { ApiError } from "../../api/client";
import type {
  ChannelInput,
  ChannelPatch,
  ChannelTestRequest,
  NotificationChannel,
  NotificationPolicy,
  PolicyInput,
  PolicyPatch,
  RoutePreview,
  RoutePreviewRequest,
  TestSendResult,
} from "../../types/alerts";
import type { Paginated } from "../../types/monitoring";
import { channelKeys, integrationKeys, policyKeys } from "../queryKeys";

export function useChannels({ enabled = true } = {}) {
  return useQuery({
    queryKey: channelKeys.list(),
    queryFn: ({ signal }) => fetchChannels(signal),
    enabled,
  });
}

/** The kinds change only with a deployment. */
export function useChannelKinds({ enabled = true } = {}) {
  return useQuery({
    queryKey: channelKeys.kinds(),
    queryFn: ({ signal }) => fetchChannelKinds(signal),
    staleTime: Infinity,
    enabled,
  });
}

export function useChannelDeliveries(id: number, { enabled = true } = {}) {
  return useQuery({
    queryKey: channelKeys.deliveries(id),
    queryFn: ({ signal }) => fetchChannelDeliveries(id, signal),
    enabled,
  });
}

/** A channel change shows in the channel list, the policies naming it and the integrations' status. */
async function afterChannelChange(queryClient: ReturnType<typeof useQueryClient>): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: channelKeys.list() }),
    queryClient.invalidateQueries({ queryKey: policyKeys.all }),
    queryClient.invalidateQueries({ queryKey: integrationKeys.all }),
  ]);
}

export function useCreateChannel() {
  const queryClient = useQueryClient();
  return useMutation<NotificationChannel, ApiError, ChannelInput>({
    mutationFn: createChannel,
    onSuccess: () => afterChannelChange(queryClient),
  });
}

export function useUpdateChannel() {
  const queryClient = useQueryClient();
  return useMutation<NotificationChannel, ApiError, { id: number; patch: ChannelPatch }>({
    mutationFn: ({ id, patch }) => updateChannel(id, patch),
    onSuccess: () => afterChannelChange(queryClient),
  });
}

export function useDeleteChannel() {
  const queryClient = useQueryClient();
  return useMutation<undefined, ApiError, number>({
    mutationFn: deleteChannel,
    onSuccess: () => afterChannelChange(queryClient),
  });
}

/** A test send is a delivery of the channel: its list and its counts change. */
export function useChannelTest(id: number) {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: channelKeys.list() }),
      queryClient.invalidateQueries({ queryKey: channelKeys.deliveries(id) }),
    ]);
  return useMutation<TestSendResult, ApiError, ChannelTestRequest>({
    mutationFn: (request) => sendChannelTest(id, request),
    onSettled: refresh,
  });
}

export function usePolicies({ enabled = true } = {}) {
  return useQuery({
    queryKey: policyKeys.list(),
    queryFn: ({ signal }) => fetchPolicies(signal),
    enabled,
  });
}

export function useCreatePolicy() {
  const queryClient = useQueryClient();
  return useMutation<NotificationPolicy, ApiError, PolicyInput>({
    mutationFn: createPolicy,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: policyKeys.all }),
  });
}

export function useUpdatePolicy() {
  const queryClient = useQueryClient();
  return useMutation<NotificationPolicy, ApiError, { id: number; patch: PolicyPatch }>({
    mutationFn: ({ id, patch }) => updatePolicy(id, patch),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: policyKeys.all }),
  });
}

export function useDeletePolicy() {
  const queryClient = useQueryClient();
  return useMutation<undefined, ApiError, number>({
    mutationFn: deletePolicy,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: policyKeys.all }),
  });
}

interface ReorderContext {
  previous: Paginated<NotificationPolicy> | undefined;
}

/**
 * A new order, shown at once (the list moves as it was dragged) and put back as it was when the
 * server refuses it.
 */
export function useReorderPolicies() {
  const queryClient = useQueryClient();
  return useMutation<NotificationPolicy[], ApiError, readonly number[], ReorderContext>({
    mutationFn: reorderPolicies,
    onMutate: async (order) => {
      await queryClient.cancelQueries({ queryKey: policyKeys.list() });
      const previous = queryClient.getQueryData<Paginated<NotificationPolicy>>(policyKeys.list());
      if (previous) {
        const byId = new Map(previous.results.map((policy) => [policy.id, policy]));
        const results = order.flatMap((id, position) => {
          const policy = byId.get(id);
          return policy ? [{ ...policy, position }] : [];
        });
        queryClient.setQueryData(policyKeys.list(), { ...previous, results });
      }
      return { previous };
    },
    onError: (_error, _order, context) => {
      if (context?.previous) queryClient.setQueryData(policyKeys.list(), context.previous);
    },
    onSuccess: (policies) => {
      const previous = queryClient.getQueryData<Paginated<NotificationPolicy>>(policyKeys.list());
      if (previous) queryClient.setQueryData(policyKeys.list(), { ...previous, results: policies, count: policies.length });
    },
  });
}

/** "Where would this alert go?": nothing is sent or cached. */
export function usePreviewRoutes() {
  return useMutation<RoutePreview, ApiError, RoutePreviewRequest>({ mutationFn: previewRoutes });
}
