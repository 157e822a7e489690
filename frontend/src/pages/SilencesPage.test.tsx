import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { page, silence } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, server, viewer, watchRequests } from "../test/server";
import type { Silence } from "../types/alerts";

const active = silence();
const pending = silence({
  id: 4,
  state: "pending",
  starts_at: "2026-12-01T22:00:00Z",
  ends_at: "2026-12-02T02:00:00Z",
  matchers: [
    { label: "team", op: "=~", value: "pay.*" },
    { label: "severity", op: "!=", value: "critical" },
  ],
  comment: "Database migration",
  created_by: "admin",
});

/** Each state's silences, by ?state= (none: all of them). */
function silences(list: Silence[] = [active, pending]) {
  return http.get("/api/alerts/silences/", ({ request }) => {
    const state = new URL(request.url).searchParams.get("state");
    return HttpResponse.json(page(state ? list.filter((item) => item.state === state) : list));
  });
}

function items(): HTMLElement[] {
  return within(screen.getByRole("list", { name: "Silences" })).getAllByRole("listitem", { name: /^Silence #/ });
}

describe("SilencesPage", () => {
  it("is in the navigation and lists the active silences: matchers as chips, start, end, comment, who", async () => {
    server.use(handlers.signedInAs(admin), silences(), ...handlers.dashboard());
    const { user } = renderApp("/dashboard");

    await user.click(within(await screen.findByRole("navigation", { name: "Main" })).getByRole("link", { name: "Silences" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Silences" })).toBeInTheDocument();
    await screen.findByRole("list", { name: "Silences" });
    expect(items()).toHaveLength(1);
    const item = nth(items(), 0);
    expect(within(item).getByRole("list", { name: "Matchers of silence #3" })).toHaveTextContent("rule = High CPU Usage");
    expect(item).toHaveTextContent("Active");
    expect(item).toHaveTextContent(/Starts\s*Nov 27, 2026, 5:00:00 PM UTC\s*Ends\s*Nov 27, 2026, 7:00:00 PM UTC/);
    expect(item).toHaveTextContent("Rebuilding the cache");
    expect(item).toHaveTextContent("Created byoncall");
    expect(within(item).getByRole("button", { name: "Expire now" })).toBeInTheDocument();
  });

  it("switches between active, pending, expired and all through ?state=", async () => {
    const requests = watchRequests();
    server.use(handlers.signedInAs(admin), silences());
    const { user } = renderApp("/silences");
    await screen.findByRole("list", { name: "Silences" });

    await user.click(screen.getByRole("button", { name: "Pending" }));
    await waitFor(() => {
      expect(screen.getByTestId("location")).toHaveTextContent(/^\/silences\?state=pending$/);
    });
    await waitFor(() => {
      expect(nth(items(), 0)).toHaveTextContent("Database migration");
    });
    const chips = within(nth(items(), 0)).getByRole("list", { name: "Matchers of silence #4" });
    expect(within(chips).getAllByRole("listitem").map((chip) => chip.textContent)).toEqual(["team =~ pay.*", "severity != critical"]);
    expect(within(nth(items(), 0)).getByRole("button", { name: "Cancel (expire)" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Expired" }));
    expect(await screen.findByText("No expired silence")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "All" }));
    await waitFor(() => {
      expect(items()).toHaveLength(2);
    });
    const asked = requests.filter((url) => url.pathname === "/api/alerts/silences/").map((url) => url.searchParams.get("state"));
    expect(asked).toEqual(["active", "pending", "expired", null]);
  });

  it("adds a silence with a duration preset and a live preview; each refused field said beside it", async () => {
    const bodies: Record<string, unknown>[] = [];
    const previews: unknown[] = [];
    let list = [active];
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/alerts/silences/", () => HttpResponse.json(page(list))),
      http.post("/api/alerts/silences/preview/", async ({ request }) => {
        const body = (await request.json()) as { matchers: { value: string }[] };
        previews.push(body);
        if (body.matchers.some((matcher) => matcher.value === "")) {
          return HttpResponse.json({ matchers: ["At least one matcher must not match an empty value."] }, { status: 400 });
        }
        return HttpResponse.json({ count: 0, alerts: [] });
      }),
      http.post("/api/alerts/silences/", async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        bodies.push(body);
        if (bodies.length === 1) {
          return HttpResponse.json({ comment: ["Say why (the others on call read it): a comment is required."] }, { status: 400 });
        }
        const created = silence({ id: 8, matchers: body.matchers as Silence["matchers"], ends_at: String(body.ends_at), comment: String(body.comment) });
        list = [created, ...list];
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const { user } = renderApp("/silences");

    await user.click(await screen.findByRole("button", { name: "Add silence" }));
    const dialog = screen.getByRole("dialog", { name: "Add a silence" });
    await user.type(within(dialog).getByLabelText("Label 1"), "team");
    const held = within(dialog).getByRole("region", { name: "Open alerts it would hold" });
    expect(await within(held).findByText(/The matchers are not right yet: At least one matcher must not match an empty value\./)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Value 1"), "payments");
    expect(await within(held).findByText(/No open alert matches now/)).toBeInTheDocument();
    const clicked = Date.now();
    await user.click(within(within(dialog).getByRole("group", { name: "Ends after" })).getByRole("button", { name: "8 h" }));
    await user.click(within(dialog).getByRole("button", { name: "Add silence" }));

    expect(await within(dialog).findByText("Not saved: check the fields.")).toBeInTheDocument();
    const comment = within(dialog).getByLabelText("Comment");
    expect(comment).toHaveAttribute("aria-invalid", "true");
    expect(comment).toHaveAccessibleDescription(/a comment is required/);

    await user.type(comment, "Payments deploy");
    await user.click(within(dialog).getByRole("button", { name: "Add silence" }));
    expect(await screen.findByText(/Added silence #8, until/)).toBeInTheDocument();
    expect(bodies[1]).toMatchObject({ matchers: [{ label: "team", op: "=", value: "payments" }], comment: "Payments deploy" });
    expect(bodies[1]).not.toHaveProperty("from_alert");
    const ends = new Date(String(bodies[1]?.ends_at)).getTime();
    expect(Math.abs(ends - (clicked + 8 * 3_600_000))).toBeLessThan(2 * 60_000);
    expect(previews.at(-1)).toEqual({ matchers: [{ label: "team", op: "=", value: "payments" }] });
    await waitFor(() => {
      expect(items()).toHaveLength(2);
    });
  });

  it("expires, extends and deletes (after asking) a silence", async () => {
    const calls: string[] = [];
    const extensions: unknown[] = [];
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      silences(),
      http.post("/api/alerts/silences/3/expire/", () => {
        calls.push("expire");
        return HttpResponse.json({ ...active, state: "expired" });
      }),
      http.post("/api/alerts/silences/3/extend/", async ({ request }) => {
        const body = await request.json();
        extensions.push(body);
        if (extensions.length === 1) return HttpResponse.json({ ends_at: ["Must be later than the current end."] }, { status: 400 });
        return HttpResponse.json({ ...active, ends_at: "2026-11-27T21:00:00Z" });
      }),
      http.delete("/api/alerts/silences/3/", () => {
        calls.push("delete");
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/silences");

    await user.click(await screen.findByRole("button", { name: "Expire now" }));
    expect(await screen.findByText(/Silence #3 expired/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Extend…" }));
    const dialog = screen.getByRole("dialog", { name: "Extend silence #3" });
    const end = within(dialog).getByLabelText("New end");
    await user.click(within(within(dialog).getByRole("group", { name: "Current end plus" })).getByRole("button", { name: "2 h" }));
    await user.click(within(dialog).getByRole("button", { name: "Extend" }));
    expect(await within(dialog).findByText("Not extended: check the end.")).toBeInTheDocument();
    expect(end).toHaveAccessibleDescription(/Must be later than the current end\./);
    await user.click(within(dialog).getByRole("button", { name: "Extend" }));
    expect(await screen.findByText(/Silence #3 now ends/)).toBeInTheDocument();
    expect(extensions[0]).toEqual({ ends_at: "2026-11-27T21:00:00.000Z" });

    await user.click(screen.getByRole("button", { name: "Delete" }));
    const confirm = screen.getByRole("dialog", { name: "Delete silence #3?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete silence" }));
    expect(await screen.findByText("Deleted silence #3.")).toBeInTheDocument();
    expect(calls).toEqual(["expire", "delete"]);
  });

  it("shows a viewer the silences and offers nothing to change", async () => {
    server.use(handlers.signedInAs(viewer), silences());
    renderApp("/silences");

    await screen.findByRole("list", { name: "Silences" });
    expect(screen.queryByRole("button", { name: "Add silence" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Expire now" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
  });
});

describe("SilencesPage, a provisioned silence", () => {
  it("says it is read-only and offers no Expire, Extend or Delete; a normal one keeps them", async () => {
    const held = silence({ id: 8, comment: "From the file", provisioned: "silences.yaml" });
    server.use(handlers.signedInAs(admin), silences([held, active]));
    renderApp("/silences");

    await screen.findByRole("list", { name: "Silences" });
    const provisioned = screen.getByRole("listitem", { name: "Silence #8" });
    const normal = screen.getByRole("listitem", { name: "Silence #3" });
    expect(provisioned).toHaveTextContent("Provisioned from silences.yaml: read-only.");
    for (const name of ["Expire now", "Extend…", "Delete"]) {
      expect(within(provisioned).queryByRole("button", { name })).not.toBeInTheDocument();
      expect(within(normal).getByRole("button", { name })).toBeInTheDocument();
    }
    expect(normal).not.toHaveTextContent("Provisioned from");
  });
});
