import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type pg from "pg";
import { createPool, createPrisma } from "../src/db/clients";
import { packageRoot } from "../src/paths";
import { benchServer, fmt, percentiles, table, type Timing } from "./support";

const SMALL_TASKS = 20;
const SMALL_ROWS = 1_000;
const MEDIUM_ROWS = 10_000;
const LIST_EVERY_MS = 100;

/**
 * Issue #9's figures: background bulk tasks queued over HTTP and run by real worker processes (each
 * `bench/tasks-worker.ts`, concurrency 1) on the 1,000,000-book table. Enqueue to first visible
 * progress; a million-row edit with one worker and with two, each beside a bare UPDATE of the same
 * rows; the workers' peak memory at 10,000 and 1,000,000 targets; the list page while the task runs.
 */
export async function tasksBench(url: string): Promise<string> {
  const pool = createPool(url, 6);
  const prisma = createPrisma(url);
  const server = await benchServer(pool, prisma);
  const http = await session(server.base);
  const workers: Worker[] = [];
  const startWorker = async () => {
    const worker = await Worker.start(url);
    workers.push(worker);
    return worker;
  };
  const watcher = await Watcher.start(pool);
  const firstTaskId = Number((await pool.query<{ n: string }>(`SELECT coalesce(max(id), 0) + 1 AS n FROM powercrud.task`)).rows[0]!.n);
  try {
    const { rows: idRows } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "Book" ORDER BY id`);
    const allIds = idRows.map((row) => row.id);
    let flag = false;
    const queue = async (selection: Record<string, string>) => {
      flag = !flag;
      await http.post("/_selection", { op: "clear" });
      await http.post("/_selection", selection);
      const token = /name="selection" value="([^"]+)"/.exec(await http.get("/_bulk/edit"))![1]!;
      const started = performance.now();
      const answer = await http.post("/_bulk/apply", { selection: token, _change: "bestseller", bestseller: String(flag) });
      const answeredAt = performance.now();
      const taskId = /Open task #(\d+)/.exec(answer)?.[1];
      if (!taskId || !answer.includes("in the background")) throw new Error(`not queued: ${answer.slice(0, 300)}`);
      return { taskId: Number(taskId), started, answeredAt, flag };
    };
    const pick = (from: number, count: number) => ({ op: "rows", selected: "1", ids: allIds.slice(from, from + count).join(",") });

    // 1. Enqueue to the first committed chunk seen by a LISTENing reader, 20 tasks of 1,000 rows.
    const latency = await startWorker().then(async (worker) => {
      const fromSubmit: number[] = [];
      const fromAnswer: number[] = [];
      for (let i = 0; i < SMALL_TASKS; i++) {
        const task = await queue(pick(i * SMALL_ROWS, SMALL_ROWS));
        const seenAt = await watcher.firstProgress(task.taskId);
        fromSubmit.push(seenAt - task.started);
        fromAnswer.push(seenAt - task.answeredAt);
        await watcher.ended(task.taskId);
      }
      await worker.stop();
      return { fromSubmit: percentiles(fromSubmit), fromAnswer: percentiles(fromAnswer) };
    });

    // 2. The worker's peak memory on a 10,000-row task (a fresh process, as for the million below).
    const medium = await startWorker();
    const mediumTask = await queue(pick(0, MEDIUM_ROWS));
    const mediumEnqueueMs = mediumTask.answeredAt - mediumTask.started;
    await watcher.ended(mediumTask.taskId);
    await drained(pool);
    const mediumRss = await medium.stop();

    // 3. The list page idle, sampled at the same pace as during the big task.
    const list = () => http.get("/", false);
    const idle = await sample(list, LIST_EVERY_MS, { count: 100 });

    // 4. A million rows, bare then through one worker; bare again then through two.
    // The same SET as the task's plan, over the same rows, as one statement.
    const bareUpdate = async () => {
      flag = !flag;
      await vacuum(pool);
      const started = performance.now();
      await pool.query(`UPDATE "Book" SET bestseller = $2, "updatedAt" = now() WHERE id = ANY($1::int[])`, [allIds, flag]);
      return allIds.length / ((performance.now() - started) / 1000);
    };
    // The host's own parallelism: the same UPDATE, the rows split in two halves on two connections at once.
    const bareHalves = async () => {
      flag = !flag;
      await vacuum(pool);
      const half = Math.ceil(allIds.length / 2);
      const started = performance.now();
      await Promise.all([allIds.slice(0, half), allIds.slice(half)].map((ids) =>
        pool.query(`UPDATE "Book" SET bestseller = $2, "updatedAt" = now() WHERE id = ANY($1::int[])`, [ids, flag])));
      return allIds.length / ((performance.now() - started) / 1000);
    };
    // Other work on the host takes cores the workers would use: each run states the load it ran under.
    const load = () => os.loadavg()[0]!.toFixed(1);
    const bigTask = async (workerCount: number, duringRun?: () => Promise<unknown>) => {
      await vacuum(pool);
      const loadBefore = load();
      const running = await Promise.all(Array.from({ length: workerCount }, () => startWorker()));
      const task = await queue({ op: "all", _list: "" });
      const enqueueMs = task.answeredAt - task.started;
      let sampling: Promise<Timing> | undefined;
      const ended = watcher.ended(task.taskId);
      if (duringRun) sampling = sample(duringRun, LIST_EVERY_MS, { until: ended });
      await ended;
      const busy = sampling ? await sampling : undefined;
      // The task's other jobs find nothing left and end at once; stopping before that would leave one locked.
      await drained(pool);
      const rss = await Promise.all(running.map((worker) => worker.stop()));
      const { rows } = await pool.query<{ status: string; total: number; succeeded: number; failed: number; run_s: number }>(
        `SELECT status::text AS status, total, succeeded, failed,
                extract(epoch FROM "finishedAt" - "startedAt")::float AS run_s
         FROM powercrud.task WHERE id = $1`,
        [task.taskId],
      );
      const state = rows[0]!;
      const changed = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "Book" WHERE bestseller = $1`, [task.flag])).rows[0]!.n);
      if (state.status !== "SUCCESS" || state.succeeded !== allIds.length || state.failed !== 0 || changed !== allIds.length) {
        throw new Error(`task #${task.taskId} is not exact: ${JSON.stringify(state)}, ${changed} rows changed`);
      }
      // Its million targets and journal rows go too (neither has a foreign key to cascade from).
      for (const child of ["journal", "task_target"]) await pool.query(`DELETE FROM powercrud.${child} WHERE "taskId" = $1`, [task.taskId]);
      await pool.query(`DELETE FROM powercrud.task WHERE id = $1`, [task.taskId]);
      return { rate: allIds.length / state.run_s, enqueueMs, runS: state.run_s, rss: Math.max(...rss), busy, load: `${loadBefore} → ${load()}` };
    };
    const bare1 = await bareUpdate();
    const one = await bigTask(1, list);
    const bare2 = await bareUpdate();
    const bareSplit = await bareHalves();
    const two = await bigTask(2);

    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const rate = (value: number) => Math.round(value).toLocaleString("en");
    return [
      `Background bulk tasks on ${allIds.length.toLocaleString("en")} books (set bestseller), queued over HTTP and run by worker processes (concurrency 1 each); "load" is the host's 1-minute load average before → after a run, on ${os.cpus().length} cores:`,
      "",
      table(
        ["measure", "result", "target"],
        [
          [`enqueue → first committed chunk seen by a LISTENing reader, ${SMALL_TASKS} tasks of ${SMALL_ROWS.toLocaleString("en")} rows (from the answer)`,
            `p50 ${fmt(latency.fromAnswer.p50)} ms, p95 ${fmt(latency.fromAnswer.p95)} ms`, "≤ 1 s"],
          ["the same, from the moment the apply request was sent", `p50 ${fmt(latency.fromSubmit.p50)} ms, p95 ${fmt(latency.fromSubmit.p95)} ms`, ""],
          [`the apply request that queues ${MEDIUM_ROWS.toLocaleString("en")} picked rows`, `${fmt(mediumEnqueueMs)} ms`, ""],
          [`the apply request that queues all ${allIds.length.toLocaleString("en")} (freezes the targets)`, `${fmt(one.enqueueMs)} ms, then ${fmt(two.enqueueMs)} ms`, ""],
          ["bare UPDATE ... WHERE id = ANY($1), before the one-worker run", `${rate(bare1)} rows/s`, ""],
          ["one worker", `${rate(one.rate)} rows/s (${one.runS.toFixed(1)} s), ${((one.rate / bare1) * 100).toFixed(0)} % of bare; load ${one.load}`, "≥ 50 % of bare"],
          ["bare UPDATE ... WHERE id = ANY($1), before the two-worker run", `${rate(bare2)} rows/s`, ""],
          ["the same bare UPDATE, the rows in two halves on two connections at once", `${rate(bareSplit)} rows/s (${(bareSplit / bare2).toFixed(2)}× one statement: what this host gives a second connection)`, ""],
          ["two workers", `${rate(two.rate)} rows/s (${two.runS.toFixed(1)} s), ${((two.rate / bare2) * 100).toFixed(0)} % of bare, ${(two.rate / one.rate).toFixed(2)}× one worker; load ${two.load}`, "faster than one"],
          ["worker peak RSS, 10,000 targets vs 1,000,000", `${mib(mediumRss)} vs ${mib(one.rss)} (${(one.rss / mediumRss).toFixed(2)}×)`, "≤ 1.5×"],
          [`list page 1, one request every ${LIST_EVERY_MS} ms, idle vs during the one-worker run`,
            `p95 ${fmt(idle.p95)} vs ${fmt(one.busy!.p95)} ms (${(one.busy!.p95 / idle.p95).toFixed(2)}×); p50 ${fmt(idle.p50)} vs ${fmt(one.busy!.p50)} ms`, "p95 ≤ 2×"],
        ],
      ),
    ].join("\n");
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await watcher.stop();
    for (const child of ["journal", "task_target"]) await pool.query(`DELETE FROM powercrud.${child} WHERE "taskId" >= $1`, [firstTaskId]);
    await pool.query(`DELETE FROM powercrud.task WHERE id >= $1`, [firstTaskId]);
    server.close();
    await prisma.$disconnect();
    await pool.end();
  }
}

