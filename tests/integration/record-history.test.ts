/**
 * The audit trail (issue #12): single-record creates, edits and deletes through PowerCRUD's forms are
 * recorded in the transaction of the write; a record's detail view lists every change that touched
 * it, bulk or single, newest first, with before → after values and links to tasks; retention follows
 * the tasks cleanup, per resource. Checked against the real database with SQL of its own.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, expectNoServerErrors, unescapeHtml, type TestUser } from "../support/bare-app";
import { BAR, MODAL, Browser, count, ids, textOf } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { editedForm } from "../support/edit-form";
import { TestClient } from "../support/test-client";
import { resetTasks } from "../support/task-helpers";

const db = connect();
let server: TestClient;
let logged: unknown[];
let crud: ReturnType<typeof bareApp>["crud"];

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 60, authors: 6, genres: 4 });
  const app = bareApp(
    db,
    (app, crud) => {
      app.use("/books", crud.resource({
        model: "Book",
        list: { fields: ["title", "pages"] },
        form: { fields: ["title", "isbn", "pages", "price", "author", "genres", "status"] },
        bulkFields: ["pages", "genres"],
        history: { retentionDays: 400 },
      }));
      app.use("/authors", crud.resource({ model: "Author", list: { fields: ["name"] }, form: { fields: ["name", "active"] }, history: { enabled: false } }));
      app.use("/genres", crud.resource({ model: "Genre", list: { fields: ["name"] }, form: { fields: ["name", "description"] } }));
      // Who sees the History panel: by default whoever may edit; the history hook decides alone when given.
      const editors = ({ user }: { user: unknown }) => (user as TestUser | undefined)?.role === "editor" || "Only editors edit books.";
      app.use("/edited-books", crud.resource({ model: "Book", key: "edited-books", list: { fields: ["title"] }, permissions: { update: editors } }));
      app.use("/audited-books", crud.resource({
        model: "Book",
        key: "audited-books",
        list: { fields: ["title"] },
        permissions: { update: editors, history: ({ user }) => (user as TestUser | undefined)?.role === "auditor" || "Only auditors see the history." },
      }));
      app.use("/open-books", crud.resource({ model: "Book", key: "open-books", list: { fields: ["title"] }, routes: { update: false }, permissions: { update: editors, history: () => true } }));
      app.use("/tasks", crud.tasks());
    },
    { userKey: (user: TestUser) => user.role, tasks: { url: "/tasks" } },
  );
  crud = app.crud;
  logged = app.errors;
  server = await TestClient.start(app.app);
});

afterEach(() => expectNoServerErrors(logged));
afterAll(async () => {
  await server?.close();
  await db.close();
});
beforeEach(async () => {
  await resetTasks(db.pool);
  await db.pool.query(`DELETE FROM powercrud.selection`);
});

interface ChangeRow {
  action: string;
  userKey: string | null;
  userName: string | null;
  recordId: string;
  before: unknown;
  after: unknown;
}

const changes = async (model = "Book") =>
  (await db.pool.query<ChangeRow>(`SELECT action, "userKey", "userName", "recordId", before, after FROM powercrud.record_change WHERE model = $1 ORDER BY id`, [model])).rows;

async function browser(role = "editor", path = "/books"): Promise<Browser> {
  const b = new Browser(server.fork(), role);
  expect((await b.get(`${path}/`)).status).toBe(200);
  return b;
}

/** The record's edit form as a browser posts it, with some fields changed. */
async function editForm(b: Browser, path: string, changed: Record<string, string | string[]>): Promise<Record<string, string | string[]>> {
  return editedForm((await b.get(`${path}/edit`, MODAL)).text, changed);
}

/** The History panel's entries as a screen reader reads them: title, time, who, task, and the changes. */
function historyOf(html: string): Array<{ key: string; text: string }> {
  return html.split('data-testid="pc-history-entry"').slice(1).map((part) => ({
    key: /data-pc-history="([^"]+)"/.exec(part)![1]!,
    text: textOf(`<li ${part.split(/<li id="pc-history-older"|<\/ol>/)[0]!}`).replace(/ → /g, " ").replace(/ ([:·])/g, "$1"),
  }));
}

