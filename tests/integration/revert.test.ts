/**
 * The journal and revert (issue #12) with a real graphile-worker in this process against the real
 * PostgreSQL: bulk edits journaled in their chunks' transactions, reverts as tasks of their own that
 * restore exact prior values (many-to-many sets included), conflicts and force, partial and cancelled
 * tasks, reverts of reverts, recoverable bulk deletes, edits run in the request, and permissions.
 * Data is checked with SQL of its own (bulk-fixture's snapshot).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { bareApp, serveBareApp, type TestUser } from "../support/bare-app";
import { BAR, MODAL, Browser, count, ids, snapshot, textOf, type BookState } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { editedForm } from "../support/edit-form";
import { TaskBench, seedTaskCatalogue, slowBooks, failures, listBrowser, resetTasks, selectForBulk, taskState, waitFor, waitForEnd, taskBooks } from "../support/task-helpers";

const db = connect();
const bench = new TaskBench();
const { vetoed } = bench;
let crud: ReturnType<typeof bareApp>["crud"];

const role = (user: unknown) => (user as TestUser | undefined)?.role ?? "";
const MANAGERS = ["ops", "no-update", "no-revert", "no-force", "no-create"];

const served = serveBareApp(db, async () => {
  await seedTaskCatalogue(db.pool);
  // Genre ids of one and two digits: link sets must compare in id order, never as text ("10" < "2").
  await db.pool.query(`INSERT INTO "Genre" (name) SELECT 'Extra genre ' || n FROM generate_series(1, 6) n`);
  const { veto } = bench;
  const app = bareApp(
    db,
    (app, crud) => {
      app.use("/books", crud.resource(taskBooks(veto, {
        bulkFields: ["pages", "status", "genres", "price", "editor", "publishedDate"],
        bulk: { recoverableDelete: true },
        permissions: {
          bulk: ({ user }) => role(user) !== "viewer",
          update: ({ user }) => role(user) !== "no-update" || "You may not edit books.",
          create: ({ user }) => role(user) !== "no-create" || "You may not add books.",
        },
      })));
      app.use("/plain-books", crud.resource({
        model: "Book",
        key: "plain-books",
        list: { fields: ["title"] },
        bulkFields: ["pages"],
        history: { enabled: false },
        bulk: { background: { minRecords: 50 } },
      }));
      app.use("/slow-books", crud.resource(slowBooks(20, 100)));
      app.use("/tasks", crud.tasks());
    },
    {
      userKey: (user: TestUser) => user.role,
      tasks: {
        url: "/tasks",
        canManage: ({ user }) => MANAGERS.includes(role(user)),
        canRevert: ({ user, force }) => role(user) === "no-revert" ? "Reverting is for editors." : force && role(user) === "no-force" ? "Only admins may overwrite changes." : true,
        heartbeatMs: 200,
      },
    },
  );
  crud = app.crud;
  return app;
});

afterEach(() => bench.reset());

afterAll(async () => {
  // No task of this file may stay PENDING: the files after it would find their books held.
  await resetTasks(db.pool);
});

let genreIds: number[] = [];
beforeEach(async () => {
  await resetTasks(db.pool);
  await db.pool.query(`DELETE FROM powercrud.selection`);
  genreIds = await ids(db, `SELECT id FROM "Genre" ORDER BY id`);
});

const startWorker = () => bench.startWorker(crud);
const browser = (roleName = "admin", path = "/books") => listBrowser(served.browser, roleName, path);

/** Applies a bulk edit to these books; answers the task id (queued, or recorded in the request). */
async function bulkEdit(b: Browser, which: number[], fields: Record<string, string | string[]>, path = "/books"): Promise<number> {
  const token = await selectForBulk(b, which, path);
  const response = await b.post(`${path}/_bulk/apply`, { selection: token, _change: Object.keys(fields).filter((key) => !key.includes(".")), ...fields }, MODAL);
  expect(response.status, response.text).toBe(200);
  const queued = /Open task #(\d+)/.exec(response.text)?.[1] ?? /bulk task #(\d+)/.exec(response.headers.get("hx-trigger") ?? "")?.[1];
  expect(queued, textOf(response.text)).toBeDefined();
  return Number(queued);
}

