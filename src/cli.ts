#!/usr/bin/env node
/**
 * `npx powercrud migrate`: creates or updates PowerCRUD's own tables (schema `powercrud`) in the
 * database named by DATABASE_URL or --url, for deploys that run migrations as a step of their own
 * (with the `migrate: false` option). `createPowerCrud` does the same by itself otherwise.
 */
import pg from "pg";
import { migrateSchema } from "./schema/migrate-schema";

const USAGE = `Usage: powercrud migrate [--url postgresql://...]

Creates or updates PowerCRUD's tables (PostgreSQL schema "powercrud").
The database is --url, else the DATABASE_URL environment variable.`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return 0;
  }
  if (command !== "migrate") {
    console.error(command ? `Unknown command "${command}".\n\n${USAGE}` : USAGE);
    return 2;
  }
  const urlFlag = rest.indexOf("--url");
  const url = urlFlag >= 0 ? rest[urlFlag + 1] : process.env.DATABASE_URL;
  if (!url) {
    console.error(`No database: pass --url or set DATABASE_URL.\n\n${USAGE}`);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const { applied } = await migrateSchema(pool);
    console.log(applied.length ? `Applied ${applied.length} PowerCRUD migration(s): ${applied.join(", ")}` : "PowerCRUD's tables are up to date.");
    return 0;
  } catch (error) {
    console.error(`powercrud migrate failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await pool.end();
  }
}

process.exitCode = await main(process.argv.slice(2));
