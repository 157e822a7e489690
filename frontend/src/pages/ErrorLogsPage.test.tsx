import { screen, waitFor, within } from "@testing-library/react";
import { delay, http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { errorEntry, page } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, server, setCookie, watchRequests } from "../test/server";
import type { ErrorBulkRequest, ErrorLogEntry, Paginated } from "../types/monitoring";

const payment = errorEntry({ id: 1, message: "payment 42 failed", logger: "payments" });
const timeout = errorEntry({
  id: 2,
  level: "CRITICAL",
  service: "checkout",
  message: "TimeoutError: upstream did not answer",
  exception_type: "TimeoutError",
  logger: "django.request",
  path: "/api/checkout/",
  method: "POST",
  user: "ops",
  occurrences: 17,
});

/** The error list answering `answer` for every query; the queries it was asked are in `seen`. */
function errorList(answer: (params: URLSearchParams) => Paginated<ErrorLogEntry>) {
  return http.get("/api/monitoring/errors/", ({ request }) => HttpResponse.json(answer(new URL(request.url).searchParams)));
}

function table() {
  return screen.getByRole("table", { name: "Error groups" });
}

function listRequests(requests: URL[]): string[] {
  return requests.filter((url) => url.pathname === "/api/monitoring/errors/").map((url) => url.search);
}

