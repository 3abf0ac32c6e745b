/**
 * Permission hooks and disabled routes of mounted resources, in a bare Express app whose own
 * middleware sets the user from the `x-test-role` header.
 */
import { describe, expect, it } from "vitest";
import type { PermissionContext, RecordPermissionContext } from "../../src/index";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, serveBareApp, rowIds, type TestUser } from "../support/bare-app";
import { connect } from "../support/database";
import type { TestClient } from "../support/test-client";

const db = connect();
/** The book nobody may delete (decided by id), and the reason shown for it. */
let lockedId: number;
const LOCKED_REASON = "This book is on loan and cannot be deleted.";
const BESTSELLER_REASON = "Bestsellers stay in the catalogue.";
const WRITE_REASON = "Only editors and admins can change books.";

const canWrite = (ctx: PermissionContext<TestUser>) => ["editor", "admin"].includes(ctx.user?.role ?? "") || WRITE_REASON;

const served = serveBareApp(db, async () => {
  await seedCatalogue(db.pool, { books: 60, authors: 8, genres: 5 });
  lockedId = (await db.pool.query<{ id: number }>(`SELECT id FROM "Book" WHERE NOT bestseller ORDER BY id DESC LIMIT 1`)).rows[0]!.id;
  return bareApp(db, (app, crud) => {
    app.use(
      "/books",
      crud.resource({
        model: "Book",
        list: { fields: ["title", "author", "status"] },
        permissions: {
          create: canWrite,
          update: canWrite,
          delete: canWrite,
          // Record-level: decided by the id, which every route has.
          deleteRecord: (ctx: RecordPermissionContext<TestUser, { id: number }>) => ctx.record.id !== lockedId || LOCKED_REASON,
        },
      }),
    );
    // A hook that reads a field of the record, as a developer would write it.
    app.use(
      "/guarded-books",
      crud.resource({
        model: "Book",
        list: { fields: ["title", "bestseller"] },
        permissions: {
          deleteRecord: (ctx: RecordPermissionContext<TestUser, { bestseller: boolean }>) => !ctx.record.bestseller || BESTSELLER_REASON,
          updateRecord: (ctx: RecordPermissionContext<TestUser, { status: string }>) => ctx.record.status !== "OUT_OF_PRINT" || "Out-of-print books are archived.",
        },
      }),
    );
    app.use(
      "/guarded-titles",
      crud.resource({
        model: "Book",
        list: { fields: ["title"] },
        permissions: { deleteRecord: (ctx: RecordPermissionContext<TestUser, { bestseller: boolean }>) => !ctx.record.bestseller || BESTSELLER_REASON },
      }),
    );
    app.use("/no-delete-books", crud.resource({ model: "Book", list: { fields: ["title"] }, routes: { delete: false } }));
    app.use("/read-only-books", crud.resource({ model: "Book", list: { fields: ["title"] }, routes: { create: false, update: false, delete: false } }));
    app.use(
      "/members-only",
      crud.resource({
        model: "Genre",
        permissions: { list: (ctx) => Boolean(ctx.user) || "Sign in to see genres.", detail: (ctx) => Boolean(ctx.user) },
      }),
    );
  });
});

const as = (role: string) => ({ "x-test-role": role });

