/**
 * The status page against the real PostgreSQL with a real graphile-worker: list filters and keyset
 * pages, who sees what (list, pages, actions, live stream), the SSE stream delivering the worker's
 * real NOTIFYs through one shared LISTEN connection, the failures CSV, and retention cleanup.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PowerCrud } from "../../src/index";
import { bareApp, serveBareApp, type TestUser } from "../support/bare-app";
import { BAR, MODAL, Browser } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";
import { TaskBench, seedTaskCatalogue, formToken, resetTasks, waitFor, waitForEnd, taskBooks } from "../support/task-helpers";

const db = connect();
// A reason a spreadsheet would run as a formula: the failures CSV must keep it text.
const bench = new TaskBench("=HYPERLINK(\"x\"), under review");
const { vetoed } = bench;
let crud: PowerCrud;

const served = serveBareApp(db, async () => {
  await seedTaskCatalogue(db.pool);
  const { veto } = bench;
  const app = bareApp(
    db,
    (app, crud) => {
      app.use("/books", crud.resource(taskBooks(veto)));
      app.use("/authors", crud.resource({ model: "Author", list: { fields: ["name"] } }));
      app.use("/tasks", crud.statusPage());
    },
    {
      userKey: (user: TestUser) => user.role,
      tasks: { url: "/tasks", canManage: ({ user }) => (user as TestUser | undefined)?.role === "ops", heartbeatMs: 200 },
    },
  );
  crud = app.crud;
  return app;
});

beforeEach(async () => {
  await resetTasks(db.pool);
  await db.pool.query(`UPDATE "Book" SET pages = 100, status = 'DRAFT'`);
});

afterEach(() => bench.reset());

afterAll(() => crud?.close());

interface FakeTask {
  user: string;
  status?: string;
  resource?: string;
  createdAt?: string;
  finishedAt?: string | null;
  failures?: string[];
}

/** Task rows as history holds them, written with SQL of the test's own. */
async function insertTasks(tasks: FakeTask[]): Promise<number[]> {
  const ids: number[] = [];
  for (const task of tasks) {
    const status = task.status ?? "SUCCESS";
    const finished = task.finishedAt === undefined ? (["PENDING", "RUNNING"].includes(status) ? null : task.createdAt ?? new Date().toISOString()) : task.finishedAt;
    const resource = task.resource ?? "Book";
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO powercrud.task ("taskKey", "resourceKey", "resourceUrl", model, operation, data, description, "selectionMode", "userKey", "userName", notify, "chunkSize", total, processed, succeeded, failed, status, "createdAt", "startedAt", "finishedAt")
       VALUES (md5(random()::text), $1, $2, $1, 'update', '{"changes":[{"field":"pages","value":7}]}', 'Set Pages to 7', 'ids', $3, $4, '{}', 20, 10, 10, $5, $6, $7::powercrud.task_status, $8, $8, $9)
       RETURNING id`,
      [resource, resource === "Book" ? "/books" : "/authors", task.user, `${task.user} user`, 10 - (task.failures?.length ?? 0), task.failures?.length ?? 0, status, task.createdAt ?? new Date().toISOString(), finished],
    );
    const id = rows[0]!.id;
    for (const recordId of task.failures ?? []) {
      await db.pool.query(`INSERT INTO powercrud.task_failure ("taskId", "recordId", reason) VALUES ($1, $2, 'Under review.')`, [id, recordId]);
    }
    ids.push(id);
  }
  return ids;
}

const rowIds = (html: string) => [...html.matchAll(/id="pc-task-row-(\d+)"/g)].map((match) => Number(match[1]));
const as = (role: string) => new Browser(served.browser.fork(), role);

describe("the task list", () => {
  it("filters by status, resource, user and date range, with the state in the URL and bad values refused with a message", async () => {
    const [oldDone, failed, authors, viewers, running] = await insertTasks([
      { user: "admin", createdAt: "2026-01-05T10:00:00Z" },
      { user: "admin", status: "FAILED", createdAt: "2026-02-10T10:00:00Z" },
      { user: "admin", resource: "Author", createdAt: "2026-02-11T10:00:00Z" },
      { user: "viewer", createdAt: "2026-02-12T10:00:00Z" },
      { user: "viewer", status: "RUNNING", createdAt: "2026-02-13T10:00:00Z" },
    ]);
    const ops = as("ops");
    expect(rowIds((await ops.get("/tasks/")).text)).toEqual([running, viewers, authors, failed, oldDone]);
    expect(rowIds((await ops.get("/tasks/?status=failed")).text)).toEqual([failed]);
    expect(rowIds((await ops.get("/tasks/?status=active")).text)).toEqual([running]);
    expect(rowIds((await ops.get("/tasks/?resource=Author")).text)).toEqual([authors]);
    expect(rowIds((await ops.get("/tasks/?user=viewer")).text)).toEqual([running, viewers]);
    expect(rowIds((await ops.get("/tasks/?from=2026-02-10&to=2026-02-12")).text)).toEqual([viewers, authors, failed]);
    const page = await ops.get("/tasks/?status=success&user=admin");
    expect(rowIds(page.text)).toEqual([authors, oldDone]);
    expect(page.text).toMatch(/<option value="success"\s+selected>/);

    // A user without the permission sees their own tasks only, whatever the URL asks for.
    expect(rowIds((await as("viewer").get("/tasks/")).text)).toEqual([running, viewers]);
    expect(rowIds((await as("viewer").get("/tasks/?user=admin")).text)).toEqual([running, viewers]);
    expect((await as("viewer").get("/tasks/")).text).not.toContain('name="user"');

    for (const [query, message] of [
      ["status=exploded", "There is no task status"],
      ["from=2026-02-30", "must be a real date"],
      ["from=2026-03-01&to=2026-02-01", "starts (2026-03-01) after it ends"],
      ["resource=Nope", "There is no resource"],
      ["before=abc", "must be a task number"],
      ["status=success&status=failed", "more than once"],
    ]) {
      const refused = await ops.get(`/tasks/?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.text, query).toContain(message);
    }
  });

  it("is titled Background tasks, as are the breadcrumbs of a task's pages, since it lists exports and reverts too", async () => {
    const ops = as("ops");
    expect((await ops.get("/tasks/")).text).toContain(`<h1 class="mb-1 text-2xl font-bold">Background tasks</h1>`);
    const empty = await ops.get("/tasks/");
    expect(empty.text).toMatch(/<title>Background tasks\b/);
    expect(empty.text).toContain("No background tasks yet");
    const [taskId] = await insertTasks([{ user: "ops" }]);
    for (const path of [`/tasks/${taskId}`, `/tasks/${taskId}/revert`]) {
      expect((await ops.get(path)).text, path).toContain(`<a href="/tasks/">Background tasks</a>`);
    }
  });

  it("pages history newest first by task number, keeping the filters on every page", async () => {
    const ids = await insertTasks(Array.from({ length: 60 }, (_, index) => ({ user: index % 2 ? "admin" : "editor", status: "SUCCESS" })));
    const ops = as("ops");
    const first = await ops.get("/tasks/");
    expect(rowIds(first.text)).toEqual(ids.slice(35).reverse());
    expect(first.text).not.toContain("pc-task-page-newer");
    const older = /id="pc-task-page-older"/.test(first.text) ? /href="([^"]+)" id="pc-task-page-older"/.exec(first.text)![1]! : "";
    expect(older).toBe(`/tasks/?before=${ids[35]}`);
    const second = await ops.get(older.replace(/&amp;/g, "&"));
    expect(rowIds(second.text)).toEqual(ids.slice(10, 35).reverse());
    const third = await ops.get(`/tasks/?before=${ids[10]}`);
    expect(rowIds(third.text)).toEqual(ids.slice(0, 10).reverse());
    expect(third.text).not.toContain("pc-task-page-older");
    const back = /href="([^"]+)" id="pc-task-page-newer"/.exec(third.text)![1]!.replace(/&amp;/g, "&");
    expect(rowIds((await ops.get(back)).text)).toEqual(ids.slice(10, 35).reverse());

    const admins = ids.filter((_, index) => index % 2);
    const filtered = await ops.get("/tasks/?user=admin");
    expect(rowIds(filtered.text)).toEqual(admins.slice(5).reverse());
    const next = /href="([^"]+)" id="pc-task-page-older"/.exec(filtered.text)![1]!.replace(/&amp;/g, "&");
    expect(next).toBe(`/tasks/?user=admin&before=${admins[5]}`);
    expect(rowIds((await ops.get(next)).text)).toEqual(admins.slice(0, 5).reverse());
  });
});

