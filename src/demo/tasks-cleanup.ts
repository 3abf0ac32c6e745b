/**
 * `npm run tasks:cleanup [-- --days N]`: removes finished bulk tasks older than the retention period
 * (tasks.retentionDays, default 30 days) from DATABASE_URL, in batches, and says how many went. The
 * workers' hourly cron does the same; this is for a database without workers, or a one-off.
 */
import { createPool, createPrisma } from "../db/clients";
import { demoCrud } from "./crud";
import { readSettings } from "./settings";

const settings = readSettings();

function daysArgument(args: string[]): number | undefined {
  const at = args.findIndex((arg) => arg === "--days" || arg.startsWith("--days="));
  if (at === -1) return undefined;
  const raw = args[at]!.includes("=") ? args[at]!.split("=")[1] : args[at + 1];
  const days = Number(raw);
  if (!raw || !Number.isInteger(days) || days < 1) {
    console.error(`--days must be a whole number of days, at least 1 (got "${raw ?? ""}").`);
    process.exit(2);
  }
  return days;
}

async function main(): Promise<void> {
  const days = daysArgument(process.argv.slice(2));
  if (!settings.DATABASE_URL) {
    console.error("Set DATABASE_URL to the database of the app (npm start prints it when it runs an embedded PostgreSQL).");
    process.exit(2);
  }
  const pool = createPool(settings.DATABASE_URL);
  const prisma = createPrisma(settings.DATABASE_URL);
  try {
    const { crud } = demoCrud({ pool, prisma });
    const result = await crud.cleanupTasks(days ? { retentionDays: days } : {});
    console.log(`Removed ${result.tasks.toLocaleString("en")} finished bulk tasks (${result.rows.toLocaleString("en")} rows with their targets and failures).`);
  } finally {
    await prisma.$disconnect();
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
