import { screen, waitFor, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { alertDetail, catalogue, delivery, silence, timelineEntry } from "../test/fixtures";
import { renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";
import { readerInTimeZone } from "../test/timeZone";

function answer(detail = alertDetail()) {
  return [
    http.get("/api/alerts/history/1/", () => HttpResponse.json(detail)),
    http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
  ];
}

// A server without the timeline yet, unless a test answers it: the page says so.
beforeEach(() => {
  server.use(http.get("/api/alerts/history/:id/timeline/", () => HttpResponse.json({ detail: "Not found." }, { status: 404 })));
});

describe("AlertDetailPage", () => {
  it("says why it fired: the value against the threshold, the window, the aggregation and the points", async () => {
    server.use(handlers.signedInAs(admin), ...answer());

    const { user } = renderApp("/alerts/1");

    expect(await screen.findByRole("heading", { level: 1, name: /High CPU Usage/ })).toHaveTextContent("Alert #1");
    const why = screen.getByRole("region", { name: "Why it fired" });
    expect(why).toHaveTextContent("cpu_usage (avg over 5 min) was 91.5%, above the threshold of 80%.");
    const fact = (term: string) => within(why).getByText(term, { selector: "dt" }).nextElementSibling;
    expect(fact("Value when it fired")).toHaveTextContent("91.5%");
    expect(fact("Threshold")).toHaveTextContent("> 80%");
    expect(fact("Window")).toHaveTextContent("5 min");
    expect(fact("Aggregation")).toHaveTextContent("avg");
    // The points, as a table for those who do not see the chart.
    expect(within(why).getByRole("figure", { name: /the values in the window/ })).toBeInTheDocument();
    await user.click(within(why).getByText("The 2 values as a table"));
    const points = within(why).getByRole("table");
    expect(within(points).getAllByRole("row").slice(1).map((row) => row.lastElementChild?.textContent)).toEqual(["88%", "95%"]);
  });

  it("names the rule version it fired under, linking to the rule's versions", async () => {
    server.use(handlers.signedInAs(admin), ...answer(alertDetail({ rule_version: 3 })));

    renderApp("/alerts/1");

    const link = await screen.findByRole("link", { name: "Fired under version 3" });
    expect(link).toHaveAttribute("href", "/rules/1#versions");
  });

  it("says which query fired a promql rule's alert, with the hour before it as the chart", async () => {
    const detail = alertDetail({
      metric_name: "promql", value: 150, threshold_value: 100,
      context: {
        query: "my_queue_depth > 100", aggregation: "promql", window_minutes: 0, labels: { queue: "orders" },
        points: [["2026-11-27T16:28:00Z", 120], ["2026-11-27T17:28:00Z", 150]],
      },
    });
    server.use(handlers.signedInAs(admin), ...answer(detail));

    renderApp("/alerts/1");

    const why = await screen.findByRole("region", { name: "Why it fired" });
    expect(why).toHaveTextContent("The query my_queue_depth > 100 gave 150");
    expect(why).toHaveTextContent("above the threshold of 100");
    expect(within(why).getByRole("figure", { name: /over the hour before it fired/ })).toBeInTheDocument();
  });

  it("shows the summary, the group and labels as chips, and the runbook as a link opening a new tab", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...answer(
        alertDetail({
          summary: "/api/orders/ fails at 12.5 %",
          group_labels: { route: "/api/orders/" },
          labels: { route: "/api/orders/", team: "payments" },
          runbook_url: "https://wiki.example.com/runbooks/errors",
        }),
      ),
    );

    renderApp("/alerts/1");

    expect(await screen.findByText("/api/orders/ fails at 12.5 %")).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "The group that fired" })).toHaveTextContent("route=/api/orders/");
    const labels = within(screen.getByRole("list", { name: "Labels" })).getAllByRole("listitem");
    expect(labels.map((chip) => chip.textContent)).toEqual(["route=/api/orders/", "team=payments"]);
    const runbook = screen.getByRole("link", { name: "https://wiki.example.com/runbooks/errors (opens in a new tab)" });
    expect(runbook).toHaveAttribute("href", "https://wiki.example.com/runbooks/errors");
    expect(runbook).toHaveAttribute("target", "_blank");
    expect(runbook.getAttribute("rel")).toContain("noopener");
  });

  it("shows a runbook that is not an http(s) address as text, never as a link", async () => {
    server.use(handlers.signedInAs(admin), ...answer(alertDetail({ runbook_url: "javascript:alert(1)" })));

    renderApp("/alerts/1");

    expect(await screen.findByText("javascript:alert(1)")).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /javascript/ })).not.toBeInTheDocument();
  });

  it("shows no labels or runbook for an alert without them", async () => {
    server.use(handlers.signedInAs(admin), ...answer());

    renderApp("/alerts/1");

    await screen.findByRole("region", { name: "Why it fired" });
    expect(screen.queryByText("Runbook", { selector: "dt" })).not.toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Labels" })).not.toBeInTheDocument();
  });

  it("says the zone of every time it shows, the reader's, the points and the notifications too", async () => {
    readerInTimeZone("Asia/Kolkata");
    server.use(handlers.signedInAs(admin), ...answer());

    const { user } = renderApp("/alerts/1");

    await screen.findByRole("heading", { level: 1, name: /High CPU Usage/ });
    const times = document.querySelectorAll("time");
    expect(times.length).toBeGreaterThan(0);
    for (const time of times) {
      expect(time).toHaveTextContent(/GMT\+5:30$/);
    }
    // Triggered at 17:20 UTC: 22:50 in India; the notification was sent a second later.
    expect(screen.getAllByText(/10:50:00\sPM GMT\+5:30$/).length).toBeGreaterThan(0);
    const deliveries = screen.getByRole("table", { name: "Notifications" });
    expect(deliveries).toHaveTextContent(/10:50:01\sPM GMT\+5:30/);
    const why = screen.getByRole("region", { name: "Why it fired" });
    expect(within(why).getByRole("figure", { name: /the values in the window/ })).toHaveTextContent("times in GMT+5:30");
    await user.click(within(why).getByText("The 2 values as a table"));
    expect(within(within(why).getByRole("table")).getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual([
      expect.stringMatching(/^10:46:00\sPM GMT\+5:30$/),
      expect.stringMatching(/^10:48:00\sPM GMT\+5:30$/),
    ]);
  });

  it("lists the notifications with their channel, status, attempts, reply code and error", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...answer(
        alertDetail({
          deliveries: [
            delivery(),
            delivery({ id: 2, channel: "email", target: "ops@resee.com", status: "failed", attempts: 5, response_code: 550, last_error: "Mailbox unavailable", sent_at: null }),
            delivery({ id: 3, event: "suppressed" }),
            delivery({ id: 4, channel: "discord", channel_id: 7, channel_name: "Ops Discord", target: "" }),
          ],
        }),
      ),
    );

    renderApp("/alerts/1");

    const table = await screen.findByRole("table", { name: "Notifications" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent(/Alert\s*Slack \(default\)\s*#alerts\s*Sent\s*1\s*200/);
    expect(rows[1]).toHaveTextContent(/Alert\s*Email \(default\)\s*ops@resee.com\s*Failed\s*5\s*550/);
    expect(rows[1]).toHaveTextContent("Mailbox unavailable");
    // The channels told that a limit holds further alerts back.
    expect(rows[2]).toHaveTextContent(/Held back\s*Slack \(default\)\s*#alerts\s*Sent/);
    // A channel of its own is named as it was called when the message went out.
    expect(rows[3]).toHaveTextContent(/Alert\s*Ops Discord\s*Sent/);
  });

  it("resolves with notes in a dialog that keeps the focus, and announces it", async () => {
    const bodies: unknown[] = [];
    const resolved = alertDetail({ status: "resolved", resolved_at: "2026-11-27T17:40:00Z", resolved_by: "admin", notes: "Restarted the worker" });
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/alerts/history/1/", () => HttpResponse.json(bodies.length > 0 ? resolved : alertDetail())),
      http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
      http.post("/api/alerts/history/1/resolve/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(resolved);
      }),
    );
    const { user } = renderApp("/alerts/1");

    const resolve = await screen.findByRole("button", { name: "Resolve…" });
    await user.click(resolve);
    const dialog = screen.getByRole("dialog", { name: "Resolve alert #1" });
    const notes = within(dialog).getByLabelText("Notes");
    expect(notes).toHaveFocus();
    await user.type(notes, "Restarted the worker");
    await user.click(within(dialog).getByRole("button", { name: "Resolve alert" }));

    expect(await screen.findByText("Alert #1 resolved with your notes.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(bodies).toEqual([{ notes: "Restarted the worker" }]);
    const resolution = screen.getByRole("region", { name: "Resolution" });
    expect(resolution).toHaveTextContent("admin");
    expect(resolution).toHaveTextContent("Restarted the worker");
    expect(screen.queryByRole("button", { name: "Resolve…" })).not.toBeInTheDocument();
  });

  it("shows a 409 clearly when someone resolved it first, then shows how it ended", async () => {
    let resolvedElsewhere = false;
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/alerts/history/1/", () =>
        HttpResponse.json(
          resolvedElsewhere
            ? alertDetail({ status: "resolved", resolved_at: "2026-11-27T17:40:00Z", resolved_by: "oncall", notes: "done" })
            : alertDetail(),
        ),
      ),
      http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
      http.post("/api/alerts/history/1/resolve/", () => {
        resolvedElsewhere = true;
        return HttpResponse.json(
          { detail: "Alert 1 is already resolved (by oncall at 2026-11-27T17:40:00+00:00)." },
          { status: 409 },
        );
      }),
    );
    const { user } = renderApp("/alerts/1");

    await user.click(await screen.findByRole("button", { name: "Resolve…" }));
    const dialog = screen.getByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Resolve alert" }));

    const failure = await within(dialog).findByText(/Already resolved/);
    expect(failure).toHaveTextContent("Alert 1 is already resolved (by oncall");
    expect(failure.closest('[role="alert"]')).not.toBeNull();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => {
      expect(screen.getByRole("region", { name: "Resolution" })).toHaveTextContent("oncall");
    });
  });

  it("acknowledges with a comment, then shows who has it and when, and offers to give it back", async () => {
    const bodies: unknown[] = [];
    const acknowledged = alertDetail({
      acknowledged_at: "2026-11-27T17:25:00Z",
      acknowledged_by: "admin",
      acknowledged_comment: "Looking at the database",
    });
    const detailAnswers: string[] = [];
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/alerts/history/1/", () => {
        detailAnswers.push(bodies.length > 0 ? "acknowledged" : "open");
        return HttpResponse.json(bodies.length > 0 ? acknowledged : alertDetail());
      }),
      http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
      http.post("/api/alerts/history/1/acknowledge/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(acknowledged);
      }),
    );
    const { user } = renderApp("/alerts/1");

    expect(await screen.findByRole("button", { name: "Resolve…" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Acknowledgement" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Acknowledge…" }));
    const dialog = screen.getByRole("dialog", { name: "Acknowledge alert #1" });
    const comment = within(dialog).getByLabelText("Comment");
    expect(comment).toHaveFocus();
    await user.type(comment, "  Looking at the database ");
    await user.click(within(dialog).getByRole("button", { name: "Acknowledge alert" }));

    expect(await screen.findByText("Alert #1 acknowledged: it is yours, and its reminders stop.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(bodies).toEqual([{ comment: "Looking at the database" }]);
    const acknowledgement = screen.getByRole("region", { name: "Acknowledgement" });
    expect(acknowledgement).toHaveTextContent(/^Acknowledged by admin, .*5:25:00.*: Looking at the database/);
    expect(within(acknowledgement).getByRole("time")).toHaveAttribute("dateTime", "2026-11-27T17:25:00Z");
    expect(within(acknowledgement).getByRole("button", { name: "Unacknowledge" })).toBeInTheDocument();
    expect(screen.getByText("Acknowledged", { selector: ".badge" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Acknowledge…" })).not.toBeInTheDocument();
    // Still open: it can be resolved. The detail was asked again (its cache invalidated).
    expect(screen.getByRole("button", { name: "Resolve…" })).toBeInTheDocument();
    await waitFor(() => {
      expect(detailAnswers).toEqual(["open", "acknowledged"]);
    });
  });

  it("gives an acknowledged alert back", async () => {
    let given = false;
    const acknowledged = alertDetail({ acknowledged_at: "2026-11-27T17:25:00Z", acknowledged_by: "oncall", acknowledged_comment: "" });
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/alerts/history/1/", () => HttpResponse.json(given ? alertDetail() : acknowledged)),
      http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
      http.post("/api/alerts/history/1/unacknowledge/", () => {
        given = true;
        return HttpResponse.json(alertDetail());
      }),
    );
    const { user } = renderApp("/alerts/1");

    const acknowledgement = await screen.findByRole("region", { name: "Acknowledgement" });
    // No comment: the sentence ends with the time.
    expect(acknowledgement).toHaveTextContent(/^Acknowledged by oncall, [^:]*5:25:00 PM UTC\.Unacknowledge$/);
    expect(screen.queryByRole("button", { name: "Acknowledge…" })).not.toBeInTheDocument();
    await user.click(within(acknowledgement).getByRole("button", { name: "Unacknowledge" }));

    expect(await screen.findByText(/Alert #1 given back/)).toBeInTheDocument();
    expect(given).toBe(true);
    expect(screen.queryByRole("region", { name: "Acknowledgement" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Acknowledge…" })).toBeInTheDocument();
  });

  it("shows a 409 clearly when the alert was resolved before it could be acknowledged", async () => {
    let resolvedElsewhere = false;
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/alerts/history/1/", () =>
        HttpResponse.json(
          resolvedElsewhere
            ? alertDetail({ status: "resolved", resolved_at: "2026-11-27T17:40:00Z", resolved_by: "oncall", notes: "done" })
            : alertDetail(),
        ),
      ),
      http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
      http.post("/api/alerts/history/1/acknowledge/", () => {
        resolvedElsewhere = true;
        return HttpResponse.json(
          { detail: "Alert 1 is resolved (by oncall at 2026-11-27T17:40:00+00:00): it cannot be acknowledged." },
          { status: 409 },
        );
      }),
    );
    const { user } = renderApp("/alerts/1");

    await user.click(await screen.findByRole("button", { name: "Acknowledge…" }));
    const dialog = screen.getByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Acknowledge alert" }));

    const failure = await within(dialog).findByText(/Already resolved/);
    expect(failure).toHaveTextContent("Alert 1 is resolved (by oncall at 2026-11-27T17:40:00+00:00): it cannot be acknowledged.");
    expect(failure.closest('[role="alert"]')).not.toBeNull();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => {
      expect(screen.getByRole("region", { name: "Resolution" })).toHaveTextContent("oncall");
    });
    expect(screen.queryByRole("button", { name: "Acknowledge…" })).not.toBeInTheDocument();
  });

  it("shows a 409 on giving back an alert resolved meanwhile", async () => {
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/alerts/history/1/", () =>
        HttpResponse.json(alertDetail({ acknowledged_at: "2026-11-27T17:25:00Z", acknowledged_by: "admin" })),
      ),
      http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
      http.post("/api/alerts/history/1/unacknowledge/", () =>
        HttpResponse.json(
          { detail: "Alert 1 is resolved (by the system at 2026-11-27T17:40:00+00:00): it cannot be unacknowledged." },
          { status: 409 },
        ),
      ),
    );
    const { user } = renderApp("/alerts/1");

    await user.click(await screen.findByRole("button", { name: "Unacknowledge" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Already resolved: Alert 1 is resolved (by the system at 2026-11-27T17:40:00+00:00): it cannot be unacknowledged.",
    );
  });

  it("shows a viewer who has the alert, and offers them neither acknowledge nor give back", async () => {
    server.use(
      handlers.signedInAs(viewer),
      ...answer(alertDetail({ acknowledged_at: "2026-11-27T17:25:00Z", acknowledged_by: "oncall", acknowledged_comment: "On it" })),
    );

    renderApp("/alerts/1");

    expect(await screen.findByRole("region", { name: "Acknowledgement" })).toHaveTextContent("Acknowledged by oncall");
    expect(screen.queryByRole("button", { name: "Unacknowledge" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Acknowledge…" })).not.toBeInTheDocument();
  });

  it("keeps the record of who had a resolved alert, with nothing to do about it", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...answer(
        alertDetail({
          status: "resolved", resolved_at: "2026-11-27T17:40:00Z", resolved_by: "oncall",
          acknowledged_at: "2026-11-27T17:25:00Z", acknowledged_by: "oncall", acknowledged_comment: "On it",
        }),
      ),
    );

    renderApp("/alerts/1");

    expect(await screen.findByRole("region", { name: "Acknowledgement" })).toHaveTextContent("Acknowledged by oncall");
    expect(screen.queryByRole("button", { name: "Unacknowledge" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Acknowledge…" })).not.toBeInTheDocument();
    expect(screen.queryByText("Acknowledged", { selector: ".badge" })).not.toBeInTheDocument();
  });

  it("offers no resolve to a viewer", async () => {
    server.use(handlers.signedInAs(viewer), ...answer());

    renderApp("/alerts/1");

    await screen.findByRole("region", { name: "Why it fired" });
    expect(screen.queryByRole("button", { name: "Resolve…" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Acknowledge…" })).not.toBeInTheDocument();
  });

  it("says a manual trigger was by hand, with no measured value", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...answer(alertDetail({ manual: true, value: null, last_value: null, message: "Failover drill", context: { manual: true, triggered_by: "admin", window_minutes: 5, aggregation: "avg" } })),
    );

    renderApp("/alerts/1");

    const why = await screen.findByRole("region", { name: "Why it fired" });
    expect(why).toHaveTextContent("Triggered by hand by admin, not by a measurement.");
    expect(screen.getByText("Failover drill")).toBeInTheDocument();
  });

  it("says there is no such alert on a 404", async () => {
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/alerts/history/1/", () => HttpResponse.json({ detail: "Not found." }, { status: 404 })),
      http.get("/api/alerts/metrics/", () => HttpResponse.json(catalogue())),
    );

    renderApp("/alerts/1");

    expect(await screen.findByRole("alert")).toHaveTextContent("There is no such thing as alert #1");
  });
});

describe("AlertDetailPage: silence this alert", () => {
  const grouped = alertDetail({ group_labels: { route: "/api/orders/" }, labels: { route: "/api/orders/", team: "payments" } });
  const preview = {
    count: 1,
    alerts: [
      { id: 1, rule: 1, rule_name: "High CPU Usage", severity: "high", metric_name: "cpu_usage", labels: { route: "/api/orders/" }, triggered_at: "2026-11-27T17:20:00Z", acknowledged_at: null },
    ],
  };

  it("opens the silence form for 4 h with the rule and the group as matchers, previews it and sends from_alert", async () => {
    const bodies: Record<string, unknown>[] = [];
    const previews: unknown[] = [];
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.post("/api/alerts/silences/preview/", async ({ request }) => {
        previews.push(await request.json());
        return HttpResponse.json(preview);
      }),
      http.post("/api/alerts/silences/", async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        bodies.push(body);
        return HttpResponse.json(silence({ id: 7, ends_at: String(body.ends_at) }), { status: 201 });
      }),
      ...answer(grouped),
    );
    const { user } = renderApp("/alerts/1");

    const actions = await screen.findByRole("group", { name: "Silence this alert" });
    const clicked = Date.now();
    await user.click(within(actions).getByRole("button", { name: "4 h" }));
    const dialog = screen.getByRole("dialog", { name: "Silence alert #1" });
    expect(within(dialog).getByLabelText("Label 1")).toHaveValue("rule");
    expect(within(dialog).getByLabelText("Value 1")).toHaveValue("High CPU Usage");
    expect(within(dialog).getByLabelText("Label 2")).toHaveValue("route");
    expect(within(dialog).getByLabelText("Value 2")).toHaveValue("/api/orders/");
    const held = within(dialog).getByRole("region", { name: "Open alerts it would hold" });
    expect(await within(held).findByText("1 open alert matches now.")).toBeInTheDocument();
    expect(within(held).getByRole("link", { name: "#1 High CPU Usage" })).toHaveAttribute("href", "/alerts/1");
    expect(previews[0]).toEqual({
      matchers: [
        { label: "rule", op: "=", value: "High CPU Usage" },
        { label: "route", op: "=", value: "/api/orders/" },
      ],
    });
    expect(within(dialog).getByLabelText("Comment")).toHaveFocus();
    await user.type(within(dialog).getByLabelText("Comment"), "Deploying the fix");
    await user.click(within(dialog).getByRole("button", { name: "Add silence" }));

    expect(await screen.findByText(/Silence #7 added, until/)).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    const body = bodies[0] ?? {};
    expect(body).toMatchObject({
      matchers: [
        { label: "rule", op: "=", value: "High CPU Usage" },
        { label: "route", op: "=", value: "/api/orders/" },
      ],
      comment: "Deploying the fix",
      from_alert: 1,
    });
    expect(body).not.toHaveProperty("starts_at");
    // To the minute the form holds: four hours after the click.
    const ends = new Date(String(body.ends_at)).getTime();
    expect(Math.abs(ends - (clicked + 4 * 3_600_000))).toBeLessThan(2 * 60_000);
  });

  it("ends a silence made until tomorrow at 09:00 in the reader's time zone", async () => {
    readerInTimeZone("America/New_York");
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.post("/api/alerts/silences/preview/", () => HttpResponse.json(preview)),
      ...answer(grouped),
    );
    const { user } = renderApp("/alerts/1");

    await user.click(await screen.findByRole("button", { name: "Until tomorrow 09:00" }));
    const dialog = screen.getByRole("dialog", { name: "Silence alert #1" });
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, "0")}-${String(tomorrow.getDate()).padStart(2, "0")}`;
    expect(within(dialog).getByLabelText("Ends")).toHaveValue(`${day}T09:00`);
    expect(within(dialog).getByLabelText("Ends")).toHaveAccessibleDescription(/In (EST|EDT|GMT-5|GMT-4)/);
  });

  it("shows each field the server refuses beside it, and keeps the form", async () => {
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.post("/api/alerts/silences/preview/", () => HttpResponse.json(preview)),
      http.post("/api/alerts/silences/", () =>
        HttpResponse.json(
          {
            comment: ["Say why (the others on call read it): a comment is required."],
            ends_at: ["At most 30 days after starts_at."],
            matchers: { "1": { value: ["Not a valid regular expression."] } },
          },
          { status: 400 },
        ),
      ),
      ...answer(grouped),
    );
    const { user } = renderApp("/alerts/1");

    await user.click(await screen.findByRole("button", { name: "1 h" }));
    const dialog = screen.getByRole("dialog", { name: "Silence alert #1" });
    await user.click(within(dialog).getByRole("button", { name: "Add silence" }));

    expect(await within(dialog).findByText("Not saved: check the fields.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Comment")).toHaveAccessibleDescription(/a comment is required/);
    expect(within(dialog).getByLabelText("Ends")).toHaveAccessibleDescription(/At most 30 days after starts_at\./);
    expect(within(dialog).getByLabelText("Value 2")).toHaveAttribute("aria-invalid", "true");
    expect(within(dialog).getByText("Not a valid regular expression.")).toBeInTheDocument();
  });

  it("offers no silence to a viewer, nor on a resolved alert, and says what holds an open one", async () => {
    server.use(handlers.signedInAs(viewer), ...answer(alertDetail({ silenced_by: { silences: [3], maintenance_windows: [] }, inhibited_by: [9] })));
    renderApp("/alerts/1");

    const held = await screen.findByRole("region", { name: "Held back" });
    expect(held).toHaveTextContent("Silenced by silence #3");
    expect(within(held).getByRole("link", { name: "alert #9" })).toHaveAttribute("href", "/alerts/9");
    expect(screen.queryByRole("group", { name: "Silence this alert" })).not.toBeInTheDocument();
  });

  it("offers no silence on a resolved alert", async () => {
    server.use(handlers.signedInAs(admin), ...answer(alertDetail({ status: "resolved", resolved_at: "2026-11-27T17:40:00Z" })));
    renderApp("/alerts/1");

    await screen.findByRole("region", { name: "Why it fired" });
    expect(screen.queryByRole("group", { name: "Silence this alert" })).not.toBeInTheDocument();
  });
});

describe("AlertDetailPage: timeline", () => {
  it("lists what happened, oldest first: kind, time, text, who and how, channel and delivery status", async () => {
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/alerts/history/1/timeline/", () =>
        HttpResponse.json({
          alert: 1,
          entries: [
            timelineEntry(),
            timelineEntry({
              at: "2026-11-27T17:20:01Z", kind: "delivery", text: "Trigger sent to Slack (default) (#alerts)", via: null,
              event: "trigger", channel: "Slack (default)", target: "#alerts", status: "sent", delivery_id: 1,
            }),
            timelineEntry({ at: "2026-11-27T17:25:00Z", kind: "acknowledged", text: "Acknowledged: looking at it", actor: "alice", via: "link" }),
            timelineEntry({
              at: "2026-11-27T17:26:00Z", kind: "delivery", text: "Reminder skipped on Ops email: Silenced by silence #3", via: null,
              event: "reminder", channel: "Ops email", target: "ops@example.com", status: "skipped", delivery_id: 2,
            }),
          ],
        }),
      ),
      ...answer(),
    );
    renderApp("/alerts/1");

    const timeline = await screen.findByRole("list", { name: "What happened, oldest first" });
    const entries = within(timeline).getAllByRole("listitem");
    expect(entries).toHaveLength(4);
    expect(entries[0]).toHaveTextContent("Opened");
    expect(entries[0]).toHaveTextContent("Opened: cpu_usage was 91.5 %, above 80 %");
    expect(entries[0]).toHaveTextContent("by the engine");
    expect(entries[1]).toHaveTextContent("Notification");
    expect(entries[1]).toHaveTextContent("Sent");
    expect(entries[1]).toHaveTextContent("Slack (default) (#alerts)");
    expect(entries[2]).toHaveTextContent("alice, through a link in a message");
    expect(entries[3]).toHaveTextContent("Skipped");
    expect(entries[3]).toHaveTextContent("Ops email (ops@example.com)");
    expect(nthEntry(entries, 2).querySelector("time")).toHaveAttribute("dateTime", "2026-11-27T17:25:00Z");
  });

  it("shows the acknowledgement on the timeline once it is made from the page", async () => {
    let acknowledged = false;
    server.use(
      handlers.signedInAs(admin),
      handlers.csrf(),
      http.get("/api/alerts/history/1/timeline/", () =>
        HttpResponse.json({
          alert: 1,
          entries: [
            timelineEntry(),
            ...(acknowledged ? [timelineEntry({ at: "2026-11-27T17:25:00Z", kind: "acknowledged", text: "Acknowledged by admin", actor: "admin", via: "api" })] : []),
          ],
        }),
      ),
      http.post("/api/alerts/history/1/acknowledge/", () => {
        acknowledged = true;
        return HttpResponse.json(alertDetail({ acknowledged_at: "2026-11-27T17:25:00Z", acknowledged_by: "admin" }));
      }),
      ...answer(),
    );
    const { user } = renderApp("/alerts/1");

    const timeline = await screen.findByRole("list", { name: "What happened, oldest first" });
    expect(within(timeline).getAllByRole("listitem")).toHaveLength(1);
    await user.click(screen.getByRole("button", { name: "Acknowledge…" }));
    await user.click(within(screen.getByRole("dialog", { name: "Acknowledge alert #1" })).getByRole("button", { name: "Acknowledge alert" }));

    await waitFor(() => {
      expect(within(screen.getByRole("list", { name: "What happened, oldest first" })).getAllByRole("listitem")).toHaveLength(2);
    });
    expect(screen.getByRole("list", { name: "What happened, oldest first" })).toHaveTextContent("admin, on the dashboard or API");
  });

  it("says the server keeps no timeline yet when the endpoint answers 404, and shows the rest", async () => {
    server.use(handlers.signedInAs(admin), ...answer());
    renderApp("/alerts/1");

    const section = await screen.findByRole("region", { name: "Timeline" });
    expect(await within(section).findByText(/does not keep a timeline of alerts yet/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Notifications" })).toBeInTheDocument();
  });
});

function nthEntry(entries: HTMLElement[], index: number): HTMLElement {
  const entry = entries[index];
  if (!entry) throw new Error(`no entry ${index}`);
  return entry;
}