describe("access", () => {
  it("answers 403 to anyone else for another user's task: page, progress, CSV, stream, cancel and retry", async () => {
    const [mine] = await insertTasks([{ user: "admin", status: "PARTIAL", failures: ["1", "2"] }]);
    const viewer = as("viewer");
    await viewer.get("/tasks/");
    for (const path of [`/tasks/${mine}`, `/tasks/${mine}/progress`, `/tasks/${mine}/failures.csv`, `/tasks/events?task=${mine}`]) {
      const response = await viewer.get(path);
      expect(response.status, path).toBe(403);
      expect(response.text, path).toContain("started by someone else");
    }
    for (const action of ["cancel", "retry"]) expect((await viewer.post(`/tasks/${mine}/${action}`)).status, action).toBe(403);
    expect((await as("ops").get(`/tasks/${mine}`)).status).toBe(200);
    expect((await as("admin").get(`/tasks/${mine}`)).status).toBe(200);
    expect((await viewer.get(`/tasks/99999`)).status).toBe(404);
  });
});

/** An SSE client reading a real stream: every event as it arrives. */
class EventStream {
  readonly events: Array<{ event: string; data: any; at: number }> = [];
  private readonly controller = new AbortController();
  private constructor() {}

  static async open(path: string, role: string): Promise<EventStream> {
    const stream = new EventStream();
    const response = await fetch(`${served.browser.origin}${path}`, { headers: { "x-test-role": role, accept: "text/event-stream" }, signal: stream.controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    void stream.read(response.body!.getReader());
    await waitFor("the stream's hello", async () => stream.events.some((event) => event.event === "hello"), 5_000);
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
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) this.events.push({ event, data: JSON.parse(data), at: Date.now() });
        }
      }
    } catch {
      // aborted by close()
    }
  }

  of(name: string) {
    return this.events.filter((event) => event.event === name).map((event) => event.data);
  }

  close() {
    this.controller.abort();
  }
}

