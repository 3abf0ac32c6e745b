/**
 * `npm run indexes`: the indexes the demo's lists need and its database lacks, with the Prisma lines
 * that add them. Against DATABASE_URL, or else a throwaway embedded database with the committed
 * migrations (the indexes are the schema's, whatever the data).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPool, createPrisma } from "../db/clients";
import { startEmbeddedPostgres } from "../db/embedded-postgres";
import { migrateDatabase } from "../db/migrate";
import { describeAdvice } from "../index";
import { demoCrud } from "./crud";
import { readSettings } from "./settings";

const settings = readSettings();
const embedded = settings.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "powercrud-indexes-")), database: "powercrud", persistent: false });
const url = settings.DATABASE_URL ?? embedded!.url;
await migrateDatabase(url);
const pool = createPool(url);
const prisma = createPrisma(url);
try {
  const advice = await demoCrud({ pool, prisma }).crud.indexAdvice();
  if (advice.length === 0) console.log("Every list of the demo has the indexes it needs.");
  for (const line of describeAdvice(advice)) console.log(line);
} finally {
  await prisma.$disconnect();
  await pool.end();
  await embedded?.stop();
}
