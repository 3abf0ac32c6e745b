import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import cluster from "node:cluster";
import type { Server } from "node:http";
import { createPool, createPrisma } from "../db/clients";
import { releaseShutdownSignals, startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded-postgres";
import { migrateDatabase } from "../db/migrate";
import type { WorkerHandle } from "../tasks/worker";
import { createDemoApp } from "./app";
import { demoCrud } from "./crud";
import { describeAdvice } from "../index";
import { readSettings } from "./settings";
import { DEFAULT_SEED, seedIfEmpty } from "./seed";
import { DEMO_USERS } from "./seed-data";

const settings = readSettings();
const stops: Array<() => Promise<unknown>> = [];
let stopping = false;

async function main(): Promise<void> {
  let url = settings.DATABASE_URL;
  let embedded: EmbeddedDatabase | undefined;
  if (!url) {
    const dataDir = settings.POWERCRUD_EPHEMERAL_DB
      ? fs.mkdtempSync(path.join("/tmp", "powercrud-pg-"))
      : settings.POWERCRUD_DATA_DIR;
    console.log(`Starting embedded PostgreSQL in ${dataDir} ...`);
    embedded = await startEmbeddedPostgres({ dataDir, database: "powercrud", persistent: !settings.POWERCRUD_EPHEMERAL_DB });
    stops.unshift(() => embedded!.stop());
    url = embedded.url;
  }
  await migrateDatabase(url);

  const pool = createPool(url);
  const prisma = createPrisma(url);
  stops.unshift(() => pool.end(), () => prisma.$disconnect());
  if (await seedIfEmpty(pool, { ...DEFAULT_SEED, books: settings.SEED_BOOKS })) {
    console.log(`Seeded ${settings.SEED_BOOKS} demo books.`);
  }

  const demo = demoOf(pool, prisma);
  // In development, say which lists would scan their table for want of an index (npm run indexes).
  if (process.env.NODE_ENV !== "production") {
    for (const line of describeAdvice(await demo.crud.indexAdvice())) console.warn(`Missing index: ${line}`);
  }
  let worker: WorkerHandle | undefined;
  if (settings.WORKER_CONCURRENCY > 0) {
    worker = await demo.crud.runWorker({ concurrency: settings.WORKER_CONCURRENCY });
    stops.unshift(() => worker!.stop());
  }

  const secret = settings.SESSION_SECRET ?? sessionSecret(embedded ? settings.POWERCRUD_DATA_DIR : undefined);
  const workerStatus = () => worker?.status() ?? "disabled";
  const port = settings.WEB_PROCESSES > 1
    ? await forkWebProcesses(url, secret, workerStatus)
    : await serve(createDemoApp({ pool, prisma, sessionSecret: secret, workerStatus, secureCookie: settings.COOKIE_SECURE, trustProxy: settings.TRUST_PROXY, demo }));

  console.log(`\nPowerCRUD demo running at http://localhost:${port}/`);
  console.log(`Database: ${embedded ? `embedded PostgreSQL (${url})` : "DATABASE_URL"}; worker: ${worker ? "in-process" : "off"}; web processes: ${settings.WEB_PROCESSES}`);
  if (embedded) console.log(`More workers: DATABASE_URL=${url} npm run worker`);
  console.log("Sign in with:");
  for (const user of DEMO_USERS) console.log(`  ${user.email.padEnd(20)} password: ${user.password.padEnd(7)} (${user.role.toLowerCase()})`);
  console.log("Press Ctrl-C to stop.");
}

function demoOf(pool: ReturnType<typeof createPool>, prisma: ReturnType<typeof createPrisma>) {
  return demoCrud({ pool, prisma, bulkMinRecords: settings.BULK_MIN_RECORDS, smtpUrl: settings.SMTP_URL, mailFrom: settings.MAIL_FROM, taskDelayMs: settings.DEMO_TASK_DELAY_MS, refuseEvery: settings.DEMO_BULK_REFUSE_EVERY });
}

/** Listens on PORT and HOST; answers the port. */
async function serve(app: ReturnType<typeof createDemoApp>): Promise<number> {
  const server: Server = app.listen(settings.PORT, settings.HOST);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  stops.unshift(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const address = server.address();
  return typeof address === "object" && address ? address.port : settings.PORT;
}

/**
 * WEB_PROCESSES > 1: web processes that share the port (node:cluster), each with its own pool. This
 * process keeps the database, the seed and the worker, and tells them the worker's state for /healthz.
 */
async function forkWebProcesses(url: string, secret: string, workerStatus: () => string): Promise<number> {
  const env = { DATABASE_URL: url, SESSION_SECRET: secret };
  const listening = Array.from({ length: settings.WEB_PROCESSES }, () => {
    const child = cluster.fork(env);
    return new Promise<number>((resolve, reject) => {
      child.once("listening", (address) => resolve(address.port));
      child.once("exit", (code) => reject(new Error(`a web process exited (code ${code}) before it listened`)));
    });
  });
  // A web process that dies once all listened is replaced; the others serve meanwhile. One that
  // dies while starting fails the start instead (a replacement would die the same way).
  let started = false;
  cluster.on("exit", (_child, code, signal) => {
    if (stopping || !started) return;
    console.error(`A web process exited (${signal ?? `code ${code}`}); starting another.`);
    cluster.fork(env);
  });
  const tell = () => { for (const child of Object.values(cluster.workers ?? {})) child?.send({ workerStatus: workerStatus() }); };
  const telling = setInterval(tell, 2_000);
  stops.unshift(async () => {
    clearInterval(telling);
    await Promise.all(Object.values(cluster.workers ?? {}).map((child) => child && !child.isDead() && new Promise((resolve) => { child.once("exit", resolve); child.kill("SIGTERM"); })));
  });
  const [port] = await Promise.all(listening);
  started = true;
  tell();
  return port!;
}

/** One web process of several: the primary has prepared the database and passes it, and the session secret. */
async function webProcess(): Promise<void> {
  const url = settings.DATABASE_URL!;
  const pool = createPool(url);
  const prisma = createPrisma(url);
  stops.unshift(() => pool.end(), () => prisma.$disconnect());
  let workerStatus = "disabled";
  process.on("message", (message: { workerStatus?: string }) => { if (typeof message?.workerStatus === "string") workerStatus = message.workerStatus; });
  await serve(createDemoApp({ pool, prisma, sessionSecret: settings.SESSION_SECRET!, workerStatus: () => workerStatus, secureCookie: settings.COOKIE_SECURE, trustProxy: settings.TRUST_PROXY, demo: demoOf(pool, prisma) }));
}

/**
 * With the embedded database the secret is kept next to its data, so sessions survive a restart;
 * a host that brings its own DATABASE_URL should set SESSION_SECRET.
 */
function sessionSecret(dataDir: string | undefined): string {
  if (!dataDir) {
    console.warn("SESSION_SECRET is not set: using a random one, so sessions end when the server restarts.");
    return randomBytes(32).toString("hex");
  }
  const file = path.join(path.dirname(path.resolve(dataDir)), "session-secret");
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  return fs.readFileSync(file, "utf8").trim();
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received: shutting down ...`);
  for (const stop of stops) {
    try {
      await stop();
    } catch (error) {
      if ((error as { code?: string }).code !== "57P01") console.error(error);
    }
  }
  process.exit(0);
}

releaseShutdownSignals();
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

(cluster.isWorker ? webProcess() : main()).catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await shutdown("startup failure");
  process.exit(1);
});
