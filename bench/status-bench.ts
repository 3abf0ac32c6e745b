import { spawn } from "node:child_process";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { createPool } from "../src/db/clients";
import { fmt, table } from "./support";

const HISTORY = 100_000;
const STREAMS = 200;

/**
 * Issue #10's figures: a task commit (the worker's own statements: counts and pg_notify in one
 * transaction) until an SSE client holds the update; the same with 200 open status pages, with the
 * server's CPU and memory (it runs in a process of its own) and its LISTEN connections; and the task
 * list's p95 with 100,000 finished tasks in history.
 */
export async function statusBench(url: string): Promise<string> {
  const pool = createPool(url, 4);
  // node itself (not the tsx wrapper, which would be a second process) so /proc shows the server.
  const server = spawn(process.execPath, ["--import", "tsx", "bench/status-server.ts"], { env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "pipe", "inherit"] });
  const streams: Stream[] = [];
  try {
    await pool.query(`DELETE FROM powercrud.task WHERE "taskKey" LIKE 'bench-status:%'`);
    await pool.query(
      `INSERT INTO powercrud.task ("taskKey", "resourceKey", "resourceUrl", model, operation, data, description, "selectionMode", "userKey", "userName", notify, "chunkSize", total, processed, succeeded, failed, status, "createdAt", "startedAt", "finishedAt")
       SELECT 'bench-status:' || n, 'Book', '/books', 'Book', 'update', '{"changes":[]}', 'Set Bestseller to Yes', 'all', (n % 20)::text, 'User ' || (n % 20), '{}', 1000,
              5000, 5000, 5000 - (n % 7), n % 7, (CASE WHEN n % 7 = 0 THEN 'SUCCESS' ELSE 'PARTIAL' END)::powercrud.task_status,
              now() - make_interval(mins => $1 - n), now() - make_interval(mins => $1 - n), now() - make_interval(mins => $1 - n) + interval '40 seconds'
       FROM generate_series(1, $1) n`,
      [HISTORY],
    );
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO powercrud.task ("taskKey", "resourceKey", "resourceUrl", model, operation, data, description, "selectionMode", "userKey", "userName", notify, "chunkSize", total, status, "startedAt")
       VALUES ('bench-status:running', 'Book', '/books', 'Book', 'update', '{"changes":[]}', 'Set Bestseller to Yes', 'all', '1', 'Bench', '{}', 1000, 1000000000, 'RUNNING', now()) RETURNING id`,
    );
    const taskId = rows[0]!.id;
    await pool.query(`ANALYZE powercrud.task`);
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout!.on("data", (data: Buffer) => {
        const match = /port (\d+)/.exec(data.toString());
        if (match) resolve(Number(match[1]));
      });
      server.once("exit", () => reject(new Error("the status bench server stopped")));
    });
    const base = `http://127.0.0.1:${port}/tasks`;

    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`);
      await response.text();
      if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
    };
    const lists: string[][] = [];
    const middle = Math.floor(HISTORY / 2);
    for (const [name, path] of [
      ["first page, everyone's", "/"],
      ["first page, one user's", "/?user=7"],
      ["status = failed (none)", "/?status=failed"],
      ["date range, one day", "/?from=" + new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10) + "&to=" + new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10)],
      ["page at task #50,000", `/?before=${middle}`],
    ] as const) {
      for (let i = 0; i < 20; i++) await get(path);
      const samples: number[] = [];
      for (let i = 0; i < 100; i++) {
        const start = performance.now();
        await get(path);
        samples.push(performance.now() - start);
      }
      const timing = percentiles(samples);
      lists.push([`GET /tasks${path.startsWith("/?") ? path.slice(1) : ""}: ${name}`, fmt(timing.p50), fmt(timing.p95)]);
    }

    let processed = 0;
    /** One chunk's commit as the worker makes it: counts and NOTIFY in one transaction. */
    const commit = async () => {
      processed += 1_000;
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(`UPDATE powercrud.task SET processed = $2, succeeded = $2, "heartbeatAt" = now() WHERE id = $1`, [taskId, processed]);
        await client.query(`SELECT pg_notify('powercrud_tasks', json_build_object('id', $1::int)::text)`, [taskId]);
        await client.query("COMMIT");
        return { value: processed, at: performance.now() };
      } finally {
        client.release();
      }
    };
    const latencies = async (open: Stream[], commits: number, gapMs: number) => {
      const samples: number[] = [];
      for (let i = 0; i < commits; i++) {
        const { value, at } = await commit();
        const arrivals = await Promise.all(open.map((stream) => stream.waitFor(value)));
        for (const arrival of arrivals) samples.push(arrival - at);
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
      return percentiles(samples);
    };

    const one = await Stream.open(`${base}/events?task=${taskId}`);
    streams.push(one);
    await latencies([one], 5, 20);
    const single = await latencies([one], 100, 20);

    const before = usage(server.pid!);
    const started = performance.now();
    for (let i = 0; i < STREAMS - 1; i++) streams.push(await Stream.open(i % 2 ? `${base}/events?task=${taskId}` : `${base}/events?list=1`));
    // A running task commits a chunk about ten times a second.
    const many = await latencies(streams, 50, 100);
    const after = usage(server.pid!);
    const cpu = (after.cpuMs - before.cpuMs) / (performance.now() - started);
    const listens = Number((await pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE query ILIKE 'LISTEN powercrud_tasks%'`)).rows[0].n);
    for (const stream of streams) stream.close();

    return [
      `Status page (${HISTORY.toLocaleString("en")} finished tasks in history; server in its own process)`,
      "",
      table(
        ["commit → SSE event", "p50 ms", "p95 ms", "server CPU", "server RSS", "LISTEN connections"],
        [
          ["1 open stream", fmt(single.p50), fmt(single.p95), "", "", ""],
          [`${STREAMS} open streams, 10 commits/s`, fmt(many.p50), fmt(many.p95), `${(cpu * 100).toFixed(0)} % of a core`, `${(after.rssKb / 1024).toFixed(0)} MiB (${(before.rssKb / 1024).toFixed(0)} before)`, String(listens)],
        ],
      ),
      "",
      table(["task list", "p50 ms", "p95 ms"], lists),
    ].join("\n");
  } finally {
    for (const stream of streams) stream.close();
    server.kill("SIGTERM");
    await pool.query(`DELETE FROM powercrud.task WHERE "taskKey" LIKE 'bench-status:%'`).catch(() => undefined);
    await pool.end();
  }
}