async function revert(b: Browser, taskId: number, form: Record<string, string> = {}): Promise<number> {
  const page = await b.get(`/tasks/${taskId}/revert`);
  expect(page.status, page.text).toBe(200);
  const response = await b.post(`/tasks/${taskId}/revert`, form);
  expect(response.status, response.text).toBe(303);
  const revertId = Number(/\/tasks\/(\d+)/.exec(response.headers.get("location") ?? "")?.[1]);
  expect(revertId).toBeGreaterThan(taskId);
  return revertId;
}

const bookIds = (sql = `SELECT id FROM "Book" ORDER BY id`, params: unknown[] = []) => ids(db, sql, params);

/** Books equal in every field but @updatedAt (a revert is a change, so it moves). */
function withoutStamp(state: Map<number, BookState>): Map<number, Omit<BookState, "updatedAt">> {
  return new Map([...state].map(([id, { updatedAt: _stamp, ...rest }]) => [id, rest]));
}

const journalCount = async (taskId: number) => count(db, `SELECT count(*) AS n FROM powercrud.journal WHERE "taskId" = $1`, [taskId]);

describe("a background bulk edit", () => {
  it("is journaled in the transactions of its chunks, and its revert restores the exact prior values, many-to-many sets included", async () => {
    await startWorker();
    const b = await browser();
    const picked = (await bookIds()).filter((_, index) => index % 3 === 0).slice(0, 90);
    const before = await snapshot(db);
    const editId = await bulkEdit(b, picked, {
      pages: "4242", status: "OUT_OF_PRINT", price: "9.99", publishedDate: "2001-02-03", editorId: "",
      genres: [String(genreIds[1]), String(genreIds.at(-1))], "genres._mode": "add",
    });
    expect((await waitForEnd(db.pool, editId)).final).toMatchObject({ status: "SUCCESS", total: 90, succeeded: 90 });
    expect(await journalCount(editId)).toBe(90);
    const edited = await snapshot(db);
    for (const id of picked) {
      expect(edited.get(id)).toMatchObject({ pages: 4242, status: "OUT_OF_PRINT", price: "9.99", publishedDate: "2001-02-03", editorId: null });
      expect(edited.get(id)!.genres).toEqual([...new Set([...before.get(id)!.genres, genreIds[1]!, genreIds.at(-1)!])].sort((x, y) => x - y));
    }

    const revertId = await revert(b, editId);
    expect((await waitForEnd(db.pool, revertId)).final).toMatchObject({ status: "SUCCESS", total: 90, processed: 90, succeeded: 90, failed: 0 });
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));
    expect(await journalCount(revertId)).toBe(90);
  });

  it("restores link sets a replace or a remove changed", async () => {
    await startWorker();
    const b = await browser();
    const picked = (await bookIds()).slice(100, 160);
    await db.pool.query(`INSERT INTO "_BookToGenre" ("A", "B") SELECT id, $2 FROM "Book" WHERE id = ANY($1::int[]) AND id % 2 = 0 ON CONFLICT DO NOTHING`, [picked, genreIds[2]]);
    const before = await snapshot(db);
    const replaced = await bulkEdit(b, picked, { genres: [String(genreIds[4])], "genres._mode": "replace" });
    await waitForEnd(db.pool, replaced);
    expect(await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "A" = ANY($1::int[]) AND "B" <> $2`, [picked, genreIds[4]])).toBe(0);
    await waitForEnd(db.pool, await revert(b, replaced));
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));

    const removed = await bulkEdit(b, picked, { genres: [String(genreIds[2])], "genres._mode": "remove" });
    await waitForEnd(db.pool, removed);
    expect(await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "A" = ANY($1::int[]) AND "B" = $2`, [picked, genreIds[2]])).toBe(0);
    await waitForEnd(db.pool, await revert(b, removed));
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));
  });
});