describe("single-record changes", () => {
  it("records creates, edits and deletes with who and the changed fields before and after, in the write's transaction", async () => {
    const b = await browser();
    const authorId = (await ids(db, `SELECT id FROM "Author" ORDER BY id LIMIT 1`))[0]!;
    const genres = await ids(db, `SELECT id FROM "Genre" ORDER BY id`);
    const created = await b.post("/books", { title: "Audited", isbn: "9781111111111", pages: "100", price: "12.5", authorId: String(authorId), genres: [String(genres[0])], status: "DRAFT" }, MODAL);
    expect(created.status, created.text).toBe(200);
    const id = (await ids(db, `SELECT id FROM "Book" WHERE isbn = '9781111111111'`))[0]!;
    const [create] = await changes();
    expect(create).toMatchObject({ action: "create", userKey: "editor", recordId: String(id), before: null });
    expect(create!.after).toEqual({
      row: { title: "Audited", isbn: "9781111111111", pages: 100, price: 12.5, authorId, status: "DRAFT" },
      links: { genres: [String(genres[0])] },
    });

    const saved = await b.post(`/books/${id}`, await editForm(b, `/books/${id}`, { pages: "101", genres: [String(genres[0]), String(genres[1])] }), MODAL);
    expect(saved.status, saved.text).toBe(200);
    // Saving without a change records nothing.
    expect((await b.post(`/books/${id}`, await editForm(b, `/books/${id}`, {}), MODAL)).status).toBe(200);
    const edits = (await changes()).filter((change) => change.action === "update");
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({
      before: { row: { pages: 100 }, links: { genres: [String(genres[0])] } },
      after: { row: { pages: 101 }, links: { genres: [String(genres[0]), String(genres[1])] } },
    });

    // A failed write (a duplicate ISBN) records nothing either.
    const other = (await ids(db, `SELECT id FROM "Book" WHERE id <> $1 ORDER BY id LIMIT 1`, [id]))[0]!;
    const isbn = (await db.pool.query<{ isbn: string }>(`SELECT isbn FROM "Book" WHERE id = $1`, [other])).rows[0]!.isbn;
    expect((await b.post(`/books/${id}`, await editForm(b, `/books/${id}`, { isbn }), MODAL)).status).toBe(422);
    expect(await changes()).toHaveLength(2);

    expect((await b.post(`/books/${id}/delete`, {}, MODAL)).status).toBe(200);
    const removed = (await changes()).at(-1)!;
    expect(removed).toMatchObject({ action: "delete", userKey: "editor", after: null });
    expect((removed.before as { row: Record<string, unknown> }).row).toMatchObject({ id, title: "Audited", pages: 101 });
  });

  it("records nothing for a resource whose history is off", async () => {
    const b = await browser("editor", "/authors");
    expect((await b.post("/authors", { name: "Unaudited", active: "true" }, MODAL)).status).toBe(200);
    expect(await changes("Author")).toEqual([]);
    const id = (await ids(db, `SELECT id FROM "Author" WHERE name = 'Unaudited'`))[0]!;
    expect((await b.get(`/authors/${id}`)).text).not.toContain("pc-record-history");
  });
});

