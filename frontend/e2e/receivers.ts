/**
 * Stand-ins for Slack, a mail server and any other HTTP receiver on 127.0.0.1, for the browser
 * tests: the stack's SLACK_WEBHOOK_URL and EMAIL_HOST/EMAIL_PORT point here, and channels added in
 * the tests point at the generic receiver (a Discord webhook at /discord/..., a webhook at
 * /webhook/..., PagerDuty's Events API at /pagerduty/v2/enqueue), so that alerts and test sends
 * are really delivered and the tests can see what arrived. A GET of `/received` on the Slack
 * stand-in answers with everything they all received, for the tests (which run in other
 * processes) to check.
 */
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";

export interface Received {
  slack: { path: string; body: unknown }[];
  email: { from: string; to: string[]; data: string }[];
  /** What the generic receiver got, on any path. */
  http: { method: string; path: string; body: unknown }[];
}

export interface Receivers {
  /** The webhook URL to give the stack as SLACK_WEBHOOK_URL. */
  slackWebhookUrl: string;
  /** Where the tests read what arrived. */
  receivedUrl: string;
  /** The generic receiver's base URL (no trailing slash): any path is recorded and accepted. */
  httpReceiverUrl: string;
  smtpPort: number;
  stop: () => Promise<void>;
}

function listen(server: HttpServer | TcpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address && typeof address === "object") resolve(address.port);
      else reject(new Error("no port"));
    });
  });
}

function close(server: HttpServer | TcpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

/** Just enough SMTP for Django's SMTP backend: no TLS, no login, every message accepted. */
function smtpSession(socket: Socket, received: Received): void {
  let buffer = "";
  let inData = false;
  let from = "";
  let to: string[] = [];
  let data: string[] = [];
  const reply = (line: string) => socket.write(`${line}\r\n`);
  reply("220 resee-e2e ESMTP");
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf("\r\n");
    while (end !== -1) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (inData) {
        if (line === ".") {
          inData = false;
          received.email.push({ from, to, data: data.join("\n") });
          reply("250 2.0.0 Ok: queued");
        } else {
          data.push(line.startsWith("..") ? line.slice(1) : line);
        }
      } else {
        const command = line.slice(0, 4).toUpperCase();
        if (command === "EHLO") {
          reply("250-resee-e2e");
          reply("250 8BITMIME");
        } else if (command === "HELO") reply("250 resee-e2e");
        else if (command === "MAIL") {
          from = /<([^>]*)>/.exec(line)?.[1] ?? "";
          to = [];
          data = [];
          reply("250 2.1.0 Ok");
        } else if (command === "RCPT") {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
          reply("250 2.1.5 Ok");
        } else if (command === "DATA") {
          inData = true;
          reply("354 End data with <CR><LF>.<CR><LF>");
        } else if (command === "QUIT") {
          reply("221 2.0.0 Bye");
          socket.end();
        } else if (command === "RSET" || command === "NOOP") reply("250 2.0.0 Ok");
        else reply("502 5.5.2 Command not recognized");
      }
      end = buffer.indexOf("\r\n");
    }
  });
  socket.on("error", () => undefined);
}

/** The body as JSON when it is JSON, else the text. */
function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Answers as the real service on that path would answer a good request. */
function acceptAs(path: string, response: ServerResponse): void {
  if (path.startsWith("/pagerduty/")) {
    // PagerDuty's Events API v2.
    response.writeHead(202, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ status: "success", message: "Event processed", dedup_key: "e2e" }));
  } else if (path.startsWith("/discord/")) {
    // A Discord webhook without ?wait=true.
    response.writeHead(204);
    response.end();
  } else {
    response.writeHead(200, { "Content-Type": "text/plain" });
    response.end("ok");
  }
}

export async function startReceivers(): Promise<Receivers> {
  const received: Received = { slack: [], email: [], http: [] };
  const sockets = new Set<Socket>();

  const http = createHttpServer((request, response) => {
    if (request.method === "GET" && request.url === "/received") {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify(received));
      return;
    }
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      received.slack.push({ path: request.url ?? "", body: parsed(body) });
      // What Slack's incoming webhooks answer.
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.end("ok");
    });
  });
  const generic = createHttpServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      const path = request.url ?? "";
      received.http.push({ method: request.method ?? "", path, body: parsed(body) });
      acceptAs(path, response);
    });
  });
  const smtp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    smtpSession(socket, received);
  });

  const httpPort = await listen(http);
  const genericPort = await listen(generic);
  const smtpPort = await listen(smtp);
  return {
    slackWebhookUrl: `http://127.0.0.1:${httpPort}/services/T0E2E/B0E2E/e2e0secret0token`,
    receivedUrl: `http://127.0.0.1:${httpPort}/received`,
    httpReceiverUrl: `http://127.0.0.1:${genericPort}`,
    smtpPort,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      http.closeAllConnections();
      generic.closeAllConnections();
      await Promise.all([close(http), close(generic), close(smtp)]);
    },
  };
}

/** What the stand-ins have received so far (from a test process). */
export async function receivedSoFar(): Promise<Received> {
  const url = process.env.E2E_RECEIVED_URL;
  if (!url) throw new Error("E2E_RECEIVED_URL is not set: are the receivers running (global setup)?");
  return (await (await fetch(url)).json()) as Received;
}

/** The generic receiver's base URL (from a test process). */
export function httpReceiverUrl(): string {
  const url = process.env.E2E_HTTP_RECEIVER_URL;
  if (!url) throw new Error("E2E_HTTP_RECEIVER_URL is not set: are the receivers running (global setup)?");
  return url;
}
