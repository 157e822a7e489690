export const paths = {
  login: "/login",
  dashboard: "/dashboard",
  errors: "/errors",
  errorDetail: "/errors/:id",
} as const;

/** The page of one error group. */
export function errorDetailPath(id: number): string {
  return `${paths.errors}/${id}`;
}

/** The login page, remembering where the user was going unless that is the start page anyway. */
export function loginPathFor(next: string): string {
  if (next === "/" || next === paths.dashboard || next.startsWith(paths.login)) {
    return paths.login;
  }
  return `${paths.login}?${new URLSearchParams({ next }).toString()}`;
}

/**
 * Where to go after signing in: the `next` parameter when it is a page of this site, the
 * dashboard otherwise, so that a crafted link cannot send the user to another site.
 */
export function safeNextPath(next: string | null): string {
  if (!next?.startsWith("/")) {
    return paths.dashboard;
  }
  const url = new URL(next, window.location.origin);
  if (url.origin !== window.location.origin || url.pathname.startsWith(paths.login)) {
    return paths.dashboard;
  }
  return url.pathname + url.search + url.hash;
}
