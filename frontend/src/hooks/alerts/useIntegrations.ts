import { useMutation, useQuery } from "@tanstack/react-query";
import { fetchIntegrations, sendTestEmail, sendTestSlack } from "../../api/alerts";
import type { ApiError } from "../../api/client";
import { integrationKeys } from "../queryKeys";
import type { TestEmailRequest, TestSendResult, TestSlackRequest } from "../../types/alerts";


export function useIntegrations() {
  return useQuery({
    queryKey: integrationKeys.status(),
    queryFn: ({ signal }) => fetchIntegrations(signal),
  });
}

/** Test sends change no list: a test delivery belongs to no alert and counts in no statistic. */
export function useTestSlack() {
  return useMutation<TestSendResult, ApiError, TestSlackRequest>({ mutationFn: sendTestSlack });
}

export function useTestEmail() {
  return useMutation<TestSendResult, ApiError, TestEmailRequest>({ mutationFn: sendTestEmail });
}