async function queueAll(b: Browser, pages: number): Promise<number> {
  expect((await b.get("/books/")).status).toBe(200);
  expect((await b.post("/books/_selection", { op: "all", _list: "" }, BAR)).status).toBe(200);
  const response = await b.post("/books/_bulk/apply", { selection: await formToken(b), _change: "pages", pages: String(pages) }, MODAL);
  expect(response.status, response.text).toBe(200);
  return Number(/Open task #(\d+)/.exec(response.text)![1]);
}

const listeners = async () =>
  Number((await db.pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE query ILIKE 'LISTEN powercrud_tasks%' AND datname = current_database()`)).rows[0].n);

describe("the live stream", () => {
  it("delivers a real worker's progress to the owner and managers only, over one shared LISTEN connection", async () => {
    const owner = await EventStream.open("/tasks/events", "admin");
    const list = await EventStream.open("/tasks/events?list=1", "ops");
    const stranger = await EventStream.open("/tasks/events?list=1", "viewer");
    expect(await listeners()).toBe(1);
    expect(owner.of("running")).toEqual([{ count: 0 }]);

    const taskId = await queueAll(as("admin"), 321);
    const page = await EventStream.open(`/tasks/events?task=${taskId}`, "ops");
    // The task's page starts from the current state.
    expect(page.of("task")[0]).toMatchObject({ id: taskId, status: "PENDING", active: true });
    bench.delayMs = 3;
    await bench.startWorker(crud, 1);
    await waitForEnd(db.pool, taskId);
    await waitFor("the end on every stream", async () => [owner, list, page].every((stream) => stream.of("task").some((event) => event.id === taskId && !event.active)), 5_000);

    const progress = owner.of("task").filter((event) => event.id === taskId);
    expect(progress.length).toBeGreaterThan(5);
    const processed = progress.map((event) => Number(/(\d+) of 300 processed/.exec(event.progress)?.[1]));
    expect(processed).toEqual([...processed].sort((x, y) => x - y));
    expect(processed.at(-1)).toBe(300);
    expect(progress.at(-1)).toMatchObject({ status: "SUCCESS", active: false });
    expect(progress.at(-1).progress).toContain(`id="pc-task-progress-${taskId}"`);
    expect(owner.of("running").map((event) => event.count)).toEqual([0, 1, 0]);
    expect(owner.of("finished")).toEqual([expect.objectContaining({ id: taskId, kind: "success", href: `/tasks/${taskId}` })]);

    const rows = list.of("task").filter((event) => event.id === taskId);
    expect(rows.at(-1).row).toContain(`id="pc-task-row-${taskId}"`);
    // A manager is not the owner: rows, but no toast and no count of someone else's task.
    expect(list.of("finished")).toEqual([]);
    expect(list.of("running")).toEqual([{ count: 0 }]);
    // Another user without the permission hears nothing of it.
    expect(stranger.events.map((event) => event.event)).toEqual(["hello", "running"]);
    expect(JSON.stringify(stranger.events)).not.toContain(`"id":${taskId}`);

    expect(await listeners()).toBe(1);
    for (const stream of [owner, list, stranger, page]) stream.close();
  });

  it("carries on after its LISTEN connection is killed, telling pages to catch up", async () => {
    const owner = await EventStream.open("/tasks/events?list=1", "admin");
    await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN powercrud_tasks%' AND datname = current_database()`);
    await waitFor("the resync", async () => owner.of("resync").length > 0, 10_000);
    expect(await listeners()).toBe(1);
    const taskId = await queueAll(as("admin"), 322);
    await bench.startWorker(crud, 1);
    await waitForEnd(db.pool, taskId);
    await waitFor("the end", async () => owner.of("task").some((event) => event.id === taskId && !event.active), 5_000);
    owner.close();
  });
});

