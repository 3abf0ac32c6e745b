/**
 * Runs a command with DATABASE_URL set to the development database: DATABASE_URL when set, else the
 * embedded PostgreSQL in .data/postgres, started for the command and stopped after it. For the Prisma
 * CLI: `npm run migrate:dev -- --name add_weight` (stop `npm start` first: both use .data/postgres).
 */
import { spawnSync } from "node:child_process";
import { openDatabase, projectRoot } from "./database.js";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("Usage: tsx src/with-database.ts <command> [args...]");
  process.exit(2);
}
const database = await openDatabase({ url: process.env.DATABASE_URL });
const result = spawnSync(command, args, { cwd: projectRoot, stdio: "inherit", env: { ...process.env, DATABASE_URL: database.url } });
await database.stop();
process.exit(result.status ?? 1);