async function insertBook(values: { title?: string; bestseller?: boolean; status?: string } = {}): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO "Book" (title, isbn, pages, price, "authorId", bestseller, status, "updatedAt")
     VALUES ($1, 'P' || md5(random()::text), 100, 9.99, 1, $2, $3::"BookStatus", now()) RETURNING id`,
    [values.title ?? "Permission Test Book", values.bestseller ?? false, values.status ?? "DRAFT"],
  );
  return rows[0]!.id;
}

async function title(id: number): Promise<string | undefined> {
  return (await db.pool.query(`SELECT title FROM "Book" WHERE id = $1`, [id])).rows[0]?.title;
}

async function bookCount(): Promise<number> {
  return Number((await db.pool.query(`SELECT count(*) AS n FROM "Book"`)).rows[0].n);
}

function form(overrides: Record<string, string> = {}): Record<string, string> {
  return { title: "Permission Form", isbn: `P${Date.now()}${Math.floor(Math.random() * 1e6)}`, pages: "10", price: "1.00", authorId: "1", status: "DRAFT", ...overrides };
}

/** A browser with a session and CSRF token, acting as this role. */
async function client(role: string): Promise<TestClient> {
  const c = served.browser.fork();
  expect((await c.get("/books", as(role))).status).toBe(200);
  expect(c.csrfToken).not.toBe("");
  return c;
}

function rowHtml(html: string, id: number): string {
  const match = new RegExp(`<tr data-pc-row="${id}">([\\s\\S]*?)</tr>`).exec(html);
  if (!match) throw new Error(`row ${id} is not on the page`);
  return match[1]!;
}

describe("a viewer (create, update and delete hooks deny)", () => {
  it("sees the list without New, Edit or Delete buttons", async () => {
    const response = await served.browser.get("/books", as("viewer"));
    expect(response.status).toBe(200);
    expect(rowIds(response.text).length).toBeGreaterThan(0);
    expect(response.text).not.toContain("New book");
    expect(response.text).not.toContain("/books/new");
    expect(response.text).not.toMatch(/>\s*Edit\s*</);
    expect(response.text).not.toMatch(/>\s*Delete\s*</);
    expect(response.text).not.toMatch(/href="\/books\/\d+\/(edit|delete)/);
    // Rows still link to their detail view.
    expect(response.text).toMatch(/href="\/books\/\d+[?"]/);
  });

  it("gets 403 with the hook's reason for the create form and a create POST, and nothing is written", async () => {
    const viewer = await client("viewer");
    const page = await viewer.get("/books/new", as("viewer"));
    expect(page.status).toBe(403);
    expect(page.text).toContain(WRITE_REASON);
    const before = await bookCount();
    const values = form();
    const response = await viewer.post("/books", values, as("viewer"));
    expect(response.status).toBe(403);
    expect(response.text).toContain(WRITE_REASON);
    expect(await bookCount()).toBe(before);
  });

  it("gets 403 for the edit form and an update POST, and nothing changes", async () => {
    const id = await insertBook({ title: "Viewer Cannot Edit" });
    const viewer = await client("viewer");
    const page = await viewer.get(`/books/${id}/edit`, as("viewer"));
    expect(page.status).toBe(403);
    expect(page.text).toContain(WRITE_REASON);
    const response = await viewer.post(`/books/${id}`, form({ title: "Edited By A Viewer" }), as("viewer"));
    expect(response.status).toBe(403);
    expect(await title(id)).toBe("Viewer Cannot Edit");
  });

  it("gets 403 for the delete confirmation and a delete POST, and nothing is deleted", async () => {
    const id = await insertBook({ title: "Viewer Cannot Delete" });
    const viewer = await client("viewer");
    expect((await viewer.get(`/books/${id}/delete`, as("viewer"))).status).toBe(403);
    const response = await viewer.post(`/books/${id}/delete`, {}, as("viewer"));
    expect(response.status).toBe(403);
    expect(response.text).toContain(WRITE_REASON);
    expect(await title(id)).toBe("Viewer Cannot Delete");
  });

  it("gets a 403 fragment (not a page) for an htmx request", async () => {
    const viewer = await client("viewer");
    const response = await viewer.post("/books", form(), { ...as("viewer"), "HX-Request": "true", "HX-Target": "div#pc-modal-content" });
    expect(response.status).toBe(403);
    expect(response.text).not.toContain("<html");
    expect(response.text).toContain('data-status="403"');
    expect(response.text).toContain(WRITE_REASON);
  });

  it("may not search relation choices (they only serve forms the viewer cannot use)", async () => {
    expect((await served.browser.get("/books/_choices/authorId?q=a", as("viewer"))).status).toBe(403);
  });

  it("is treated like a visitor without any user", async () => {
    const response = await served.browser.get("/books");
    expect(response.status).toBe(200);
    expect(response.text).not.toContain("New book");
    expect((await served.browser.get("/books/new")).status).toBe(403);
  });
});

describe("an editor (every action allowed, one record locked by deleteRecord)", () => {
  it("sees New, Edit and Delete, and the locked record's Delete disabled with the reason as tooltip", async () => {
    const response = await served.browser.get(`/books?size=100`, as("editor"));
    expect(response.status).toBe(200);
    expect(response.text).toContain("New book");
    const locked = rowHtml(response.text, lockedId);
    expect(locked).toContain(`data-tip="${LOCKED_REASON}"`);
    expect(locked).toMatch(/<button type="button" class="btn btn-xs btn-ghost" disabled>Delete<\/button>/);
    expect(locked).not.toMatch(new RegExp(`href="/books/${lockedId}/delete`));
    expect(locked).toMatch(new RegExp(`href="/books/${lockedId}/edit[?"]`));
    const other = rowHtml(response.text, rowIds(response.text).find((id) => id !== lockedId)!);
    expect(other).toMatch(/href="\/books\/\d+\/delete[?"]/);
    expect(other).not.toContain("data-tip=");
  });

  it("sees the reason on the locked record's detail page too", async () => {
    const response = await served.browser.get(`/books/${lockedId}`, as("editor"));
    expect(response.status).toBe(200);
    expect(response.text).toContain(`data-tip="${LOCKED_REASON}"`);
    expect(response.text).not.toContain(`href="/books/${lockedId}/delete"`);
  });

  it("gets 403 with the reason when deleting the locked record, which stays", async () => {
    const editor = await client("editor");
    const before = await title(lockedId);
    const confirm = await editor.get(`/books/${lockedId}/delete`, as("editor"));
    expect(confirm.status).toBe(403);
    expect(confirm.text).toContain(LOCKED_REASON);
    const response = await editor.post(`/books/${lockedId}/delete`, {}, as("editor"));
    expect(response.status).toBe(403);
    expect(response.text).toContain(LOCKED_REASON);
    expect(await title(lockedId)).toBe(before);
  });

  it("creates, edits and deletes other records", async () => {
    const editor = await client("editor");
    const values = form({ title: "Editor Made This" });
    expect((await editor.post("/books", values, as("editor"))).status).toBe(303);
    const { rows } = await db.pool.query<{ id: number }>(`SELECT id FROM "Book" WHERE isbn = $1`, [values.isbn]);
    const id = rows[0]!.id;
    expect((await editor.get(`/books/${id}/edit`, as("editor"))).status).toBe(200);
    expect((await editor.post(`/books/${id}`, { ...values, title: "Editor Changed This" }, as("editor"))).status).toBe(303);
    expect(await title(id)).toBe("Editor Changed This");
    expect((await editor.post(`/books/${id}/delete`, {}, as("editor"))).status).toBe(303);
    expect(await title(id)).toBeUndefined();
  });
});