describe("conflicts", () => {
  it("skips a record changed since the task and lists it with both values; a forced retry overwrites it", async () => {
    await startWorker();
    const b = await browser();
    const picked = (await bookIds()).slice(0, 60);
    const before = await snapshot(db);
    const editId = await bulkEdit(b, picked, { pages: "777", genres: [String(genreIds[3])], "genres._mode": "add" });
    await waitForEnd(db.pool, editId);
    // One edited through the form afterwards, one whose links another program changed.
    const [formEdited, linkEdited] = [picked[5]!, picked[33]!];
    const form = await b.get(`/books/${formEdited}/edit`, MODAL);
    expect(form.status).toBe(200);
    const saved = await b.post(`/books/${formEdited}`, editedForm(form.text, { pages: "5" }), MODAL);
    expect(saved.status, saved.text).toBe(200);
    await db.pool.query(`DELETE FROM "_BookToGenre" WHERE "A" = $1`, [linkEdited]);

    const revertId = await revert(b, editId);
    const { final } = await waitForEnd(db.pool, revertId);
    expect(final).toMatchObject({ status: "PARTIAL", total: 60, succeeded: 58, failed: 2 });
    const reasons = await failures(db.pool, revertId);
    expect(reasons.map((failure) => Number(failure.recordId))).toEqual([formEdited, linkEdited]);
    expect(reasons[0]!.reason).toBe(`Conflict: changed since task #${editId}: Pages is 5 (the task wrote 777).`);
    expect(reasons[1]!.reason).toMatch(new RegExp(`^Conflict: changed since task #${editId}: Genres is none \\(the task wrote .+\\)\\.$`));
    const after = await snapshot(db);
    expect(after.get(formEdited)!.pages).toBe(5);
    expect(after.get(linkEdited)!.genres).toEqual([]);
    for (const id of picked.filter((id) => id !== formEdited && id !== linkEdited)) expect(withoutStamp(after).get(id)).toEqual(withoutStamp(before).get(id));
    expect(textOf((await b.get(`/tasks/${revertId}`)).text)).toContain("Records not reverted (2)");

    const retried = await b.post(`/tasks/${revertId}/retry`, { force: "yes" });
    expect(retried.status, retried.text).toBe(303);
    const retryId = Number(/\/tasks\/(\d+)/.exec(retried.headers.get("location") ?? "")?.[1]);
    expect((await waitForEnd(db.pool, retryId)).final).toMatchObject({ status: "SUCCESS", total: 2, succeeded: 2, retryOfId: revertId });
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));
  });

  it("overwrites records changed since when the revert is forced", async () => {
    await startWorker();
    const b = await browser();
    const picked = (await bookIds()).slice(60, 120);
    const before = await snapshot(db);
    const editId = await bulkEdit(b, picked, { status: "PUBLISHED" });
    await waitForEnd(db.pool, editId);
    await db.pool.query(`UPDATE "Book" SET status = 'DRAFT' WHERE id = ANY($1::int[])`, [picked.slice(0, 7)]);
    const revertId = await revert(b, editId, { force: "yes" });
    expect((await waitForEnd(db.pool, revertId)).final).toMatchObject({ status: "SUCCESS", succeeded: 60, failed: 0 });
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));
  });
});

describe("tasks that did not finish", () => {
  it("reverts a partial task: only the records it changed", async () => {
    await startWorker();
    const b = await browser();
    const picked = (await bookIds()).slice(0, 100);
    for (const id of picked.filter((_, index) => index % 10 === 3)) vetoed.add(String(id));
    const before = await snapshot(db);
    const editId = await bulkEdit(b, picked, { pages: "1111" });
    expect((await waitForEnd(db.pool, editId)).final).toMatchObject({ status: "PARTIAL", succeeded: 90, failed: 10 });
    expect(await journalCount(editId)).toBe(90);
    vetoed.clear();
    const revertId = await revert(b, editId);
    expect((await waitForEnd(db.pool, revertId)).final).toMatchObject({ status: "SUCCESS", total: 90, succeeded: 90 });
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));
  });

  it("reverts a cancelled task: the chunks it committed, nothing else", async () => {
    await startWorker();
    const b = await browser("admin", "/slow-books");
    const before = await snapshot(db);
    const editId = await bulkEdit(b, await bookIds(), { pages: "2222" }, "/slow-books");
    await waitFor("a few chunks", async () => (await taskState(db.pool, editId)).processed >= 60);
    expect((await b.post(`/tasks/${editId}/cancel`, {})).status).toBe(303);
    const { final } = await waitForEnd(db.pool, editId);
    expect(final.status).toBe("CANCELLED");
    expect(final.succeeded).toBeLessThan(300);
    expect(await journalCount(editId)).toBe(final.succeeded);
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 2222`)).toBe(final.succeeded);
    const revertId = await revert(b, editId);
    expect((await waitForEnd(db.pool, revertId)).final).toMatchObject({ status: "SUCCESS", total: final.succeeded, succeeded: final.succeeded });
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));
  });
});

describe("reverting a revert", () => {
  it("brings the reverted changes back, and only then allows reverting the original again", async () => {
    await startWorker();
    const b = await browser();
    const picked = (await bookIds()).slice(150, 230);
    const before = await snapshot(db);
    const editId = await bulkEdit(b, picked, { pages: "3333", genres: [String(genreIds[5])], "genres._mode": "replace" });
    await waitForEnd(db.pool, editId);
    const edited = await snapshot(db);
    const revertId = await revert(b, editId);
    await waitForEnd(db.pool, revertId);
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));

    // The original was reverted: its page says so, and a second revert is refused.
    expect(textOf((await b.get(`/tasks/${editId}`)).text)).toContain(`was already reverted by bulk task #${revertId}`);
    expect((await b.post(`/tasks/${editId}/revert`, {})).status).toBe(409);

    const againId = await revert(b, revertId);
    expect((await waitForEnd(db.pool, againId)).final).toMatchObject({ status: "SUCCESS", succeeded: 80 });
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(edited));
    const thirdId = await revert(b, editId);
    expect((await waitForEnd(db.pool, thirdId)).final).toMatchObject({ status: "SUCCESS", succeeded: 80 });
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));
  });
});

