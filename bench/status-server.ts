/**
 * The status page alone in a process of its own, for bench/status-bench.ts to measure its CPU and
 * memory apart from the clients: prints its port, serves until killed. DATABASE_URL is the bench's.
 */
import express from "express";
import { dataModel } from "../src/generated/powercrud";
import { createPool, createPrisma } from "../src/db/clients";
import { bookResource } from "../src/demo/resources";
import { createPowerCrud } from "../src/index";
import { sessionMiddleware } from "../src/web/session";

const url = process.env.DATABASE_URL!;
const pool = createPool(url, 10);
const prisma = createPrisma(url);
const app = express();
app.use(sessionMiddleware({ pool, secret: "bench-secret-bench-secret" }));
// The bench's user is a task manager: they see every task, so every stream gets every event.
const crud = createPowerCrud({ prisma, pool, dataModel, getUser: () => ({ id: 1, role: "ADMIN" }), tasks: { canManage: () => true } });
app.use(crud.protect());
app.use("/books", crud.resource(bookResource));
app.use("/tasks", crud.statusPage());
app.use(crud.errorHandler());
const server = app.listen(0, "127.0.0.1", () => {
  console.log(`port ${(server.address() as { port: number }).port}`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => void crud.close().then(() => pool.end()).then(() => process.exit(0)));
});
