/**
 * The real Resee Alerts stack for the browser tests: a fresh database in a temporary DATA_DIR,
 * an admin with a known password, and `manage.py runstack` (gunicorn, Celery worker and beat) on
 * a free port, serving the dashboard build from frontend/dist. Stopping it stops every process it
 * started and removes what it created.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

export const REPO_DIR = path.resolve(import.meta.dirname, "..", "..");
export const ARTIFACTS_DIR = path.join(REPO_DIR, "test-artifacts", "e2e");
const BACKEND_DIR = path.join(REPO_DIR, "backend");
const PYTHON = path.join(REPO_DIR, ".venv", "bin", "python");
const LOG_FILE = path.join(ARTIFACTS_DIR, "stack.log");
const HEALTH_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 45_000;

// Settings from the developer's shell or .env that would point the stack at something other than
// what this run chose; the run sets its own.
const CHOSEN_HERE = [
  "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "ENV_FILE", "DATA_DIR",
  "STATIC_ROOT", "DISK_USAGE_PATH", "HOST", "PORT", "SITE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
  "SECURE_COOKIES", "TRUST_X_FORWARDED_PROTO", "DEBUG", "SECRET_KEY", "ADMIN_USERNAME", "ADMIN_EMAIL",
  "ADMIN_PASSWORD", "METRICS_COLLECTION_INTERVAL_SECONDS", "ALERT_CHECK_INTERVAL_SECONDS", "SLACK_WEBHOOK_URL",
  "SLACK_DEFAULT_CHANNEL", "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL",
  "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "DEFAULT_FROM_EMAIL", "ALERT_SUMMARY_RECIPIENTS",
  "OUTBOUND_ALLOW_PRIVATE_TARGETS",
];

// The worker samples CPU, memory and disk every few seconds instead of every minute, so that the
// dashboard has real measurements soon after the stack starts; and the alert rules are evaluated
// every few seconds, so that a breach opens an alert within the test's patience.
const METRICS_COLLECTION_INTERVAL_SECONDS = "10";
const ALERT_CHECK_INTERVAL_SECONDS = "5";

/** The stack's own settings, handed to the tests (through E2E_STACK_ENV) so that they can run
 * `manage.py` commands against the same database. */
const STACK_ENV_VARIABLE = "E2E_STACK_ENV";

// Run by the stack's first process before it becomes `manage.py runstack`: should this test
// process die without stopping the stack, the kernel sends runstack SIGTERM, and runstack stops
// the web server, worker and beat in order.
const EXEC_DYING_WITH_PARENT = `
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG, Linux only
except (OSError, AttributeError):
    pass
os.execv(sys.executable, [sys.executable] + sys.argv[1:])
`;

const POSTGRES_DATABASE = `
import sys, psycopg
from psycopg import sql
url, action, name = sys.argv[1:4]
statement = "CREATE DATABASE {}" if action == "create" else "DROP DATABASE IF EXISTS {} WITH (FORCE)"
with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
    connection.execute(sql.SQL(statement).format(sql.Identifier(name)))
`;

export interface Stack {
  baseUrl: string;
  username: string;
  password: string;
  /** The settings the stack runs with (DATA_DIR, DATABASE_URL, ...), beside the runner's own. */
  settings: Record<string, string>;
  stop: () => Promise<void>;
}

function log(line: string): void {
  appendFileSync(LOG_FILE, `[e2e] ${line}\n`);
}

const run = promisify(execFile);

/** Runs the backend's Python; `label` names the step in the log and in errors, which must not
 * show the arguments (a database URL may hold a password). */