describe("a recoverable bulk delete", () => {
  it("journals the deleted rows whole with their links, and its revert puts them back exactly", async () => {
    await startWorker();
    const b = await browser();
    const picked = await bookIds(`SELECT id FROM "Book" b WHERE EXISTS (SELECT 1 FROM "_BookToGenre" g WHERE g."A" = b.id) ORDER BY id LIMIT 70`);
    const before = await snapshot(db);
    const token = await selectForBulk(b, picked);
    const confirm = await b.get("/books/_bulk/delete", MODAL);
    expect(textOf(confirm.text)).toContain("This can be undone: the task's page offers “Revert”");
    const response = await b.post("/books/_bulk/delete", { selection: token, confirm: "yes" }, MODAL);
    const deleteId = Number(/Open task #(\d+)/.exec(response.text)![1]);
    expect((await waitForEnd(db.pool, deleteId)).final).toMatchObject({ status: "SUCCESS", succeeded: 70 });
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE id = ANY($1::int[])`, [picked])).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM "_BookToGenre" WHERE "A" = ANY($1::int[])`, [picked])).toBe(0);

    const revertId = await revert(b, deleteId);
    expect((await waitForEnd(db.pool, revertId)).final).toMatchObject({ status: "SUCCESS", succeeded: 70 });
    // Whole rows: @updatedAt and @createdAt too.
    expect(await snapshot(db)).toEqual(before);

    // And the revert of that revert deletes them again.
    const againId = await revert(b, revertId);
    expect((await waitForEnd(db.pool, againId)).final).toMatchObject({ status: "SUCCESS", succeeded: 70 });
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE id = ANY($1::int[])`, [picked])).toBe(0);
  });

  it("says plainly that a delete cannot be undone where the resource keeps no deleted rows", async () => {
    const b = await browser("admin", "/plain-books");
    await selectForBulk(b, (await bookIds()).slice(0, 3), "/plain-books");
    const confirm = await b.get("/plain-books/_bulk/delete", MODAL);
    expect(textOf(confirm.text)).toContain("This cannot be undone.");
  });
});

describe("a bulk edit run in the request", () => {
  it("is recorded as a finished task with its journal, and can be reverted", async () => {
    await startWorker();
    const b = await browser();
    const picked = (await bookIds()).slice(10, 20);
    const before = await snapshot(db);
    const token = await selectForBulk(b, picked);
    const applied = await b.post("/books/_bulk/apply", { selection: token, _change: ["pages", "genres"], pages: "12", genres: [String(genreIds[0])], "genres._mode": "replace" }, MODAL);
    expect(applied.status, applied.text).toBe(200);
    const message = JSON.parse(applied.headers.get("hx-trigger")!)["pc:saved"].message as string;
    const taskId = Number(/^Updated 10 books\. Revert bulk task #(\d+) to undo it\.$/.exec(message)?.[1]);
    expect(await taskState(db.pool, taskId)).toMatchObject({ status: "SUCCESS", total: 10, processed: 10, succeeded: 10, failed: 0 });
    expect(await journalCount(taskId)).toBe(10);
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.task_target WHERE "taskId" = $1`, [taskId])).toBe(10);
    const list = await b.get("/tasks/");
    expect(textOf(list.text)).toContain(`#${taskId}`);

    await waitForEnd(db.pool, await revert(b, taskId));
    expect(withoutStamp(await snapshot(db))).toEqual(withoutStamp(before));
  });

  it("records nothing, and offers no revert, where history is off", async () => {
    const b = await browser("admin", "/plain-books");
    const token = await selectForBulk(b, (await bookIds()).slice(0, 5), "/plain-books");
    const applied = await b.post("/plain-books/_bulk/apply", { selection: token, _change: "pages", pages: "13" }, MODAL);
    expect(JSON.parse(applied.headers.get("hx-trigger")!)["pc:saved"].message).toBe("Updated 5 books.");
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.task`)).toBe(0);

    await b.post("/plain-books/_selection", { op: "clear" }, { ...BAR, "HX-Current-URL": "http://127.0.0.1/plain-books/" });
    const taskId = await bulkEdit(b, (await bookIds()).slice(0, 60), { pages: "14" }, "/plain-books");
    await startWorker();
    await waitForEnd(db.pool, taskId);
    expect(await journalCount(taskId)).toBe(0);
    expect(textOf((await b.get(`/tasks/${taskId}`)).text)).not.toContain("Revert…");
    const refused = await b.post(`/tasks/${taskId}/revert`, {});
    expect(refused.status).toBe(409);
    expect(textOf(refused.text)).toContain("kept no journal of what it changed");
  });
});

describe("who may revert", () => {
  it("refuses users the resource's permissions or tasks.canRevert refuse, on the server, queuing nothing", async () => {
    const b = await browser();
    const taskId = await bulkEdit(b, (await bookIds()).slice(0, 10), { pages: "15" });
    const tasksNow = async () => count(db, `SELECT count(*) AS n FROM powercrud.task`);
    const queued = await tasksNow();

    // Ids that are not tasks, or not numbers, are 404s, GET or POST.
    for (const id of ["999999", "abc", "1e3", "-1"]) {
      expect((await b.get(`/tasks/${id}/revert`)).status).toBe(404);
      expect((await b.post(`/tasks/${id}/revert`, {})).status).toBe(404);
    }

    const stranger = await browser("stranger");
    expect((await stranger.get(`/tasks/${taskId}/revert`)).status).toBe(403);
    expect((await stranger.post(`/tasks/${taskId}/revert`, {})).status).toBe(403);

    const noUpdate = await browser("no-update");
    const refused = await noUpdate.post(`/tasks/${taskId}/revert`, {});
    expect(refused.status).toBe(403);
    expect(textOf(refused.text)).toContain("You may not edit books.");

    const noRevert = await browser("no-revert");
    expect((await noRevert.get(`/tasks/${taskId}/revert`)).status).toBe(403);
    const hooked = await noRevert.post(`/tasks/${taskId}/revert`, {});
    expect(hooked.status).toBe(403);
    expect(textOf(hooked.text)).toContain("Reverting is for editors.");

    const noForce = await browser("no-force");
    const page = await noForce.get(`/tasks/${taskId}/revert`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('name="force"');
    const forced = await noForce.post(`/tasks/${taskId}/revert`, { force: "yes" });
    expect(forced.status).toBe(403);
    expect(textOf(forced.text)).toContain("Only admins may overwrite changes.");
    expect((await b.post(`/tasks/${taskId}/revert`, { force: "maybe" })).status).toBe(422);
    expect((await b.post(`/tasks/${taskId}/revert`, { _csrf: "forged" })).status).toBe(403);
    expect(await tasksNow()).toBe(queued);

    // Putting deleted records back needs the create permission too.
    const token = await selectForBulk(b, (await bookIds()).slice(0, 3));
    const deleted = await b.post("/books/_bulk/delete", { selection: token, confirm: "yes" }, MODAL);
    const deleteId = Number(/bulk task #(\d+)/.exec(deleted.headers.get("hx-trigger") ?? "")?.[1]);
    const noCreate = await browser("no-create");
    expect((await noCreate.post(`/tasks/${deleteId}/revert`, {})).status).toBe(403);
    expect(await tasksNow()).toBe(queued + 1);
    expect((await noForce.post(`/tasks/${taskId}/revert`, {})).status).toBe(303);
  });
});
