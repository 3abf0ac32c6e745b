/**
 * A worker process for the background-task bench: `tsx bench/tasks-worker.ts` with DATABASE_URL set.
 * It runs the Book resource's bulk tasks (the same resource the bench server mounts) at concurrency 1
 * and reports its peak resident set size every 200 ms, so the bench can read what a task cost it.
 */
import { createPool, createPrisma } from "../src/db/clients";
import { dataModel } from "../src/generated/powercrud";
import { bookResource } from "../src/demo/resources";
import { createPowerCrud } from "../src/index";

const url = process.env.DATABASE_URL!;
const pool = createPool(url, 4);
const prisma = createPrisma(url);
const crud = createPowerCrud({ prisma, pool, dataModel, getUser: () => ({ id: 1, role: "ADMIN" }) });
crud.resource(bookResource);
const worker = await crud.runWorker({ concurrency: 1 });
// maxRSS is in KiB, the process's peak since it started.
const report = () => console.log(`peak-rss ${process.resourceUsage().maxRSS * 1024}`);
const timer = setInterval(report, 200);
console.log("worker ready");

process.once("SIGTERM", async () => {
  clearInterval(timer);
  report();
  await worker.stop();
  await prisma.$disconnect();
  await pool.end();
  process.exit(0);
});