describe("ErrorLogsPage", () => {
  beforeEach(() => {
    server.use(handlers.signedInAs(admin));
    setCookie("csrftoken", "t");
  });

  it("says it is loading", async () => {
    server.use(
      http.get("/api/monitoring/errors/", async () => {
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );

    renderApp("/errors");

    expect(await screen.findByText("Loading the error log…")).toHaveAttribute("role", "status");
    expect(document.title).toBe("Error logs · Resee Alerts");
  });

  it("says when nothing has been logged", async () => {
    server.use(errorList(() => page([])));

    renderApp("/errors");

    expect(await screen.findByText("No errors have been logged.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("says when nothing matches the filters, with a way to clear them", async () => {
    server.use(errorList((params) => (params.has("q") ? page([]) : page([payment]))));
    const { user } = renderApp("/errors?q=nothing");

    expect(await screen.findByText("No errors match these filters.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear filters" }));

    expect(await screen.findByRole("table", { name: "Error groups" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/errors$/);
  });

  it("shows an error with a way to try again", async () => {
    server.use(
      http.get("/api/monitoring/errors/", () => HttpResponse.json({ detail: "Boom." }, { status: 500 }), { once: true }),
      errorList(() => page([payment])),
    );
    const { user } = renderApp("/errors");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load the error log");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));

    expect(await screen.findByRole("table", { name: "Error groups" })).toBeInTheDocument();
  });

  it("lists error groups with their level, counts, times, request and status", async () => {
    server.use(errorList(() => page([timeout, { ...payment, resolved: true }], 2)));

    renderApp("/errors");

    const rows = within(await screen.findByRole("table", { name: "Error groups" })).getAllByRole("row");
    expect(rows).toHaveLength(3);
    const headers = within(nth(rows, 0))
      .getAllByRole("columnheader")
      .map((cell) => cell.textContent);
    expect(headers).toEqual(["", "Level", "Error", "Occurrences", "Last seen", "First seen", "Request", "Status"]);
    const critical = nth(rows, 1);
    expect(within(critical).getByRole("rowheader")).toHaveTextContent("TimeoutError: upstream did not answer");
    expect(critical).toHaveTextContent("Critical");
    // The service it came from: one exporting over OpenTelemetry, or this server (resee).
    expect(within(critical).getByRole("rowheader")).toHaveTextContent("checkout · TimeoutError · logger django.request");
    expect(nth(rows, 2)).toHaveTextContent("resee · logger payments");
    expect(critical).toHaveTextContent("17");
    expect(critical).toHaveTextContent("POST /api/checkout/");
    expect(critical).toHaveTextContent("user ops");
    expect(critical).toHaveTextContent("Open");
    expect(rows[2]).toHaveTextContent("Resolved");
    expect(within(critical).getByRole("link", { name: "TimeoutError: upstream did not answer" })).toHaveAttribute(
      "href",
      "/errors/2",
    );
    expect(screen.getByRole("heading", { level: 2, name: "2 error groups" })).toBeInTheDocument();
  });

  it("applies the filters to the address and the request together", async () => {
    const requests = watchRequests();
    server.use(errorList(() => page([payment])));
    const { user } = renderApp("/errors");
    await screen.findByRole("table", { name: "Error groups" });

    await user.type(screen.getByLabelText("Search"), "payment failed");
    await user.selectOptions(screen.getByLabelText("Level"), "Critical");
    await user.selectOptions(screen.getByLabelText("Status"), "Open");
    await user.type(screen.getByLabelText("Last seen from"), "2026-11-27T09:00");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));

    const since = new Date("2026-11-27T09:00").toISOString();
    const expected = `?q=payment+failed&level=CRITICAL&resolved=false&since=${encodeURIComponent(since)}`;
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(`/errors${expected}`);
    });
    await waitFor(() => {
      expect(listRequests(requests)).toEqual(["", expected]);
    });
    // The form shows what the address says.
    expect(screen.getByLabelText("Search")).toHaveValue("payment failed");
    expect(screen.getByLabelText("Level")).toHaveValue("CRITICAL");
    expect(screen.getByLabelText("Status")).toHaveValue("open");
  });

  it("opens a link with filters, order and page as it was", async () => {
    const requests = watchRequests();
    server.use(errorList(() => page([payment], 120)));

    renderApp("/errors?q=payment&resolved=true&until=2026-11-27T18%3A00%3A00.000Z&ordering=-occurrences&page=2&page_size=25");

    await screen.findByRole("table", { name: "Error groups" });
    expect(listRequests(requests)).toEqual([
      "?q=payment&resolved=true&until=2026-11-27T18%3A00%3A00.000Z&ordering=-occurrences&page=2&page_size=25",
    ]);
    expect(screen.getByLabelText("Search")).toHaveValue("payment");
    expect(screen.getByLabelText("Status")).toHaveValue("resolved");
    expect(screen.getByLabelText("Sort by")).toHaveValue("-occurrences");
    expect(screen.getByLabelText("Per page")).toHaveValue("25");
    expect(screen.getByRole("navigation", { name: "Pagination" })).toHaveTextContent("26–26 of 120 error groups · page 2 of 5");
  });

  it("changes order and page through the address", async () => {
    const requests = watchRequests();
    server.use(errorList(() => page([payment], 120)));
    const { user } = renderApp("/errors?level=ERROR");
    await screen.findByRole("table", { name: "Error groups" });

    await user.selectOptions(screen.getByLabelText("Sort by"), "Most occurrences");
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/errors?level=ERROR&ordering=-occurrences");
    });
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent("/errors?level=ERROR&ordering=-occurrences&page=2");
    });
    const previous = screen.getByRole("button", { name: "Previous page" });
    await user.click(previous);

    await waitFor(() => {
      expect(listRequests(requests)).toEqual([
        "?level=ERROR",
        "?level=ERROR&ordering=-occurrences",
        "?level=ERROR&ordering=-occurrences&page=2",
      ]);
    });
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/errors\?level=ERROR&ordering=-occurrences$/);
  });

  it("resolves the selected groups, showing progress and the outcome, and reloads the list", async () => {
    let resolved = false;
    let posted: ErrorBulkRequest | null = null;
    server.use(
      errorList(() => page([{ ...timeout, resolved }, { ...payment, resolved }])),
      http.post("/api/monitoring/errors/bulk/", async ({ request }) => {
        posted = (await request.json()) as ErrorBulkRequest;
        await delay(50);
        resolved = true;
        return HttpResponse.json({ changed: 2 });
      }),
    );
    const { user } = renderApp("/errors");
    await screen.findByRole("table", { name: "Error groups" });
    const resolve = screen.getByRole("button", { name: "Resolve" });
    expect(resolve).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByText("Select errors to act on them.")).toBeInTheDocument();

    await user.click(screen.getByRole("checkbox", { name: "Select every error on this page" }));
    expect(screen.getByText("2 error groups selected")).toBeInTheDocument();
    await user.click(resolve);

    expect(await screen.findByRole("button", { name: "Resolving…" })).toHaveAttribute("aria-busy", "true");
    expect(await screen.findByText("Resolved 2 error groups.")).toBeInTheDocument();
    expect(posted).toEqual({ ids: [2, 1], action: "resolve" });
    expect(within(table()).getAllByText("Resolved")).toHaveLength(2);
    expect(screen.getByText("Select errors to act on them.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Resolve" })).toHaveFocus();
  });

  it("says which of the selected groups did not change", async () => {
    server.use(
      errorList(() => page([timeout, payment])),
      http.post("/api/monitoring/errors/bulk/", () => HttpResponse.json({ changed: 1 })),
    );
    const { user } = renderApp("/errors");
    await screen.findByRole("table", { name: "Error groups" });

    await user.click(screen.getByRole("checkbox", { name: "Select: payment 42 failed" }));
    await user.click(screen.getByRole("checkbox", { name: "Select: TimeoutError: upstream did not answer" }));
    await user.click(screen.getByRole("button", { name: "Reopen" }));

    expect(await screen.findByText("Reopened 1 error group. 1 was already open.")).toBeInTheDocument();
  });

  it("says so when a bulk action fails, and keeps the selection", async () => {
    server.use(
      errorList(() => page([payment])),
      http.post("/api/monitoring/errors/bulk/", () =>
        HttpResponse.json({ detail: "You do not have permission to perform this action." }, { status: 403 }),
      ),
    );
    const { user } = renderApp("/errors");
    await screen.findByRole("table", { name: "Error groups" });

    await user.click(screen.getByRole("checkbox", { name: "Select: payment 42 failed" }));
    await user.click(screen.getByRole("button", { name: "Resolve" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not resolve the selected error groups: You do not have permission to perform this action.",
    );
    expect(screen.getByRole("checkbox", { name: "Select: payment 42 failed" })).toBeChecked();
  });

  it("asks before deleting; cancelling deletes nothing and returns the focus", async () => {
    let posts = 0;
    server.use(
      errorList(() => page([payment])),
      http.post("/api/monitoring/errors/bulk/", () => {
        posts += 1;
        return HttpResponse.json({ changed: 1 });
      }),
    );
    const { user } = renderApp("/errors");
    await screen.findByRole("table", { name: "Error groups" });
    await user.click(screen.getByRole("checkbox", { name: "Select: payment 42 failed" }));
    const deleteButton = screen.getByRole("button", { name: "Delete…" });

    await user.click(deleteButton);

    const dialog = screen.getByRole("dialog", { name: "Delete 1 error group?" });
    expect(dialog).toHaveAccessibleDescription(/removed for good/);
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));

    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(deleteButton).toHaveFocus();
    expect(posts).toBe(0);
  });

  it("deletes after confirmation and shows the shorter list", async () => {
    let deleted = false;
    let posted: ErrorBulkRequest | null = null;
    server.use(
      errorList(() => page(deleted ? [timeout] : [timeout, payment])),
      http.post("/api/monitoring/errors/bulk/", async ({ request }) => {
        posted = (await request.json()) as ErrorBulkRequest;
        deleted = true;
        return HttpResponse.json({ changed: 1 });
      }),
    );
    const { user } = renderApp("/errors");
    await screen.findByRole("table", { name: "Error groups" });
    await user.click(screen.getByRole("checkbox", { name: "Select: payment 42 failed" }));
    await user.click(screen.getByRole("button", { name: "Delete…" }));

    await user.click(
      within(screen.getByRole("dialog", { name: "Delete 1 error group?" })).getByRole("button", {
        name: "Delete 1 error group",
      }),
    );

    expect(await screen.findByText("Deleted 1 error group.")).toBeInTheDocument();
    expect(posted).toEqual({ ids: [1], action: "delete" });
    await waitFor(() => {
      expect(within(table()).getAllByRole("row")).toHaveLength(2);
    });
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("goes back a page when the whole last page is deleted", async () => {
    let deleted = false;
    server.use(
      http.get("/api/monitoring/errors/", ({ request }) => {
        if (new URL(request.url).searchParams.get("page") === "2") {
          return deleted
            ? HttpResponse.json({ detail: "Invalid page." }, { status: 404 })
            : HttpResponse.json(page([payment], 51));
        }
        return HttpResponse.json(page([timeout], deleted ? 50 : 51));
      }),
      http.post("/api/monitoring/errors/bulk/", () => {
        deleted = true;
        return HttpResponse.json({ changed: 1 });
      }),
    );
    const { user } = renderApp("/errors?page=2");
    await screen.findByRole("table", { name: "Error groups" });
    await user.click(screen.getByRole("checkbox", { name: "Select every error on this page" }));
    await user.click(screen.getByRole("button", { name: "Delete…" }));
    await user.click(screen.getByRole("button", { name: "Delete 1 error group" }));

    expect(await screen.findByText("Deleted 1 error group.")).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/errors$/);
    });
    expect(await screen.findByRole("link", { name: "TimeoutError: upstream did not answer" })).toBeInTheDocument();
  });

  it("says a page of an old link no longer exists, with a way to the first", async () => {
    server.use(
      http.get("/api/monitoring/errors/", ({ request }) =>
        new URL(request.url).searchParams.get("page") === "9"
          ? HttpResponse.json({ detail: "Invalid page." }, { status: 404 })
          : HttpResponse.json(page([payment])),
      ),
    );
    const { user } = renderApp("/errors?page=9");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This page of the error log does not exist");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));

    expect(await screen.findByRole("table", { name: "Error groups" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent(/^\/errors$/);
  });
});
