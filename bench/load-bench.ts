/**
 * `npm run bench:load`: 50 concurrent connections against the demo's list page with 100,000 books,
 * signed in, beside /healthz (one `SELECT 1`) on the same server in the same run, so the figures
 * read as ratios on a noisy machine. The server runs in its own process; autocannon loads it from
 * this one. Its database is its own (powercrud_bench_load, next to the bench's), seeded once.
 */
import os from "node:os";
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { createPool } from "../src/db/clients";
import { withDatabase } from "../src/db/connection-fields";
import { migrateDatabase } from "../src/db/migrate";
import { seedUsers } from "../src/demo/seed";
import { benchDatabase, ensureBooks, fmt, percentiles, signIn, table } from "./support";

const BOOKS = 100_000;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);

interface Load {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  errors: number;
}

/** autocannon for `seconds`, timing every response itself (autocannon's own percentiles skip p95). */
async function load(name: string, url: string, headers: Record<string, string>, seconds = SECONDS): Promise<Load> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, headers }, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on("response", (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  const timing = percentiles(times);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    name,
    requestsPerSecond: result.requests.total / seconds,
    p50: timing.p50,
    p95: timing.p95,
    p99: sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] ?? 0,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export async function loadBench(benchUrl: string): Promise<string> {
  const url = withDatabase(benchUrl, "powercrud_bench_load");
  await migrateDatabase(url);
  const pool = createPool(url, 2);
  await ensureBooks(pool, BOOKS);
  await seedUsers(pool);
  await pool.end();
  const runs: Array<{ processes: number; results: Load[] }> = [];
  for (const processes of [1, 2]) runs.push({ processes, results: await loadServer(url, processes) });
  const rows = runs.flatMap(({ processes, results }) => results.map((result) => [
    `${result.name}, ${processes} process${processes > 1 ? "es" : ""}`, result.requestsPerSecond.toFixed(0), fmt(result.p50), fmt(result.p95), fmt(result.p99), String(result.requests), String(result.errors),
  ]));
  return [
    `Load on the demo (${os.cpus().length} cores, server and autocannon on the same host): ${CONNECTIONS} connections for ${SECONDS} s each, ${BOOKS.toLocaleString("en")} books, signed in as admin, responses compressed; the demo in one process, then in two (WEB_PROCESSES=2).`,
    "",
    table(["route", "requests/s", "p50 ms", "p95 ms", "p99 ms", "requests", "errors"], rows),
    "",
    ...runs.map(({ processes, results: [baseline, list] }) =>
      `${processes} process${processes > 1 ? "es" : ""}: the list page serves ${(list!.requestsPerSecond / baseline!.requestsPerSecond * 100).toFixed(1)} % of the baseline's requests/s, at ${(list!.p95 / baseline!.p95).toFixed(1)}× its p95.`),
  ].join("\n");
}

/** The demo in `processes` processes of its own, loaded on /healthz and then on the list page. */
async function loadServer(url: string, processes: number): Promise<Load[]> {
  const server = spawn(process.execPath, ["--import", "tsx", "bench/load-server.ts"], {
    env: { ...process.env, DATABASE_URL: url, WEB_PROCESSES: String(processes) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout!.on("data", (data: Buffer) => {
        const match = /port (\d+)/.exec(data.toString());
        if (match) resolve(Number(match[1]));
      });
      server.once("exit", (code) => reject(new Error(`the load server exited (${code})`)));
    });
    const origin = `http://127.0.0.1:${port}`;
    const cookie = await signIn(origin);
    // As a browser asks: compressed, and the list page as a signed-in user.
    const headers = { cookie, "accept-encoding": "gzip, deflate, br" };
    const page = await fetch(`${origin}/books/`, { headers });
    if (page.status !== 200 || !(await page.text()).includes("data-pc-row")) throw new Error(`the list page answered ${page.status} without rows`);
    await load("warm-up", `${origin}/books/`, headers, 5);
    return [await load("/healthz (baseline: one SELECT 1)", `${origin}/healthz`, headers), await load("/books/ (list page 1, signed in)", `${origin}/books/`, headers)];
  } finally {
    server.kill("SIGTERM");
    await new Promise((resolve) => (server.exitCode === null ? server.once("exit", resolve) : resolve(undefined)));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const db = await benchDatabase();
  try {
    console.log(await loadBench(db.url));
  } finally {
    await db.stop();
  }
}
