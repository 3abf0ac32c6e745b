import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.js";
import { shopCrud } from "./crud.js";
import { connect, migrate, openDatabase } from "./database.js";
import { seedIfEmpty } from "./seed.js";
import { ACCOUNTS } from "./users.js";

/** What to stop at shutdown, newest first: the server, the worker, the pools, then the database. */
const stops: Array<() => Promise<unknown>> = [];

async function start(): Promise<void> {
  const database = await openDatabase({ url: process.env.DATABASE_URL });
  stops.unshift(() => database.stop());
  await migrate(database.url);

  const { pool, prisma } = connect(database.url);
  stops.unshift(() => pool.end(), () => prisma.$disconnect());
  if (await seedIfEmpty(prisma)) console.log("Seeded the catalogue.");

  const shop = shopCrud({ prisma, pool });
  stops.unshift(() => shop.crud.close());
  // Background bulk tasks run in this process; more workers can run anywhere with crud.runWorker().
  const worker = await shop.crud.runWorker({ concurrency: 2 });
  stops.unshift(() => worker.stop());

  if (!process.env.SESSION_SECRET) console.warn("SESSION_SECRET is not set: sessions end when the server restarts.");
  const app = createApp(shop, { sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString("hex") });
  const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1");
  await new Promise((resolve, reject) => server.once("listening", resolve).once("error", reject));
  stops.unshift(() => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  }));

  console.log(`Shop admin running at http://localhost:${(server.address() as AddressInfo).port}/`);
  for (const account of ACCOUNTS) console.log(`  ${account.email.padEnd(20)} password: ${account.password.padEnd(8)} (${account.role})`);
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const stop of stops) await stop().catch((error: unknown) => console.error(error));
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
start().catch((error: unknown) => {
  console.error(error);
  void shutdown(1);
});