describe("the History panel", () => {
  it("lists bulk and single changes newest first, with before → after values by name and links to the tasks", async () => {
    const b = await browser();
    const id = (await ids(db, `SELECT id FROM "Book" ORDER BY id LIMIT 1`))[0]!;
    const empty = await b.get(`/books/${id}`);
    expect(empty.text).toContain("No changes recorded yet");
    const { rows: [book] } = await db.pool.query<{ pages: number; title: string }>(`SELECT pages, title FROM "Book" WHERE id = $1`, [id]);
    const genre = (await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM "Genre" ORDER BY id DESC LIMIT 1`)).rows[0]!;
    await db.pool.query(`DELETE FROM "_BookToGenre" WHERE "A" = $1`, [id]);

    expect((await b.post(`/books/${id}`, await editForm(b, `/books/${id}`, { title: "Renamed" }), MODAL)).status).toBe(200);
    await b.post("/books/_selection", { op: "rows", ids: String(id), selected: "1" }, BAR);
    const token = /name="selection" value="([^"]*)"/.exec((await b.get("/books/_bulk/edit", MODAL)).text)![1]!;
    const applied = await b.post("/books/_bulk/apply", { selection: token, _change: ["pages", "genres"], pages: "999", genres: [String(genre.id)], "genres._mode": "add" }, MODAL);
    const taskId = Number(/bulk task #(\d+)/.exec(applied.headers.get("hx-trigger")!)![1]);

    const page = await b.get(`/books/${id}`);
    const entries = historyOf(page.text);
    expect(entries.map((entry) => entry.key)).toEqual([`task-${taskId}`, expect.stringMatching(/^change-\d+$/)]);
    expect(entries[0]!.text).toContain("Bulk edit");
    expect(entries[0]!.text).toContain(`By editor· Bulk task #${taskId}: Set Pages to 999 and add Genres ${genre.name}`);
    expect(entries[0]!.text).toContain(`Pages: ${book!.pages.toLocaleString("en")} changed to 999`);
    expect(entries[0]!.text).toContain(`Genres: none changed to ${genre.name}`);
    expect(page.text).toContain(`href="/tasks/${taskId}"`);
    expect(entries[1]!.text).toContain("Edited");
    expect(entries[1]!.text).toContain(`Title: ${book!.title} changed to Renamed`);
  });

  it("pages through a long history by keyset, with htmx and without", async () => {
    const b = await browser();
    const id = (await ids(db, `SELECT id FROM "Book" ORDER BY id LIMIT 1 OFFSET 1`))[0]!;
    for (let n = 1; n <= 13; n += 1) {
      expect((await b.post(`/books/${id}`, await editForm(b, `/books/${id}`, { pages: String(1000 + n) }), MODAL)).status).toBe(200);
      await b.post("/books/_selection", { op: "rows", ids: String(id), selected: "1" }, BAR);
      const token = /name="selection" value="([^"]*)"/.exec((await b.get("/books/_bulk/edit", MODAL)).text)![1]!;
      expect((await b.post("/books/_bulk/apply", { selection: token, _change: "pages", pages: String(2000 + n) }, MODAL)).status).toBe(200);
    }
    const first = await b.get(`/books/${id}`);
    const newest = historyOf(first.text);
    expect(newest).toHaveLength(20);
    expect(newest[0]!.text).toContain("Pages: 1,013 changed to 2,013");
    const olderUrl = unescapeHtml(/id="pc-history-older">\s*<a [^>]*href="([^"]+)"/.exec(first.text)![1]!);
    const older = await b.get(olderUrl, { "HX-Request": "true", "HX-Target": "li#pc-history-older" });
    const rest = historyOf(older.text);
    expect(rest).toHaveLength(6);
    expect(older.text).not.toContain("<html");
    expect(older.text).not.toContain("pc-history-older");
    expect(new Set([...newest, ...rest].map((entry) => entry.key)).size).toBe(26);
    expect(rest.at(-2)!.text).toContain("Pages: 1,001 changed to 2,001");
    expect(rest.at(-1)!.text).toMatch(/^Edited .*Pages: [\d,]+ changed to 1,001$/);
    // Without JavaScript the link opens the same entries on a page of their own.
    const plain = await b.get(olderUrl);
    expect(plain.text).toContain("<html");
    expect(historyOf(plain.text).map((entry) => entry.key)).toEqual(rest.map((entry) => entry.key));

    expect((await b.get(`/books/${id}/history?tasks=abc`)).status).toBe(400);
    expect((await b.get(`/books/not-a-number/history`)).status).toBe(404);
  });
});

