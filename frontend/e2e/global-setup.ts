import { startReceivers } from "./receivers";
import { shareStackSettings, startStack, stackLogTail } from "./stack";

/** Starts the stand-ins for Slack, the mail server and other HTTP receivers, then the real stack (pointed at them) once
 * for every test; the function it returns stops both, also after failures. The tests find them
 * through these variables. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const receivers = await startReceivers();
  let stack;
  try {
    stack = await startStack({
      SLACK_WEBHOOK_URL: receivers.slackWebhookUrl,
      SLACK_DEFAULT_CHANNEL: "#alerts",
      EMAIL_BACKEND: "django.core.mail.backends.smtp.EmailBackend",
      EMAIL_HOST: "127.0.0.1",
      EMAIL_PORT: String(receivers.smtpPort),
      DEFAULT_FROM_EMAIL: "Resee Alerts <alerts@resee.test>",
    });
  } catch (error) {
    console.error(stackLogTail());
    await receivers.stop();
    throw error;
  }
  process.env.E2E_BASE_URL = stack.baseUrl;
  process.env.E2E_USERNAME = stack.username;
  process.env.E2E_PASSWORD = stack.password;
  process.env.E2E_RECEIVED_URL = receivers.receivedUrl;
  process.env.E2E_HTTP_RECEIVER_URL = receivers.httpReceiverUrl;
  shareStackSettings(stack.settings);
  return async () => {
    await stack.stop();
    await receivers.stop();
  };
}