describe("record hooks that read a field of the record", () => {
  it("show the reason in the list for a bestseller", async () => {
    const id = await insertBook({ title: "Guarded Bestseller", bestseller: true });
    const response = await served.browser.get(`/guarded-books?size=100`);
    expect(response.status).toBe(200);
    expect(rowHtml(response.text, id)).toContain(`data-tip="${BESTSELLER_REASON}"`);
  });

  it("show the reason in the list even when the field is not a list column", async () => {
    const id = await insertBook({ title: "Guarded Bestseller Too", bestseller: true });
    const response = await served.browser.get(`/guarded-titles?size=100`);
    expect(response.status).toBe(200);
    expect(rowHtml(response.text, id)).toContain(`data-tip="${BESTSELLER_REASON}"`);
  });

  it("refuse the delete confirmation of a bestseller with 403 and the reason", async () => {
    const id = await insertBook({ title: "Unconfirmable Bestseller", bestseller: true });
    const confirm = await served.browser.get(`/guarded-books/${id}/delete`);
    expect(confirm.status).toBe(403);
    expect(confirm.text).toContain(BESTSELLER_REASON);
  });

  it("refuse the delete POST of a bestseller with 403 and the reason, and it stays", async () => {
    const id = await insertBook({ title: "Undeletable Bestseller", bestseller: true });
    const c = served.browser.fork();
    await c.get("/guarded-books");
    const response = await c.post(`/guarded-books/${id}/delete`);
    expect(response.status).toBe(403);
    expect(response.text).toContain(BESTSELLER_REASON);
    expect(await title(id)).toBe("Undeletable Bestseller");
  });

  it("refuse the edit form of an out-of-print book with 403 and the reason", async () => {
    const id = await insertBook({ title: "Archived Form", status: "OUT_OF_PRINT" });
    const page = await served.browser.get(`/guarded-books/${id}/edit`);
    expect(page.status).toBe(403);
    expect(page.text).toContain("Out-of-print books are archived.");
  });

  it("refuse the update POST of an out-of-print book with 403 and the reason, and it stays unchanged", async () => {
    const id = await insertBook({ title: "Archived Book", status: "OUT_OF_PRINT" });
    const c = served.browser.fork();
    await c.get("/guarded-books");
    const response = await c.post(`/guarded-books/${id}`, form({ title: "Unarchived" }));
    expect(response.status).toBe(403);
    expect(response.text).toContain("Out-of-print books are archived.");
    expect(await title(id)).toBe("Archived Book");
  });

  it("allow deleting a book that is not a bestseller", async () => {
    const id = await insertBook({ title: "Ordinary Book" });
    const c = served.browser.fork();
    await c.get("/guarded-books");
    expect((await c.post(`/guarded-books/${id}/delete`)).status).toBe(303);
    expect(await title(id)).toBeUndefined();
  });
});

