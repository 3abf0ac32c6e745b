import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Logger, runMigrations } from "graphile-worker";
import { packageRoot } from "../paths";
import { connectionFields, withDatabase } from "./connection-fields";
import { createDatabaseIfMissing } from "./embedded-postgres";
import { createPool } from "./clients";
import { migrateSchema } from "../schema/migrate-schema";

const run = promisify(execFile);

/**
 * Brings the demo's database up to date: creates it when missing, applies the committed Prisma
 * migrations, PowerCRUD's own schema and graphile-worker's. Safe to call on every start.
 */
export async function migrateDatabase(url: string): Promise<void> {
  await createDatabaseIfMissing(withDatabase(url, "postgres"), connectionFields(url).database);
  await prismaMigrateDeploy(url);
  const pool = createPool(url);
  try {
    await migrateSchema(pool);
  } finally {
    await pool.end();
  }
  await runMigrations({ connectionString: url, logger: new Logger(() => () => {}) });
}

async function prismaMigrateDeploy(url: string): Promise<void> {
  const cli = path.join(packageRoot, "node_modules", "prisma", "build", "index.js");
  try {
    await run(process.execPath, [cli, "migrate", "deploy"], {
      cwd: packageRoot,
      env: {
        ...process.env,
        DATABASE_URL: url,
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        NODE_OPTIONS: `--require=${path.join(packageRoot, "prisma", "unref-timers.cjs")}`,
      },
      timeout: 120_000,
    });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy failed:\n${stdout}\n${stderr}`.trim());
  }
}
