import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { check, heartbeat } from "../test/fixtures";
import { nth, renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";
import type { Check } from "../types/checks";

const website = check();
const database = check({
  id: 3,
  name: "Database port",
  kind: "tcp",
  url: "",
  host: "db.internal",
  port: 5432,
  status: "unknown",
  cert_days_left: null,
  uptime: { "24h": null, "7d": null, "30d": null },
  recent: [],
  rule_id: null,
});
const backup = heartbeat();

function rows(): HTMLElement[] {
  const table = within(screen.getByRole("region", { name: "Checks" })).getByRole("table");
  return within(table).getAllByRole("row").slice(1);
}

describe("ChecksPage", () => {
  it("is in the navigation and lists the checks down first: kind, status, sparkline, uptime, last run, certificate", async () => {
    server.use(handlers.signedInAs(admin), handlers.checks([website, database, backup]), ...handlers.dashboard());
    const { user } = renderApp("/dashboard");

    await user.click(within(await screen.findByRole("navigation", { name: "Main" })).getByRole("link", { name: "Checks" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Checks" })).toBeInTheDocument();
    await screen.findByRole("region", { name: "Checks" });
    expect(rows().map((row) => within(row).getByRole("link").textContent)).toEqual(["Nightly backup", "Database port", "Our website"]);

    const [down, unknown, up] = [nth(rows(), 0), nth(rows(), 1), nth(rows(), 2)];
    expect(down).toHaveTextContent("Heartbeat");
    expect(down).toHaveTextContent("Down");
    expect(down).toHaveTextContent("No ping since 26 Nov 03:00 UTC.");
    expect(down).toHaveTextContent(/Last ping:\s*Nov 26, 2026, 3:00:00 AM UTC/);
    expect(down).toHaveTextContent("50 %");
    expect(unknown).toHaveTextContent("Unknown");
    expect(unknown).toHaveTextContent("db.internal:5432");
    expect(unknown).toHaveTextContent("No runs yet");
    expect(up).toHaveTextContent("Up");
    expect(up).toHaveTextContent("GET https://example.com/");
    expect(within(up).getByRole("img", { name: /Response time of Our website over the last 3 runs: 110 ms to 140 ms/ })).toBeInTheDocument();
    expect(up).toHaveTextContent(/99\.5 %\s*99\.9 %\s*100 %/);
    expect(up).toHaveTextContent("42 d");
    expect(within(up).getByRole("link", { name: "Our website" })).toHaveAttribute("href", "/checks/1");
    expect(within(up).getByRole("button", { name: "Run Our website now" })).toBeInTheDocument();
    expect(within(down).queryByRole("button", { name: /^Run / })).not.toBeInTheDocument();
  });

  it("says so, without an error, when the server has no checks API (404)", async () => {
    server.use(handlers.signedInAs(admin), handlers.checks(null));
    renderApp("/checks");
    expect(await screen.findByText("Checks are not available on this server.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add check" })).not.toBeInTheDocument();
  });

  it("shows a viewer the checks without the buttons that change them", async () => {
    server.use(handlers.signedInAs(viewer), handlers.checks([website]));
    renderApp("/checks");
    await screen.findByRole("region", { name: "Checks" });
    expect(screen.queryByRole("button", { name: "Add check" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^(Run|Edit|Delete) / })).not.toBeInTheDocument();
  });

  it("adds an HTTP check with its default rule: each refused field beside it, then a link to the rule", async () => {
    const sent: unknown[] = [];
    let list: Check[] = [];
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/monitoring/checks/", () => HttpResponse.json({ count: list.length, next: null, previous: null, results: list })),
      http.post("/api/monitoring/checks/", async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        sent.push(body);
        if (sent.length === 1) {
          return HttpResponse.json(
            { url: ["Enter an http:// or https:// URL."], interval_seconds: ["Ensure this value is greater than or equal to 30."] },
            { status: 400 },
          );
        }
        const created = check({ id: 9, name: String(body.name), url: String(body.url), rule_id: 12, status: "unknown" });
        list = [created];
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const { user } = renderApp("/checks");
    await screen.findByText("No check yet");

    await user.click(screen.getByRole("button", { name: "Add check" }));
    const dialog = await screen.findByRole("dialog", { name: "Add a check" });
    await user.type(within(dialog).getByLabelText(/^Name/), "Shop");
    await user.type(within(dialog).getByLabelText(/^URL/), "ftp://shop");
    const interval = within(dialog).getByLabelText("Interval (seconds)");
    await user.clear(interval);
    await user.type(interval, "10");
    await user.type(within(dialog).getByLabelText("Headers"), "X-Token: abc");
    const ruleBox = within(dialog).getByRole("checkbox", { name: "Also create the rule 'Shop is down'" });
    expect(ruleBox).toBeChecked();
    await user.click(within(dialog).getByRole("button", { name: "Add check" }));

    expect(await within(dialog).findByText("Enter an http:// or https:// URL.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^URL/)).toHaveAccessibleDescription(/Enter an http:\/\/ or https:\/\/ URL\./);
    expect(within(dialog).getByLabelText("Interval (seconds)")).toHaveAccessibleDescription(/greater than or equal to 30/);
    expect(within(dialog).getByRole("alert")).toHaveTextContent("Not saved: check the fields.");

    const url = within(dialog).getByLabelText(/^URL/);
    await user.clear(url);
    await user.type(url, "https://shop.example.com/");
    await user.clear(interval);
    await user.type(interval, "60");
    await user.click(within(dialog).getByRole("button", { name: "Add check" }));

    const notice = await screen.findByText(/^Added check Shop\./);
    expect(notice).toHaveTextContent("Added check Shop. The rule “Shop is down” was made with it.");
    expect(within(notice).getByRole("link", { name: "The rule “Shop is down”" })).toHaveAttribute("href", "/rules/12");
    expect(sent[1]).toMatchObject({
      name: "Shop",
      kind: "http",
      url: "https://shop.example.com/",
      method: "GET",
      headers: { "X-Token": "abc" },
      interval_seconds: 60,
      timeout_seconds: 10,
      expected_status: "200-299",
      follow_redirects: true,
      create_rule: true,
    });
    await waitFor(() => {
      expect(rows()).toHaveLength(1);
    });
  });

  it("adds a heartbeat on a cron schedule without a rule, and shows its ping URL with curl lines to copy", async () => {
    let sent: Record<string, unknown> = {};
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      handlers.checks([]),
      http.post("/api/monitoring/checks/", async ({ request }) => {
        sent = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json(heartbeat({ id: 5, name: "Backup", cron: "0 3 * * *", time_zone: "Europe/Berlin", rule_id: null, status: "unknown" }), {
          status: 201,
        });
      }),
    );
    const { user } = renderApp("/checks");
    await screen.findByText("No check yet");
    await user.click(screen.getByRole("button", { name: "Add check" }));
    const dialog = await screen.findByRole("dialog", { name: "Add a check" });
    await user.type(within(dialog).getByLabelText(/^Name/), "Backup");
    await user.selectOptions(within(dialog).getByLabelText("Kind"), "heartbeat");
    expect(within(dialog).queryByLabelText(/^URL/)).not.toBeInTheDocument();
    expect(within(dialog).getByLabelText("Period (seconds)")).toHaveValue(86400);
    await user.click(within(dialog).getByRole("radio", { name: "A cron schedule" }));
    await user.type(within(dialog).getByLabelText(/^Cron expression/), "0 3 * * *");
    const zone = within(dialog).getByLabelText("Time zone");
    await user.clear(zone);
    await user.type(zone, "Europe/Berlin");
    await user.click(within(dialog).getByRole("checkbox", { name: "Also create the rule 'Backup is down'" }));
    await user.click(within(dialog).getByRole("button", { name: "Add check" }));

    const ping = await screen.findByRole("region", { name: "Ping URL of Backup" });
    expect(sent).toMatchObject({ kind: "heartbeat", cron: "0 3 * * *", time_zone: "Europe/Berlin", grace_seconds: 3600, create_rule: false, headers: {} });
    const url = "http://testserver/ping/0b6c7a8e-1111-4222-8333-944455556666/";
    expect(ping).toHaveTextContent(url);
    expect(ping).toHaveTextContent(`curl -fsS -m 10 --retry 5 ${url}`);
    expect(ping).toHaveTextContent(`curl -fsS -m 10 --retry 5 ${url}start`);
    expect(ping).toHaveTextContent(`curl -fsS -m 10 --retry 5 ${url}fail`);
    expect(screen.queryByRole("link", { name: /is down/ })).not.toBeInTheDocument();

    await user.click(within(ping).getByRole("button", { name: "Copy the ping URL" }));
    expect(await navigator.clipboard.readText()).toBe(url);
    expect(within(ping).getAllByRole("status").map((node) => node.textContent)).toContain("Copied.");
  });

  it("edits a check (PUT, no create_rule), runs one now and deletes one after confirming", async () => {
    const calls: string[] = [];
    let put: Record<string, unknown> = {};
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      handlers.checks([website, database]),
      http.put("/api/monitoring/checks/1/", async ({ request }) => {
        put = (await request.json()) as Record<string, unknown>;
        calls.push("PUT 1");
        return HttpResponse.json({ ...website, ...put });
      }),
      http.post("/api/monitoring/checks/3/run/", () => {
        calls.push("RUN 3");
        return HttpResponse.json({ ...database, status: "down", last_error: "Connection refused." });
      }),
      http.delete("/api/monitoring/checks/1/", () => {
        calls.push("DELETE 1");
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp("/checks");
    await screen.findByRole("region", { name: "Checks" });

    await user.click(screen.getByRole("button", { name: "Edit Our website" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit check Our website" });
    expect(within(dialog).getByLabelText("Kind")).toBeDisabled();
    expect(within(dialog).queryByRole("checkbox", { name: /Also create the rule/ })).not.toBeInTheDocument();
    await user.selectOptions(within(dialog).getByLabelText("Method"), "HEAD");
    await user.click(within(dialog).getByRole("checkbox", { name: "Follow redirects" }));
    await user.click(within(dialog).getByRole("button", { name: "Save check" }));
    expect(await screen.findByText("Saved check Our website.")).toBeInTheDocument();
    expect(put).toMatchObject({ method: "HEAD", follow_redirects: false, url: "https://example.com/" });
    expect(put).not.toHaveProperty("create_rule");

    await user.click(screen.getByRole("button", { name: "Run Database port now" }));
    expect(await screen.findByText("Ran Database port: down (Connection refused.).")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Delete Our website" }));
    const confirm = await screen.findByRole("dialog", { name: "Delete check Our website?" });
    expect(confirm).toHaveTextContent("and so does its rule “Our website is down”");
    await user.click(within(confirm).getByRole("button", { name: "Delete check" }));
    expect(await screen.findByText("Deleted check Our website.")).toBeInTheDocument();
    expect(calls).toEqual(["PUT 1", "RUN 3", "DELETE 1"]);
  });
});

describe("ChecksPage, a provisioned check", () => {
  it("says it is read-only and offers no Edit or Delete (Run now changes nothing and stays); a normal one keeps them", async () => {
    server.use(handlers.signedInAs(admin), handlers.checks([{ ...website, provisioned: "checks.yaml" }, database]));
    renderApp("/checks");

    await screen.findByRole("region", { name: "Checks" });
    const provisioned = rows().find((row) => within(row).queryByRole("link", { name: "Our website" }));
    const normal = rows().find((row) => within(row).queryByRole("link", { name: "Database port" }));
    if (!provisioned || !normal) throw new Error("a row is missing");
    expect(provisioned).toHaveTextContent("Provisioned from checks.yaml: read-only.");
    expect(within(provisioned).queryByRole("button", { name: "Edit Our website" })).not.toBeInTheDocument();
    expect(within(provisioned).queryByRole("button", { name: "Delete Our website" })).not.toBeInTheDocument();
    expect(within(provisioned).getByRole("button", { name: "Run Our website now" })).toBeInTheDocument();
    expect(normal).not.toHaveTextContent("Provisioned from");
    expect(within(normal).getByRole("button", { name: "Edit Database port" })).toBeInTheDocument();
    expect(within(normal).getByRole("button", { name: "Delete Database port" })).toBeInTheDocument();
  });
});
