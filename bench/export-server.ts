/**
 * The Book list alone in a process of its own, for bench/export-bench.ts to measure the exporting
 * process's memory: prints its port, serves until SIGTERM, then prints its peak resident set size.
 * /books is the demo's resource (a million-row export is queued in the background); /books-direct
 * is the same list with a threshold above a million, so its exports stream in the request.
 */
import express from "express";
import { dataModel } from "../src/generated/powercrud";
import { createPool, createPrisma } from "../src/db/clients";
import { bookResource } from "../src/demo/resources";
import { createPowerCrud } from "../src/index";
import { sessionMiddleware } from "../src/web/session";

const url = process.env.DATABASE_URL!;
const pool = createPool(url, 4);
const prisma = createPrisma(url);
const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(sessionMiddleware({ pool, secret: "bench-secret-bench-secret" }));
const crud = createPowerCrud({ prisma, pool, dataModel, getUser: () => ({ id: 1, role: "ADMIN" }) });
app.use(crud.protect());
app.use("/books", crud.resource(bookResource));
app.use("/books-direct", crud.resource({ ...bookResource, key: "books-direct", export: { backgroundMinRecords: 10_000_000 } }));
app.use("/tasks", crud.statusPage());
app.use(crud.errorHandler());
const server = app.listen(0, "127.0.0.1", () => {
  console.log(`port ${(server.address() as { port: number }).port}`);
});
process.on("SIGTERM", () => {
  // maxRSS is in KiB: the process's peak since it started.
  console.log(`peak-rss ${process.resourceUsage().maxRSS * 1024}`);
  server.closeAllConnections();
  server.close(() => void prisma.$disconnect().then(() => pool.end()).then(() => process.exit(0)));
});