describe("the stream cap", () => {
  it("answers 503 past tasks.maxStreams, so the page polls instead", async () => {
    const capped = bareApp(db, (app, crud) => void app.use("/tasks", crud.statusPage()), { userKey: (user: TestUser) => user.role, tasks: { maxStreams: 1 } });
    const other = await TestClient.start(capped.app);
    const open = (role: string) => fetch(`${other.origin}/tasks/events`, { headers: { "x-test-role": role } });
    const first = await open("admin");
    try {
      expect(first.status).toBe(200);
      const second = await open("editor");
      expect(second.status).toBe(503);
      expect(await second.text()).toContain("updates by polling instead");
    } finally {
      await first.body?.cancel();
      await other.close();
      await capped.crud.close();
    }
  });
});

describe("failed records", () => {
  it("downloads every failure as CSV, quoted, with formula-like reasons defused", async () => {
    const ids = (await db.pool.query<{ id: number }>(`SELECT id FROM "Book" ORDER BY id`)).rows.map((row) => String(row.id));
    for (const id of ids.filter((_, index) => index % 50 === 3)) vetoed.add(id);
    await bench.startWorker(crud, 1);
    const taskId = await queueAll(as("admin"), 323);
    const { final } = await waitForEnd(db.pool, taskId);
    expect(final).toMatchObject({ status: "PARTIAL", failed: 6 });
    const csv = await as("ops").get(`/tasks/${taskId}/failures.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toContain(`task-${taskId}-failures.csv`);
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0]).toBe("record_id,reason");
    expect(lines.slice(1).map((line) => line.split(",")[0]).sort()).toEqual([...vetoed].sort());
    expect(lines[1]).toMatch(/^\d+,"'=HYPERLINK\(""x""\), under review"$/);

    const detail = await as("admin").get(`/tasks/${taskId}`);
    expect(detail.text).toContain(`href="/tasks/${taskId}/failures.csv"`);
    expect(detail.text).toContain("Pages → 323");
    expect(detail.text).toContain('href="/books/"');
  });

  it("streams a CSV of 30,000 failures in full", async () => {
    const [taskId] = await insertTasks([{ user: "admin", status: "PARTIAL" }]);
    await db.pool.query(`INSERT INTO powercrud.task_failure ("taskId", "recordId", reason) SELECT $1, n::text, 'Reason ' || n FROM generate_series(1, 30000) n`, [taskId]);
    const csv = await as("admin").get(`/tasks/${taskId}/failures.csv`);
    const lines = csv.text.trim().split("\r\n");
    expect(lines).toHaveLength(30_001);
    expect(new Set(lines.slice(1).map((line) => line.split(",")[0])).size).toBe(30_000);
  });
});

describe("retention", () => {
  it("removes finished tasks past the retention period with their targets, chunks and failures, and nothing else", async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const recent = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const [gone, goneToo, kept, running] = await insertTasks([
      { user: "admin", createdAt: old, failures: ["1", "2", "3"] },
      { user: "admin", status: "CANCELLED", createdAt: old },
      { user: "admin", createdAt: recent, failures: ["4"] },
      { user: "admin", status: "RUNNING", createdAt: old },
    ]);
    for (const id of [gone, kept, running]) {
      await db.pool.query(`INSERT INTO powercrud.task_target ("taskId", "recordId", chunk) SELECT $1, n::text, n / 100 FROM generate_series(1, 1200) n`, [id]);
      await db.pool.query(`INSERT INTO powercrud.task_chunk ("taskId", chunk, done) SELECT $1, n, true FROM generate_series(0, 12) n`, [id]);
    }
    const result = await crud.cleanupTasks();
    expect(result.tasks).toBe(2);
    const left = async (table: string) =>
      (await db.pool.query<{ taskId: number }>(`SELECT DISTINCT "taskId" FROM ${table} ORDER BY 1`)).rows.map((row) => row.taskId);
    expect((await db.pool.query(`SELECT id FROM powercrud.task ORDER BY id`)).rows.map((row) => row.id)).toEqual([kept, running]);
    expect(await left("powercrud.task_target")).toEqual([kept, running]);
    expect(await left("powercrud.task_chunk")).toEqual([kept, running]);
    expect(await left("powercrud.task_failure")).toEqual([kept]);
    expect(goneToo).toBeGreaterThan(0);
    expect((await crud.cleanupTasks({ retentionDays: 5 })).tasks).toBe(1);
  });

  it("runs as the powercrud:cleanup graphile-worker task the cron schedules", async () => {
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
    const [gone, kept] = await insertTasks([{ user: "admin", createdAt: old }, { user: "admin" }]);
    await bench.startWorker(crud, 1);
    await db.pool.query(`SELECT graphile_worker.add_job('powercrud:cleanup', '{}'::json)`);
    await waitFor("the cleanup job", async () => (await db.pool.query(`SELECT 1 FROM powercrud.task WHERE id = $1`, [gone])).rowCount === 0, 10_000);
    expect((await db.pool.query(`SELECT id FROM powercrud.task`)).rows.map((row) => row.id)).toEqual([kept]);
    const known = await db.pool.query(`SELECT identifier FROM graphile_worker._private_known_crontabs`);
    expect(known.rows.map((row) => row.identifier)).toContain("powercrud:cleanup");
  });
});
