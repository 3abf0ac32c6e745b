import path from "node:path";
import type { Server } from "node:http";
import express from "express";
import type pg from "pg";
import { dataModel } from "../src/generated/powercrud";
import type { PrismaClient } from "../src/db/clients";
import { bookResource } from "../src/demo/resources";
import { createPowerCrud } from "../src/index";
import { sessionMiddleware } from "../src/web/session";
import { performance } from "node:perf_hooks";
import { createPool } from "../src/db/clients";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/db/embedded-postgres";
import { migrateDatabase } from "../src/db/migrate";
import { packageRoot } from "../src/paths";
import { createDemoApp } from "../src/demo/app";
import { seedCatalogue, seedUsers } from "../src/demo/seed";

/** DATABASE_URL, or an embedded PostgreSQL kept in .data/bench so the big seed happens only once. */
export async function benchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(packageRoot, ".data", "bench"), database: "powercrud_bench" });
    url = embedded.url;
  }
  await migrateDatabase(url);
  return { url, stop: async () => embedded?.stop() };
}

export async function bookCount(url: string): Promise<number> {
  const pool = createPool(url, 1);
  try {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "Book"`);
    return Number(rows[0]!.n);
  } finally {
    await pool.end();
  }
}

/** Seeds `books` books (with 300 authors and 20 genres) unless the database holds exactly that many: once, then kept. */
export async function ensureBooks(pool: pg.Pool, books: number): Promise<void> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "Book"`);
  if (Number(rows[0]!.n) === books) return;
  console.log(`Seeding ${books.toLocaleString("en")} books (kept for later runs) ...`);
  const started = Date.now();
  await seedCatalogue(pool, { books, authors: 300, genres: 20 });
  console.log(`  seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface Timing {
  p50: number;
  p95: number;
}

/** Runs `a` and `b` alternately (noise hits both alike) and returns their latency percentiles in ms. */
export async function interleaved(a: () => Promise<unknown>, b: () => Promise<unknown>, iterations = 40, warmup = 5): Promise<[Timing, Timing]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const start = performance.now();
    await a();
    const middle = performance.now();
    await b();
    const end = performance.now();
    if (i >= warmup) {
      ta.push(middle - start);
      tb.push(end - middle);
    }
  }
  return [percentiles(ta), percentiles(tb)];
}

export function percentiles(values: number[]): Timing {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

export function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : ms.toFixed(0);
}

export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The demo's Book resource in a bare Express app on a free port, as an admin: what the benches request. */
export async function benchServer(pool: pg.Pool, prisma: PrismaClient): Promise<{ base: string; close(): void }> {
  const app = express();
  app.use(express.urlencoded({ extended: false, limit: "5mb", parameterLimit: 5_000 }));
  app.use(sessionMiddleware({ pool, secret: "bench-secret-bench-secret" }));
  const crud = createPowerCrud({ prisma, pool, dataModel, getUser: () => ({ id: 1, role: "ADMIN" }) });
  app.use(crud.protect());
  app.use("/books", crud.resource(bookResource));
  app.use(crud.errorHandler());
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}/books`, close: () => server.close() };
}

/**
 * The demo application itself (layout, compression, sign-in, permission hooks, task indicator) on a
 * free port, with a signed-in admin's session cookie: what a user's browser gets.
 */
export async function demoBenchServer(pool: pg.Pool, prisma: PrismaClient): Promise<{ origin: string; cookie: string; close(): void }> {
  await seedUsers(pool);
  const app = createDemoApp({ pool, prisma, sessionSecret: "bench-secret-bench-secret" });
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { origin, cookie: await signIn(origin), close: () => server.close() };
}

/** Signs in to the demo at `origin` as the demo admin, as a browser does; answers the session cookie. */
export async function signIn(origin: string): Promise<string> {
  const cookieOf = (response: Response, fallback = "") => (response.headers.get("set-cookie") ?? fallback).split(";")[0]!;
  const login = await fetch(`${origin}/login`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1];
  if (!token) throw new Error("the sign-in page has no CSRF token");
  const signedIn = await fetch(`${origin}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: cookieOf(login), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "admin@example.com", password: "admin", _csrf: token }),
  });
  if (signedIn.status !== 303) throw new Error(`signing in answered ${signedIn.status}`);
  return cookieOf(signedIn);
}
