import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { maintenanceWindow, page } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";
import type { MaintenanceWindow } from "../types/alerts";

const backups = maintenanceWindow();
const nightly = maintenanceWindow({
  id: 5,
  weekdays: [0, 1, 2, 3, 4],
  start_time: "23:00",
  end_time: "01:00",
  time_zone: "UTC",
  starts_on: "2026-11-01",
  ends_on: "2026-12-31",
  active_now: true,
  current_ends_at: "2026-11-28T01:00:00Z",
  next_start: "2026-11-30T23:00:00Z",
  matchers: [{ label: "team", op: "=", value: "batch" }],
  comment: "Nightly batch",
});

function windows(list: () => MaintenanceWindow[]) {
  return http.get("/api/alerts/maintenance-windows/", () => HttpResponse.json(page(list())));
}

function items(): HTMLElement[] {
  return within(screen.getByRole("list", { name: "Maintenance windows" })).getAllByRole("listitem", { name: /^Maintenance window #/ });
}

describe("MaintenanceWindowsPage", () => {
  it("is in the navigation and lists each window: days, times, zone, matchers, active now, next start", async () => {
    server.use(handlers.signedInAs(admin), windows(() => [backups, nightly]), ...handlers.dashboard());
    const { user } = renderApp("/dashboard");

    await user.click(within(await screen.findByRole("navigation", { name: "Main" })).getByRole("link", { name: "Maintenance" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Maintenance windows" })).toBeInTheDocument();
    await screen.findByRole("list", { name: "Maintenance windows" });
    const [first, second] = [nth(items(), 0), nth(items(), 1)];
    expect(first).toHaveTextContent("Not now");
    expect(first).toHaveTextContent("Sunday, 02:00–04:00 (Europe/Berlin)");
    expect(first).toHaveTextContent("category = system");
    expect(first).toHaveTextContent(/Next start\s*Nov 29, 2026, 1:00:00 AM UTC/);
    expect(first).toHaveTextContent("From now on, no end");
    expect(second).toHaveTextContent("Active now");
    expect(second).toHaveTextContent("Monday, Tuesday, Wednesday, Thursday, Friday, 23:00–01:00 (UTC)");
    expect(second).toHaveTextContent(/Open until\s*Nov 28, 2026, 1:00:00 AM UTC/);
    expect(second).toHaveTextContent("From 2026-11-01, last 2026-12-31");
  });

  it("adds a window: days, times, zone, first and last day, matchers, comment; refused fields beside them", async () => {
    const bodies: Record<string, unknown>[] = [];
    let list: MaintenanceWindow[] = [];
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      windows(() => list),
      http.post("/api/alerts/silences/preview/", () => HttpResponse.json({ count: 0, alerts: [] })),
      http.post("/api/alerts/maintenance-windows/", async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        bodies.push(body);
        if (bodies.length === 1) {
          return HttpResponse.json(
            { time_zone: ["Not a time zone: Mars/Olympus."], ends_on: ["Must be on or after starts_on."], weekdays: ["Choose at least one day."] },
            { status: 400 },
          );
        }
        const created = maintenanceWindow({ ...(body as Partial<MaintenanceWindow>), id: 9 });
        list = [created];
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const { user } = renderApp("/maintenance-windows");

    expect(await screen.findByText("No maintenance window yet")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Add maintenance window" }));
    const dialog = screen.getByRole("dialog", { name: "Add a maintenance window" });
    expect(within(dialog).getByLabelText("Sunday")).toBeChecked();
    await user.click(within(dialog).getByLabelText("Saturday"));
    const start = within(dialog).getByLabelText("Start time");
    await user.clear(start);
    await user.type(start, "01:30");
    await user.selectOptions(within(dialog).getByLabelText("Time zone"), "UTC");
    await user.type(within(dialog).getByLabelText("First day"), "2026-12-10");
    await user.type(within(dialog).getByLabelText("Last day"), "2026-12-01");
    await user.type(within(dialog).getByLabelText("Label 1"), "category");
    await user.type(within(dialog).getByLabelText("Value 1"), "system");
    await user.type(within(dialog).getByLabelText("Comment"), "Backups");
    await user.click(within(dialog).getByRole("button", { name: "Add window" }));

    expect(await within(dialog).findByText("Not saved: check the fields.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Time zone")).toHaveAccessibleDescription(/Not a time zone: Mars\/Olympus\./);
    expect(within(dialog).getByLabelText("Last day")).toHaveAccessibleDescription(/Must be on or after starts_on\./);
    expect(within(dialog).getByRole("group", { name: "Days" })).toHaveAccessibleDescription(/Choose at least one day\./);
    expect(bodies[0]).toEqual({
      matchers: [{ label: "category", op: "=", value: "system" }],
      weekdays: [5, 6],
      start_time: "01:30",
      end_time: "04:00",
      time_zone: "UTC",
      starts_on: "2026-12-10",
      ends_on: "2026-12-01",
      comment: "Backups",
    });

    const last = within(dialog).getByLabelText("Last day");
    await user.clear(last);
    await user.click(within(dialog).getByRole("button", { name: "Add window" }));
    expect(await screen.findByText("Added maintenance window #9.")).toBeInTheDocument();
    expect(bodies[1]).toMatchObject({ ends_on: null, starts_on: "2026-12-10" });
    await waitFor(() => {
      expect(items()).toHaveLength(1);
    });
  });

  it("edits a window with a PUT of every field, and deletes one after asking", async () => {
    const puts: unknown[] = [];
    let deleted = false;
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      windows(() => (deleted ? [] : [backups])),
      http.post("/api/alerts/silences/preview/", () => HttpResponse.json({ count: 0, alerts: [] })),
      http.put("/api/alerts/maintenance-windows/2/", async ({ request }) => {
        puts.push(await request.json());
        return HttpResponse.json(backups);
      }),
      http.delete("/api/alerts/maintenance-windows/2/", () => {
        deleted = true;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/maintenance-windows");

    await user.click(await screen.findByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit maintenance window #2" });
    expect(within(dialog).getByLabelText("Time zone")).toHaveValue("Europe/Berlin");
    const end = within(dialog).getByLabelText("End time");
    await user.clear(end);
    await user.type(end, "05:00");
    await user.click(within(dialog).getByRole("button", { name: "Save window" }));
    expect(await screen.findByText("Saved maintenance window #2.")).toBeInTheDocument();
    expect(puts).toEqual([
      {
        matchers: [{ label: "category", op: "=", value: "system" }],
        weekdays: [6],
        start_time: "02:00",
        end_time: "05:00",
        time_zone: "Europe/Berlin",
        starts_on: null,
        ends_on: null,
        comment: "Weekly backups",
      },
    ]);

    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click(within(screen.getByRole("dialog", { name: "Delete maintenance window #2?" })).getByRole("button", { name: "Delete window" }));
    expect(await screen.findByText("Deleted maintenance window #2.")).toBeInTheDocument();
    expect(deleted).toBe(true);
  });

  it("shows a viewer the windows and offers nothing to change", async () => {
    server.use(handlers.signedInAs(viewer), windows(() => [backups]));
    renderApp("/maintenance-windows");

    await screen.findByRole("list", { name: "Maintenance windows" });
    expect(screen.queryByRole("button", { name: "Add maintenance window" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Edit" })).not.toBeInTheDocument();
  });
});

describe("MaintenanceWindowsPage, a provisioned window", () => {
  it("says it is read-only and offers no Edit or Delete; a normal one keeps them", async () => {
    server.use(handlers.signedInAs(admin), windows(() => [{ ...backups, provisioned: "windows.yaml" }, nightly]));
    renderApp("/maintenance-windows");

    await screen.findByRole("list", { name: "Maintenance windows" });
    const provisioned = screen.getByRole("listitem", { name: `Maintenance window #${backups.id}` });
    const normal = screen.getByRole("listitem", { name: "Maintenance window #5" });
    expect(provisioned).toHaveTextContent("Provisioned from windows.yaml: read-only.");
    for (const name of ["Edit", "Delete"]) {
      expect(within(provisioned).queryByRole("button", { name })).not.toBeInTheDocument();
      expect(within(normal).getByRole("button", { name })).toBeInTheDocument();
    }
    expect(normal).not.toHaveTextContent("Provisioned from");
  });
});
