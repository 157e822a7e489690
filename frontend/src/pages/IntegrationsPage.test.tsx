import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { delivery, integrations } from "../test/fixtures";
import { renderApp } from "../test/render";
import { admin, handlers, server, viewer } from "../test/server";

function common() {
  return [
    handlers.csrf(),
    handlers.pushTokens(),
    http.get("/api/alerts/integrations/", () => HttpResponse.json(integrations())),
  ];
}

describe("IntegrationsPage", () => {
  it("says which channels are configured, naming the missing setting", async () => {
    server.use(handlers.signedInAs(admin), ...common());

    renderApp("/integrations");

    const channels = await screen.findByRole("region", { name: "Channels" });
    const [slack, email] = within(channels).getAllByRole("listitem");
    expect(slack).toHaveTextContent("SlackNot configured");
    expect(slack).toHaveTextContent("SLACK_WEBHOOK_URL is not set.");
    expect(email).toHaveTextContent("EmailConfigured");
    expect(channels).toHaveTextContent("no recipients (ALERT_SUMMARY_RECIPIENTS is empty)");
  });

  it("sends a test to Slack: sent (200), not configured (400), refused (502), throttled (429)", async () => {
    const bodies: unknown[] = [];
    let answer = 0;
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.post("/api/alerts/test/slack/", async ({ request }) => {
        bodies.push(await request.json());
        answer += 1;
        if (answer === 1) {
          return HttpResponse.json({ status: "sent", detail: "Test message sent to #ops.", delivery: delivery({ target: "#ops" }) });
        }
        if (answer === 2) {
          return HttpResponse.json(
            { status: "not_configured", detail: "Slack is not configured: SLACK_WEBHOOK_URL is not set.", delivery: null },
            { status: 400 },
          );
        }
        if (answer === 3) {
          return HttpResponse.json(
            { status: "failed", detail: "Slack answered HTTP 404: no_service.", delivery: delivery({ status: "failed" }) },
            { status: 502 },
          );
        }
        return HttpResponse.json(
          { detail: "Request was throttled. Expected available in 23 seconds." },
          { status: 429, headers: { "Retry-After": "23" } },
        );
      }),
    );
    const { user } = renderApp("/integrations");
    const form = await screen.findByRole("form", { name: "Send a test message to Slack" });
    await user.type(within(form).getByLabelText("Message"), "Hello");
    await user.type(within(form).getByLabelText("Channel"), "#ops");
    const send = within(form).getByRole("button", { name: "Send test" });

    await user.click(send);
    expect(await within(form).findByText("Test message sent to #ops. (reply 200)")).toBeInTheDocument();
    expect(bodies[0]).toEqual({ message: "Hello", channel: "#ops" });

    await user.click(send);
    expect(await within(form).findByText("Not sent: Slack is not configured: SLACK_WEBHOOK_URL is not set.")).toBeInTheDocument();

    await user.click(send);
    expect(await within(form).findByText("Refused: Slack answered HTTP 404: no_service.")).toBeInTheDocument();

    await user.click(send);
    const throttled = await within(form).findByText("Too many test sends: try again in 23 s.");
    expect(throttled.closest("[aria-live]")).not.toBeNull();
  });

  it("sends a test email and shows a refused field beside it (400)", async () => {
    server.use(
      handlers.signedInAs(admin),
      ...common(),
      http.post("/api/alerts/test/email/", async ({ request }) => {
        const body = (await request.json()) as { recipient: string };
        if (body.recipient === "nope") {
          return HttpResponse.json({ recipient: ["'nope' is not a valid email address."] }, { status: 400 });
        }
        return HttpResponse.json({
          status: "sent",
          detail: `Test message sent to ${body.recipient}.`,
          delivery: delivery({ channel: "email", target: body.recipient, response_code: 250 }),
        });
      }),
    );
    const { user } = renderApp("/integrations");
    const form = await screen.findByRole("form", { name: "Send a test email" });
    const recipient = within(form).getByLabelText("Recipient");

    await user.type(recipient, "nope");
    await user.click(within(form).getByRole("button", { name: "Send test" }));

    expect(await within(form).findByText("Not sent: check the fields.")).toBeInTheDocument();
    expect(recipient).toHaveAttribute("aria-invalid", "true");
    expect(recipient).toHaveAccessibleDescription("'nope' is not a valid email address.");

    await user.clear(recipient);
    await user.type(recipient, "test@example.com");
    await user.click(within(form).getByRole("button", { name: "Send test" }));
    expect(await within(form).findByText("Test message sent to test@example.com. (reply 250)")).toBeInTheDocument();
    expect(recipient).toHaveAttribute("aria-invalid", "false");
  });

  it("shows a failure to load with a way to try again", async () => {
    server.use(
      handlers.signedInAs(admin),
      http.get("/api/alerts/integrations/", () => HttpResponse.json({ detail: "Boom." }, { status: 500 }), { once: true }),
      ...common(),
    );
    const { user } = renderApp("/integrations");

    const failure = await screen.findByRole("alert");
    expect(failure).toHaveTextContent("Could not load the integrations");
    await user.click(within(failure).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("region", { name: "Channels" })).toBeInTheDocument();
  });

  it("lets a viewer see the configuration but not send", async () => {
    let sent = false;
    server.use(
      handlers.signedInAs(viewer),
      ...common(),
      http.post("/api/alerts/test/slack/", () => {
        sent = true;
        return HttpResponse.json({}, { status: 403 });
      }),
    );
    const { user } = renderApp("/integrations");

    const form = await screen.findByRole("form", { name: "Send a test message to Slack" });
    const send = within(form).getByRole("button", { name: "Send test" });
    expect(send).toHaveAttribute("aria-disabled", "true");
    expect(form).toHaveTextContent("Sending a test needs the permission to change rules");
    await user.click(send);
    expect(sent).toBe(false);
  });
});