/** A status page's EventSource, reduced to what the bench needs: when did it see `processed` reach a value. */
class Stream {
  private seen = 0;
  private waiters: Array<{ value: number; resolve: (at: number) => void }> = [];
  private readonly controller = new AbortController();

  static async open(url: string): Promise<Stream> {
    const stream = new Stream();
    const response = await fetch(url, { signal: stream.controller.signal });
    if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
    void stream.read(response.body!.getReader());
    return stream;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        const at = performance.now();
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!block.startsWith("event: task")) continue;
          const html = block.slice(block.indexOf("data: ") + 6);
          const match = /([\d,]+) of [\d,]+ processed|pc-task-row-counts\\">([\d,]+) \//.exec(html);
          const value = Number((match?.[1] ?? match?.[2] ?? "0").replace(/,/g, ""));
          if (value > this.seen) this.seen = value;
          this.waiters = this.waiters.filter((waiter) => (waiter.value <= this.seen ? (waiter.resolve(at), false) : true));
        }
      }
    } catch {
      // closed
    }
  }

  waitFor(value: number): Promise<number> {
    if (value <= this.seen) return Promise.resolve(performance.now());
    return new Promise((resolve) => this.waiters.push({ value, resolve }));
  }

  close() {
    this.controller.abort();
  }
}

function usage(pid: number): { cpuMs: number; rssKb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return { cpuMs: (ticks * 1000) / 100, rssKb: rss };
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}
