/**
 * The demo application alone in a process of its own, as `npm start` runs it (its pool of 10
 * connections, compression, sessions, sign-in), for bench/load-bench.ts to load from another
 * process: prints its port, serves until killed. DATABASE_URL is the load bench's database.
 */
import { createPool, createPrisma } from "../src/db/clients";
import { createDemoApp } from "../src/demo/app";

const url = process.env.DATABASE_URL!;
const pool = createPool(url);
const prisma = createPrisma(url);
const app = createDemoApp({ pool, prisma, sessionSecret: "bench-secret-bench-secret" });
const server = app.listen(0, "127.0.0.1", () => {
  console.log(`port ${(server.address() as { port: number }).port}`);
});
// Ended in the middle of the load: requests still in flight have nothing left to answer to.
process.on("SIGTERM", () => process.exit(0));