/** One signed-in browser session against the bench server, speaking htmx to the modal. */
async function session(base: string) {
  const first = await fetch(`${base}/`);
  const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await first.text())![1]!;
  const headers = { cookie, "x-csrf-token": csrf, "hx-request": "true", "hx-target": "div#pc-modal-content" };
  const check = async (what: string, response: Response) => {
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 300)}`);
    return text;
  };
  return {
    get: async (where: string, fragment = true) => check(where, await fetch(`${base}${where}`, { headers: fragment ? headers : { cookie } })),
    post: async (where: string, form: Record<string, string>) =>
      check(where, await fetch(`${base}${where}`, { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) })),
  };
}

/** Calls `request` every `everyMs` (not back to back, so the sampler itself loads the machine lightly). */
async function sample(request: () => Promise<unknown>, everyMs: number, stop: { count?: number; until?: Promise<unknown> }): Promise<Timing> {
  let done = false;
  void stop.until?.then(() => { done = true; });
  const times: number[] = [];
  while (!done && (stop.count === undefined || times.length < stop.count)) {
    const started = performance.now();
    await request();
    const took = performance.now() - started;
    times.push(took);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - took)));
  }
  return percentiles(times);
}

async function drained(pool: pg.Pool): Promise<void> {
  while (Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM graphile_worker.jobs WHERE task_identifier = 'powercrud:bulk'`)).rows[0]!.n) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Each timed run starts from a vacuumed table, so none pays for the dead rows of the run before. */
