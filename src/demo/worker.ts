/**
 * `npm run worker`: a worker process of its own, no web server. It runs the demo's background bulk
 * tasks against DATABASE_URL; start any number of them, on any number of machines.
 */
import { createPool, createPrisma } from "../db/clients";
import { demoCrud } from "./crud";
import { readSettings } from "./settings";

const settings = readSettings();

async function main(): Promise<void> {
  if (!settings.DATABASE_URL) {
    console.error("Set DATABASE_URL to the database of the app (npm start prints it when it runs an embedded PostgreSQL).");
    process.exit(2);
  }
  const pool = createPool(settings.DATABASE_URL);
  const prisma = createPrisma(settings.DATABASE_URL);
  const { crud } = demoCrud({ pool, prisma, bulkMinRecords: settings.BULK_MIN_RECORDS, smtpUrl: settings.SMTP_URL, mailFrom: settings.MAIL_FROM, taskDelayMs: settings.DEMO_TASK_DELAY_MS, refuseEvery: settings.DEMO_BULK_REFUSE_EVERY });
  const worker = await crud.runWorker({ concurrency: Math.max(1, settings.WORKER_CONCURRENCY) });
  console.log(`PowerCRUD worker running (concurrency ${Math.max(1, settings.WORKER_CONCURRENCY)}). Press Ctrl-C to stop.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await worker.stop();
    await prisma.$disconnect();
    await pool.end();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