describe("who sees the History panel", () => {
  const panelOf = async (role: string, base: string) => {
    const b = new Browser(server.fork(), role);
    const detail = await b.get(`${base}/1`);
    expect(detail.status).toBe(200);
    const older = await b.get(`${base}/1/history`, { accept: "application/json" });
    return { panel: detail.text.includes('id="pc-record-history"'), older: older.status, message: older.status === 403 ? JSON.parse(older.text).error.message : undefined };
  };

  it("by default, whoever may edit the records: others get the detail without it, and a 403 with the update hook's reason", async () => {
    expect(await panelOf("editor", "/edited-books")).toEqual({ panel: true, older: 200, message: undefined });
    expect(await panelOf("viewer", "/edited-books")).toEqual({ panel: false, older: 403, message: "Only editors edit books." });
  });

  it("with a history hook, the hook alone decides, whether or not the user may edit", async () => {
    expect(await panelOf("auditor", "/audited-books")).toEqual({ panel: true, older: 200, message: undefined });
    expect(await panelOf("editor", "/audited-books")).toEqual({ panel: false, older: 403, message: "Only auditors see the history." });
  });

  it("a hook that allows everyone shows it on a read-only resource too", async () => {
    expect(await panelOf("viewer", "/open-books")).toEqual({ panel: true, older: 200, message: undefined });
  });
});

describe("retention", () => {
  it("removes tasks with their journal and record changes past their resource's retention", async () => {
    const b = await browser();
    const [bookId, otherBook] = await ids(db, `SELECT id FROM "Book" ORDER BY id LIMIT 2`);
    const genre = (await ids(db, `SELECT id FROM "Genre" ORDER BY id LIMIT 1`))[0]!;
    for (const id of [bookId!, otherBook!]) {
      expect((await b.post(`/books/${id}`, await editForm(b, `/books/${id}`, { pages: "55" }), MODAL)).status).toBe(200);
      await b.post("/books/_selection", { op: "clear" }, BAR);
      await b.post("/books/_selection", { op: "rows", ids: String(id), selected: "1" }, BAR);
      const token = /name="selection" value="([^"]*)"/.exec((await b.get("/books/_bulk/edit", MODAL)).text)![1]!;
      expect((await b.post("/books/_bulk/apply", { selection: token, _change: "pages", pages: "56" }, MODAL)).status).toBe(200);
    }
    const genres = new Browser(server.fork(), "editor");
    await genres.get("/genres/");
    expect((await genres.post(`/genres/${genre}`, { name: "Renamed genre", description: "" }, MODAL)).status).toBe(200);
    // The first book's changes are 100 days old, the genre's too: books keep 400 days, genres the tasks' 30.
    await db.pool.query(`UPDATE powercrud.task SET "finishedAt" = now() - interval '100 days' WHERE id = (SELECT min("taskId") FROM powercrud.task_target WHERE "recordId" = $1)`, [String(bookId)]);
    await db.pool.query(`UPDATE powercrud.record_change SET at = now() - interval '100 days' WHERE ("model" = 'Book' AND "recordId" = $1) OR "model" = 'Genre'`, [String(bookId)]);
    const kept = async () => ({
      tasks: await count(db, `SELECT count(*) AS n FROM powercrud.task`),
      journal: await count(db, `SELECT count(*) AS n FROM powercrud.journal`),
      changes: await count(db, `SELECT count(*) AS n FROM powercrud.record_change`),
    });
    expect(await kept()).toEqual({ tasks: 2, journal: 2, changes: 3 });
    await crud.cleanupTasks();
    expect(await kept()).toEqual({ tasks: 2, journal: 2, changes: 2 });
    await db.pool.query(`UPDATE powercrud.task SET "finishedAt" = now() - interval '401 days' WHERE "finishedAt" < now() - interval '1 day'`);
    await db.pool.query(`UPDATE powercrud.record_change SET at = now() - interval '401 days' WHERE at < now() - interval '1 day'`);
    await crud.cleanupTasks();
    expect(await kept()).toEqual({ tasks: 1, journal: 1, changes: 1 });
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.task_target WHERE "recordId" = $1`, [String(bookId)])).toBe(0);
  });
});