async function vacuum(pool: pg.Pool): Promise<void> {
  await pool.query(`VACUUM "Book"`);
}

/** A LISTEN on the channel every committed chunk notifies, reading the task row on each notification. */
class Watcher {
  private waiters = new Set<() => void>();
  private constructor(private client: pg.PoolClient, private pool: pg.Pool) {}

  static async start(pool: pg.Pool): Promise<Watcher> {
    const client = await pool.connect();
    const watcher = new Watcher(client, pool);
    client.on("notification", () => watcher.waiters.forEach((wake) => wake()));
    await client.query(`LISTEN powercrud_tasks`);
    return watcher;
  }

  /** When the reader first saw a committed chunk of the task (performance.now()). */
  firstProgress(taskId: number): Promise<number> {
    return this.until(taskId, (row) => row.processed > 0);
  }

  async ended(taskId: number): Promise<void> {
    await this.until(taskId, (row) => !["PENDING", "RUNNING"].includes(row.status));
  }

  private until(taskId: number, done: (row: { processed: number; status: string }) => boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      let reading = false;
      let again = false;
      const read = async () => {
        if (reading) return void (again = true);
        reading = true;
        try {
          const { rows } = await this.pool.query<{ processed: number; status: string }>(`SELECT processed, status::text AS status FROM powercrud.task WHERE id = $1`, [taskId]);
          const seenAt = performance.now();
          if (rows[0] && done(rows[0])) {
            this.waiters.delete(wake);
            clearInterval(fallback);
            return resolve(seenAt);
          }
        } catch (error) {
          reject(error);
        } finally {
          reading = false;
        }
        if (again) {
          again = false;
          void read();
        }
      };
      const wake = () => void read();
      this.waiters.add(wake);
      // A notification that arrived before this wait began is not lost: the row is read now, and every few seconds.
      const fallback = setInterval(wake, 5_000);
      void read();
    });
  }

  async stop(): Promise<void> {
    await this.client.query(`UNLISTEN *`);
    this.client.release();
  }
}

/** A worker process (bench/tasks-worker.ts) and the peak memory it last reported. */
class Worker {
  private peak = 0;
  private exited: Promise<unknown>;
  private constructor(private child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once("exit", resolve));
  }

  static start(url: string): Promise<Worker> {
    const child = spawn(path.join(packageRoot, "node_modules/.bin/tsx"), [path.join(packageRoot, "bench/tasks-worker.ts")], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const worker = new Worker(child);
    return new Promise((resolve, reject) => {
      child.stdout!.on("data", (data: Buffer) => {
        const text = data.toString();
        for (const match of text.matchAll(/peak-rss (\d+)/g)) worker.peak = Math.max(worker.peak, Number(match[1]));
        if (text.includes("worker ready")) resolve(worker);
      });
      child.once("exit", (code) => reject(new Error(`bench worker exited with ${code} before it was ready`)));
    });
  }

  /** Stops the process and answers its peak RSS in bytes. */
  async stop(): Promise<number> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
    return this.peak;
  }
}
