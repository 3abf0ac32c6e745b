import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import type pg from "pg";
import { createPool } from "../src/db/clients";
import { bookCount, table } from "./support";

const BOOKS = 1_000_000;
const ROUNDS = 3;

/**
 * Issue #13's figures: a CSV export of the 1,000,000 books (the demo's visible columns: title,
 * author, genres, status, price, pages, published date, bestseller, with the id first) in rows per
 * second, beside a bare `COPY (SELECT ...) TO STDOUT` of the same columns in the same run, and the peak memory
 * of the process that exports: the web server streaming it over HTTP, and a worker writing it into
 * PostgreSQL as a background task. Each exporting process runs alone, so its peak is the export's.
 */
export async function exportBench(url: string): Promise<string> {
  if ((await bookCount(url)) !== BOOKS) throw new Error(`the export bench needs the ${BOOKS.toLocaleString("en")} books the list bench seeds`);
  const pool = createPool(url, 2);
  try {
    // Each PowerCRUD run is paired with a bare COPY just before it: the machine's load hits both alike.
    const bare = () => rate(() => copyOut(pool, BARE_COPY));
    const streamed: Array<{ copy: number; export: number }> = [];
    const server = await Child.start("bench/export-server.ts", url, /port (\d+)/);
    const idleRss = server.rss();
    const http = await Session.open(`http://127.0.0.1:${server.port}/books-direct`);
    for (let round = 0; round < ROUNDS; round++) {
      streamed.push({ copy: await bare(), export: await rate(async () => (await http.export("csv")).rows) });
    }
    const serverPeak = await server.stop();

    // The background path: a worker process writes the file into PostgreSQL, then it is downloaded.
    const backgroundCopy = await bare();
    const background = await backgroundExport(url, pool);

    // XLSX, once, in a fresh server of its own (its peak is the XLSX export's alone).
    const xlsxCopy = await bare();
    const xlsxServer = await Child.start("bench/export-server.ts", url, /port (\d+)/);
    const xlsxHttp = await Session.open(`http://127.0.0.1:${xlsxServer.port}/books-direct`);
    const xlsxStarted = performance.now();
    const xlsx = await xlsxHttp.export("xlsx");
    const xlsxRate = BOOKS / ((performance.now() - xlsxStarted) / 1000);
    const xlsxPeak = await xlsxServer.stop();

    const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
    const middle = [...streamed].sort((a, b) => a.export / a.copy - b.export / b.copy)[Math.floor(ROUNDS / 2)]!;
    const row = (name: string, rowsPerSecond: number, copy: number | undefined, rss: string) =>
      [name, Math.round(rowsPerSecond).toLocaleString("en"), copy ? Math.round(copy).toLocaleString("en") : "—", copy ? `${Math.round((rowsPerSecond / copy) * 100)} %` : "—", rss];
    return [
      `CSV export of ${BOOKS.toLocaleString("en")} books (the id and the demo's 8 default columns, genres joined, newest first), each run beside a bare`,
      `hand-written COPY (SELECT ...) TO STDOUT of the same columns run just before it; rows per second (streamed: the median of ${ROUNDS} pairs):`,
      "",
      table(["method", "rows/s", "bare COPY rows/s", "of COPY", "exporting process's peak RSS"], [
        row("CSV streamed over HTTP (PostgreSQL writes it, Node passes it on)", middle.export, middle.copy, `${mb(serverPeak)} (idle: ${mb(idleRss)})`),
        row("CSV as a background task: a worker writes the file into PostgreSQL", background.rate, backgroundCopy, `${mb(background.peak)} (worker)`),
        row("then downloading that file from PostgreSQL", background.downloadRate, undefined, "—"),
        row("XLSX streamed over HTTP (rows through a cursor, exceljs)", xlsxRate, xlsxCopy, mb(xlsxPeak)),
      ]),
      "",
      `Sizes: CSV ${mb(background.bytes)}, XLSX ${mb(xlsx.bytes)}.`,
    ].join("\n");
  } finally {
    await pool.end();
  }
}

/**
 * The baseline: the same rows and columns, in the same order, as a developer would write the query
 * by hand, copied out by PostgreSQL with no formatting of its own (dates and booleans as PostgreSQL
 * prints them, no formula guard).
 */
const BARE_COPY = `COPY (
  SELECT b.id, b.title, a.name,
         (SELECT string_agg(g.name, ', ' ORDER BY g.name) FROM "_BookToGenre" x JOIN "Genre" g ON g.id = x."B" WHERE x."A" = b.id),
         b.status, b.price, b.pages, b."publishedDate", b.bestseller
  FROM "Book" b JOIN "Author" a ON a.id = b."authorId"
  ORDER BY b.id DESC
) TO STDOUT WITH (FORMAT csv, HEADER true)`;

async function rate(run: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const rows = await run();
  if (rows !== BOOKS) throw new Error(`exported ${rows} rows, not ${BOOKS}`);
  return rows / ((performance.now() - started) / 1000);
}

