/**
 * The demo application alone, as `npm start` runs it (a pool of 10 connections per process,
 * compression, sessions, sign-in), for bench/load-bench.ts to load from another process: prints its
 * port, serves until killed. DATABASE_URL is the load bench's database; WEB_PROCESSES > 1 runs that
 * many processes sharing the port, as the demo's own setting does.
 */
import cluster from "node:cluster";
import { createPool, createPrisma } from "../src/db/clients";
import { createDemoApp } from "../src/demo/app";

const processes = Number(process.env.WEB_PROCESSES ?? 1);

if (cluster.isPrimary && processes > 1) {
  for (let i = 0; i < processes; i++) cluster.fork();
  let listening = 0;
  cluster.on("listening", (_child, address) => {
    if (++listening === processes) console.log(`port ${address.port}`);
  });
  process.on("SIGTERM", () => {
    const children = Object.values(cluster.workers ?? {}).filter((child) => child && !child.isDead());
    let left = children.length;
    for (const child of children) child!.once("exit", () => --left === 0 && process.exit(0)).kill("SIGTERM");
  });
} else {
  const url = process.env.DATABASE_URL!;
  const app = createDemoApp({ pool: createPool(url), prisma: createPrisma(url), sessionSecret: "bench-secret-bench-secret" });
  // Every process of a cluster listens on port 0 and gets the same port from the primary.
  const server = app.listen(0, "127.0.0.1", () => {
    if (cluster.isPrimary) console.log(`port ${(server.address() as { port: number }).port}`);
  });
  // Ended in the middle of the load: requests still in flight have nothing left to answer to.
  process.on("SIGTERM", () => process.exit(0));
}
