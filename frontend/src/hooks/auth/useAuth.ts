import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useNavigate } from "react-router";
import { fetchCurrentUser, login, logout } from "../../api/auth";
import { setUnauthorizedHandler, type ApiError } from "../../api/client";
import { paths } from "../../routes/paths";
import type { LoginCredentials, User } from "../../types/auth";

export const authKeys = {
  all: ["auth"] as const,
  me: () => [...authKeys.all, "me"] as const,
};

/** Who is signed in: a user, null for nobody, undefined while the first answer is pending. */
export function useCurrentUser() {
  return useQuery({
    queryKey: authKeys.me(),
    queryFn: ({ signal }) => fetchCurrentUser(signal),
    staleTime: 5 * 60_000,
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation<User, ApiError, LoginCredentials>({
    mutationFn: login,
    onSuccess: (user) => {
      // Nothing cached for a previous session may show in this one.
      queryClient.removeQueries();
      queryClient.setQueryData(authKeys.me(), user);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: logout,
    onSuccess: () => {
      void navigate(paths.login, { replace: true });
      queryClient.removeQueries();
      queryClient.setQueryData(authKeys.me(), null);
    },
  });
}

/**
 * Any 401 from the API means the session has ended: forget the user, and `RequireAuth` sends
 * them to the login page with the page they were on as the place to return to.
 */
export function useSessionExpiryRedirect(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      setUnauthorizedHandler(() => {
        queryClient.setQueryData(authKeys.me(), null);
      }),
    [queryClient],
  );
}