/** Queues the million-row export on /books (over the threshold) and times a worker process writing it, then its download. */
async function backgroundExport(url: string, pool: pg.Pool): Promise<{ rate: number; peak: number; downloadRate: number; bytes: number }> {
  const server = await Child.start("bench/export-server.ts", url, /port (\d+)/);
  const worker = await Child.start("bench/tasks-worker.ts", url, /worker ready/);
  try {
    const http = await Session.open(`http://127.0.0.1:${server.port}/books`);
    const started = performance.now();
    const taskId = await http.queueExport();
    for (;;) {
      const { rows } = await pool.query<{ status: string; error: string | null }>(`SELECT status::text AS status, error FROM powercrud.task WHERE id = $1`, [taskId]);
      if (rows[0]!.status === "SUCCESS") break;
      if (!["PENDING", "RUNNING"].includes(rows[0]!.status)) throw new Error(`export task #${taskId}: ${rows[0]!.status} ${rows[0]!.error}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const downloadStarted = performance.now();
    const file = await http.download(taskId);
    if (file.rows !== BOOKS) throw new Error(`the stored file has ${file.rows} rows`);
    const downloadRate = BOOKS / ((performance.now() - downloadStarted) / 1000);
    await pool.query(`DELETE FROM powercrud.export_file WHERE "taskId" = $1`, [taskId]);
    return { rate: BOOKS / seconds, peak: await worker.stop(), downloadRate, bytes: file.bytes };
  } finally {
    await worker.stop().catch(() => 0);
    await server.stop().catch(() => 0);
  }
}

/**
 * `COPY ... TO STDOUT` through node-postgres' submittable interface (it has no COPY support of its
 * own): the CopyData messages are counted and dropped, as a client that streams them on would.
 */
async function copyOut(pool: pg.Pool, sql: string): Promise<number> {
  const client = await pool.connect();
  try {
    return await new Promise<number>((resolve, reject) => {
      let rows = 0;
      let failure: Error | undefined;
      client.query({
        submit: (connection: { query(text: string): void }) => connection.query(sql),
        handleCopyData: () => {},
        handleCommandComplete: (message: { text: string }) => { rows = Number(message.text.split(" ")[1]); },
        handleError: (error: Error) => { failure = error; },
        handleReadyForQuery: () => (failure ? reject(failure) : resolve(rows)),
        handleRowDescription: () => {},
        handleDataRow: () => {},
        handleEmptyQuery: () => {},
        handlePortalSuspended: () => {},
      } as never);
    });
  } finally {
    client.release();
  }
}

/** A bench process (node itself, not the tsx wrapper, so its pid is the process measured) that prints its peak RSS when stopped. */
class Child {
  private output = "";
  private exited: Promise<void>;

  private constructor(private readonly process: ChildProcess, readonly port: number) {
    this.exited = new Promise((resolve) => process.once("exit", () => resolve()));
    process.stdout!.on("data", (data: Buffer) => (this.output += data.toString()));
  }

  static async start(script: string, url: string, ready: RegExp): Promise<Child> {
    const child = spawn(process.execPath, ["--import", "tsx", script], { env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<number>((resolve, reject) => {
      let seen = "";
      child.stdout!.on("data", (data: Buffer) => {
        seen += data.toString();
        const match = ready.exec(seen);
        if (match) resolve(Number(match[1] ?? 0));
      });
      child.once("exit", () => reject(new Error(`${script} stopped before it was ready`)));
    });
    return new Child(child, port);
  }

  /** The resident set size now. */
  rss(): number {
    const status = fs.readFileSync(`/proc/${this.process.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }

  /** Stops the process and returns its peak resident set size in bytes. */
  async stop(): Promise<number> {
    if (this.process.exitCode === null) this.process.kill("SIGTERM");
    await this.exited;
    const peaks = [...this.output.matchAll(/peak-rss (\d+)/g)];
    return Number(peaks.at(-1)?.[1] ?? 0);
  }
}

/** One browser session on a list: its cookie and CSRF token, and the export form as the menu posts it. */
class Session {
  private constructor(private readonly base: string, private readonly cookie: string, private readonly csrf: string) {}

  static async open(base: string): Promise<Session> {
    const page = await fetch(`${base}/`);
    const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())![1]!;
    return new Session(base, cookie, csrf);
  }

  private post(format: "csv" | "xlsx"): Promise<Response> {
    return fetch(`${this.base}/_export`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: this.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: this.csrf, format, scope: "list", _list: "" }),
    });
  }

  /** Downloads an export as it streams, counting bytes and (for CSV) data rows. */
  async export(format: "csv" | "xlsx"): Promise<{ rows: number; bytes: number }> {
    const response = await this.post(format);
    if (response.status !== 200) throw new Error(`export: HTTP ${response.status} ${await response.text()}`);
    return count(response);
  }

  async queueExport(): Promise<number> {
    const response = await this.post("csv");
    const taskId = /\/(\d+)$/.exec(response.headers.get("location") ?? "")?.[1];
    if (response.status !== 303 || !taskId) throw new Error(`not queued: HTTP ${response.status}`);
    return Number(taskId);
  }

  async download(taskId: number): Promise<{ rows: number; bytes: number }> {
    const tasks = new URL("/tasks", this.base);
    const response = await fetch(`${tasks.origin}/tasks/${taskId}/download`, { headers: { cookie: this.cookie } });
    if (response.status !== 200) throw new Error(`download: HTTP ${response.status}`);
    return count(response);
  }
}

/** Bytes and lines of a response body, read as it arrives; the header line is not a row. */
async function count(response: Response): Promise<{ rows: number; bytes: number }> {
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) lines += 1;
  }
  return { rows: lines - 1, bytes };
}