async function python(label: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  log(label);
  try {
    const { stdout, stderr } = await run(PYTHON, args, { cwd: BACKEND_DIR, env, timeout: 120_000 });
    appendFileSync(LOG_FILE, stdout + stderr);
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    appendFileSync(LOG_FILE, stdout + stderr);
    throw new Error(`${label} failed; see ${LOG_FILE}`, { cause: error });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** A database of its own on the PostgreSQL server DATABASE_URL names, dropped afterwards. */
async function temporaryPostgresDatabase(databaseUrl: string, env: NodeJS.ProcessEnv) {
  const url = new URL(databaseUrl);
  const base = decodeURIComponent(url.pathname.slice(1)).replace(/[^a-z0-9_]/gi, "_").toLowerCase() || "resee";
  const name = `${base.slice(0, 40)}_e2e_${randomBytes(4).toString("hex")}`;
  // Created from the server's maintenance database: the one DATABASE_URL names may not exist.
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const database = new URL(url);
  database.pathname = `/${name}`;
  const postgres = (action: "create" | "drop") =>
    python(`${action} PostgreSQL database ${name}`, ["-c", POSTGRES_DATABASE, maintenance.href, action, name], env);
  await postgres("create");
  return {
    url: database.href,
    drop: () => postgres("drop"),
  };
}

/** The process ids of `pid`'s descendants, from `ps`. */
async function descendantsOf(pid: number): Promise<number[]> {
  const { stdout } = await run("ps", ["-e", "-o", "pid=,ppid="]);
  const children = new Map<number, number[]>();
  for (const line of stdout.trim().split("\n")) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child !== undefined && parent !== undefined) {
      children.set(parent, [...(children.get(parent) ?? []), child]);
    }
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function waitForHealth(baseUrl: string, runstack: ChildProcess): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (runstack.exitCode !== null) {
      throw new Error(`runstack exited with code ${runstack.exitCode}; see ${LOG_FILE}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health/`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${baseUrl}/health/ did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s; see ${LOG_FILE}`);
}

/**
 * Starts the stack. `extra` are settings of this run beside the stack's own (e.g. where Slack and
 * the mail server are: the tests' stand-ins).
 */
export async function startStack(extra: Record<string, string> = {}): Promise<Stack> {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run the browser tests through \`make test\`, which creates it`);
  }
  if (!existsSync(path.join(REPO_DIR, "frontend", "dist", "index.html"))) {
    throw new Error("frontend/dist has no build: run `npm run build` first (`make test` does)");
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  rmSync(LOG_FILE, { force: true });

  const dataDir = mkdtempSync(path.join(tmpdir(), "resee-e2e-"));
  const username = "admin";
  const password = randomBytes(12).toString("base64url");
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !CHOSEN_HERE.includes(name)),
  );
  const settings: Record<string, string> = {
    ENV_FILE: path.join(dataDir, "no.env"),
    DATA_DIR: dataDir,
    ADMIN_USERNAME: username,
    ADMIN_PASSWORD: password,
    PYTHONUNBUFFERED: "1",
    METRICS_COLLECTION_INTERVAL_SECONDS,
    ALERT_CHECK_INTERVAL_SECONDS,
    // The channels the tests add point at receivers on 127.0.0.1, which the SSRF guard refuses
    // unless the deployment allows private targets.
    OUTBOUND_ALLOW_PRIVATE_TARGETS: "true",
    ...extra,
  };
  if (process.env.REDIS_URL) settings.REDIS_URL = process.env.REDIS_URL;
  Object.assign(env, settings);

  let dropDatabase: (() => Promise<void>) | null = null;
  let runstack: ChildProcess | null = null;

  const stop = async () => {
    if (runstack?.pid !== undefined) {
      const pid = runstack.pid;
      const everyProcess = [pid, ...(await descendantsOf(pid))];
      log(`stopping runstack (pid ${pid}) and its ${everyProcess.length - 1} descendants`);
      runstack.kill("SIGTERM");
      if (!(await exited(runstack, STOP_TIMEOUT_MS))) {
        log("runstack did not stop in time; killing it");
      }
      // Whatever survived (runstack waits for its children, so normally nothing).
      const survivors = everyProcess.filter(isAlive);
      for (const survivor of survivors) {
        process.kill(survivor, "SIGKILL");
      }
      if (survivors.length > 0) log(`killed survivors: ${survivors.join(" ")}`);
      runstack = null;
    }
    await dropDatabase?.();
    dropDatabase = null;
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const databaseUrl = process.env.DATABASE_URL ?? "";
    if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
      const database = await temporaryPostgresDatabase(databaseUrl, env);
      env.DATABASE_URL = database.url;
      settings.DATABASE_URL = database.url;
      dropDatabase = database.drop;
    }
    const setup = [["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity", "0"], ["ensure_admin"]];
    for (const command of setup) {
      await python(`manage.py ${command.join(" ")}`, ["manage.py", ...command], env);
    }

    const output = openSync(LOG_FILE, "a");
    log(`starting runstack on ${baseUrl}`);
    runstack = spawn(
      PYTHON,
      ["-c", EXEC_DYING_WITH_PARENT, "manage.py", "runstack", "--host", "127.0.0.1", "--port", String(port)],
      { cwd: BACKEND_DIR, env, stdio: ["ignore", output, output] },
    );
    const started = runstack;
    // Last resort when the test runner exits without calling stop(): runstack stops its children.
    process.once("exit", () => {
      if (started.exitCode === null) started.kill("SIGTERM");
    });
    await waitForHealth(baseUrl, started);
    log("the stack is up");
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, username, password, settings, stop };
}

/** Makes the stack's settings known to the test processes (called by the global setup). */
export function shareStackSettings(settings: Record<string, string>): void {
  process.env[STACK_ENV_VARIABLE] = JSON.stringify(settings);
}

/**
 * Runs `manage.py <args>` with the running stack's settings, as an operator would on its machine,
 * e.g. a shell command that logs an error. The command's output goes to the stack's log.
 */
export async function manageInStack(label: string, args: string[]): Promise<void> {
  const shared = process.env[STACK_ENV_VARIABLE];
  if (!shared) throw new Error(`${STACK_ENV_VARIABLE} is not set: is the stack running (global setup)?`);
  const settings = JSON.parse(shared) as Record<string, string>;
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !CHOSEN_HERE.includes(name)),
  );
  await python(label, ["manage.py", ...args], { ...env, ...settings });
}

/** The last lines the stack logged, to show with a failure. */
export function stackLogTail(lines = 40): string {
  if (!existsSync(LOG_FILE)) return "";
  return readFileSync(LOG_FILE, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}