describe("routes turned off", () => {
  it("routes: { delete: false } answers 404 for the delete confirmation and POST, and shows no Delete buttons", async () => {
    const id = await insertBook({ title: "Cannot Be Deleted Here" });
    const c = served.browser.fork();
    const list = await c.get("/no-delete-books", as("admin"));
    expect(list.status).toBe(200);
    expect(list.text).not.toMatch(/>\s*Delete\s*</);
    expect(list.text).toMatch(/>\s*Edit\s*</);
    expect((await c.get(`/no-delete-books/${id}/delete`, as("admin"))).status).toBe(404);
    expect((await c.post(`/no-delete-books/${id}/delete`, {}, as("admin"))).status).toBe(404);
    expect(await title(id)).toBe("Cannot Be Deleted Here");
    const detail = await c.get(`/no-delete-books/${id}`, as("admin"));
    expect(detail.status).toBe(200);
    expect(detail.text).not.toMatch(/>\s*Delete\s*</);
  });

  it("a read-only resource answers 404 for every write route and shows no write buttons", async () => {
    const id = await insertBook({ title: "Read Only Book" });
    const c = served.browser.fork();
    const list = await c.get("/read-only-books", as("admin"));
    expect(list.status).toBe(200);
    expect(list.text).not.toContain("New book");
    expect(list.text).not.toMatch(/>\s*(Edit|Delete)\s*</);
    const before = await bookCount();
    expect((await c.get("/read-only-books/new", as("admin"))).status).toBe(404);
    expect((await c.post("/read-only-books", form(), as("admin"))).status).toBe(404);
    expect((await c.get(`/read-only-books/${id}/edit`, as("admin"))).status).toBe(404);
    expect((await c.post(`/read-only-books/${id}`, form({ title: "Changed" }), as("admin"))).status).toBe(404);
    expect((await c.post(`/read-only-books/${id}/delete`, {}, as("admin"))).status).toBe(404);
    expect((await c.get(`/read-only-books/_choices/authorId`, as("admin"))).status).toBe(403);
    expect(await bookCount()).toBe(before);
    expect(await title(id)).toBe("Read Only Book");
    expect((await c.get(`/read-only-books/${id}`, as("admin"))).status).toBe(200);
  });
});

describe("list and detail hooks", () => {
  it("answer 403 with the reason to a visitor without a user, and 200 to a signed-in one", async () => {
    const anonymous = await served.browser.get("/members-only");
    expect(anonymous.status).toBe(403);
    expect(anonymous.text).toContain("Sign in to see genres.");
    const detail = await served.browser.get("/members-only/1");
    expect(detail.status).toBe(403);
    expect(detail.text).toContain("You do not have permission to view genres.");
    expect((await served.browser.get("/members-only", as("viewer"))).status).toBe(200);
    expect((await served.browser.get("/members-only/1", as("viewer"))).status).toBe(200);
  });
});
