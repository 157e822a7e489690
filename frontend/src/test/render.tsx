import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { MemoryRouter, useLocation } from "react-router";
import { createQueryClient } from "../api/queryClient";
import { AppRoutes } from "../AppRoutes";
import { SignedInUserContext } from "../hooks/auth/signedInUser";
import type { User } from "../types/auth";
import { admin } from "./server";

/** Shows the router's location, so that a test can see where the app navigated. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

function renderWithProviders(ui: ReactNode, path: string) {
  // No retries: a test states each answer of the server once.
  const queryClient = createQueryClient({ queries: { retry: false } });
  const user = userEvent.setup();
  const result = render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        {ui}
        <LocationProbe />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, user, queryClient };
}

/** The whole app, as the browser would show it at `path`. */
export function renderApp(path: string) {
  return renderWithProviders(<AppRoutes />, path);
}

/** One component with the app's providers around it, as `user` (who may do everything by default). */
export function renderComponent(ui: ReactNode, path = "/", user: User = admin) {
  return renderWithProviders(<SignedInUserContext value={user}>{ui}</SignedInUserContext>, path);
}

/** The `index`th of `elements`, failing the test when there is none. */
export function nth(elements: readonly HTMLElement[], index: number): HTMLElement {
  const element = elements[index];
  if (!element) throw new Error(`expected at least ${index + 1} elements, found ${elements.length}`);
  return element;
}
