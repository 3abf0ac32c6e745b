/**
 * Inline row editing in a bare Express app against the real Postgres: the edit row, saving, the
 * messages of refused values, the permission hooks, records held by a background task (409), CSRF,
 * forged fields and malformed requests. Every refusal is a 4xx that writes nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, expectNoServerErrors, optionsOf, unescapeHtml } from "../support/bare-app";
import { connect } from "../support/database";
import { resetTasks } from "../support/task-helpers";
import { TestClient } from "../support/test-client";

const db = connect();
let browser: TestClient;
let logged: unknown[];

const INLINE = ["title", "author", "editor", "genres", "status", "price", "bestseller"];

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 40, authors: 6, genres: 5 });
  await resetTasks(db.pool);
  const { app, errors } = bareApp(db, (app, crud) => {
    app.use(
      "/books",
      crud.resource({
        model: "Book",
        list: { fields: ["title", "author", "editor", "genres", "status", "price", "pages", "bestseller"] },
        inlineEdit: { fields: INLINE },
        form: {
          validate: { price: z.string().refine((price) => !price.startsWith("-"), "A price cannot be negative.") },
          dependentChoices: {
            editor: { on: ["author"], where: ({ values }) => (typeof values.authorId === "number" ? { id: { not: values.authorId } } : undefined) },
          },
        },
        permissions: {
          update: ({ user }) => (user as { role?: string } | undefined)?.role === "editor" || "Only editors edit books.",
          updateRecord: ({ record }) => !String(record.title).startsWith("Locked") || "Locked books stay as they are.",
        },
      }),
    );
  });
  logged = errors;
  browser = await TestClient.start(app);
});

afterEach(async () => {
  expectNoServerErrors(logged);
  await resetTasks(db.pool);
});

afterAll(async () => {
  await browser?.close();
  await db.close();
});

// ------------------------------------------------------------------ helpers

const HX = { "HX-Request": "true", "HX-Target": "tr", "HX-Current-URL": "http://127.0.0.1/books?sort=title" };

/** An editor's browser that has loaded the list (session, CSRF token). */
async function editor(role = "editor"): Promise<TestClient> {
  const client = browser.fork();
  const page = await client.get("/books", { "x-test-role": role });
  expect(page.status).toBe(200);
  return client;
}

async function book(id: number) {
  const { rows } = await db.pool.query(
    `SELECT id, title, isbn, pages, price::text AS price, status::text AS status, bestseller, "authorId", "editorId", description, "updatedAt",
            ARRAY(SELECT "B" FROM "_BookToGenre" WHERE "A" = b.id ORDER BY "B") AS genres
     FROM "Book" b WHERE id = $1`,
    [id],
  );
  return rows[0];
}

async function firstBookId(where = "true"): Promise<number> {
  return (await db.pool.query<{ id: number }>(`SELECT id FROM "Book" WHERE ${where} ORDER BY id LIMIT 1`)).rows[0]!.id;
}

function fieldError(html: string, id: number, field: string): string | undefined {
  const match = new RegExp(`id="pc-${id}-f-${field}-error">([^<]*)<`).exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

/** A body that saves the given values of the inline fields (with the row's own list of them). */
function inlineBody(values: Record<string, string | string[]>, fields = Object.keys(values)): Record<string, string | string[]> {
  return { _fields: fields.join(","), _return: "/books?sort=title", ...values };
}

/** A PENDING bulk task (no worker runs here) that holds these books. */
async function holdBooks(ids: number[]): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO powercrud.task ("taskKey", "resourceKey", "resourceUrl", model, operation, data, description, "selectionMode", "chunkSize", total)
     VALUES (md5(random()::text), 'Book', '/books', 'Book', 'update', '{}', 'Held for a test', 'ids', 100, $1) RETURNING id`,
    [ids.length],
  );
  for (const id of ids) await db.pool.query(`INSERT INTO powercrud.task_target ("taskId", "recordId", chunk) VALUES ($1, $2, 0)`, [rows[0]!.id, String(id)]);
  return rows[0]!.id;
}

// ------------------------------------------------------------------ the list

/** The newest book: the first row of the list's first page (newest first). */
async function newestBookId(): Promise<number> {
  return (await db.pool.query<{ id: number }>(`SELECT max(id) AS id FROM "Book"`)).rows[0]!.id;
}

function rowOf(html: string, id: number): string {
  const row = new RegExp(`<tr data-pc-row="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(html)?.[1];
  expect(row, `row ${id} in the page`).toBeDefined();
  return row!;
}

describe("the list with inline editing", () => {
  it("offers Quick edit on each row the user may edit: the edit form's link, loading the inline row with htmx", async () => {
    const client = await editor();
    const page = await client.get("/books", { "x-test-role": "editor" });
    const id = await newestBookId();
    expect(rowOf(page.text, id)).toMatch(new RegExp(`<a [^>]*href="/books/${id}/edit" hx-get="/books/${id}/inline" hx-target="closest tr" hx-swap="outerHTML"`));
    expect(rowOf(page.text, id)).toContain(`aria-label="Quick edit `);
  });

  it("offers no Quick edit to a user who may not edit, nor on a record the record hook refuses", async () => {
    const id = await newestBookId();
    const viewer = await (await editor("viewer")).get("/books", { "x-test-role": "viewer" });
    expect(rowOf(viewer.text, id)).not.toContain("Quick edit");
    const { rows } = await db.pool.query(`UPDATE "Book" SET title = 'Locked ' || title WHERE id = $1 RETURNING substr(title, 8) AS was`, [id]);
    try {
      const page = await (await editor()).get("/books", { "x-test-role": "editor" });
      expect(rowOf(page.text, id)).not.toContain("Quick edit");
      expect(rowOf(page.text, id - 1)).toContain("Quick edit");
    } finally {
      await db.pool.query(`UPDATE "Book" SET title = $2 WHERE id = $1`, [id, rows[0].was]);
    }
  });
});

// ------------------------------------------------------------------ GET /:id/inline

describe("GET /:id/inline", () => {
  it("answers the row with inputs for the inline fields, holding the record's values, wired to the row's form", async () => {
    const client = await editor();
    const id = await firstBookId();
    const before = await book(id);
    const response = await client.get(`/books/${id}/inline`, { ...HX, "x-test-role": "editor" });
    expect(response.status).toBe(200);
    expect(response.text.trim()).toMatch(new RegExp(`^<tr data-pc-row="${id}" data-pc-inline-row="pc-inline-${id}">`));
    expect(response.text).toContain(`<form id="pc-inline-${id}" method="post" action="/books/${id}/inline"`);
    expect(response.text).toMatch(/name="_csrf" value="[^"]+"/);
    expect(response.text).toContain(`name="_fields" value="title,authorId,editorId,genres,status,price,bestseller"`);
    // Each input names the row's form and has a label of its own (visually hidden in the table).
    expect(response.text).toMatch(new RegExp(`<input type="text" class="input w-full input-sm" value="${before.title}" id="pc-${id}-f-title" name="title" form="pc-inline-${id}"`));
    expect(response.text).toContain(`<label class="sr-only" for="pc-${id}-f-title">Title`);
    expect(response.text).toContain(`value="${before.price}"`);
    const status = new RegExp(`<select [^>]*id="pc-${id}-f-status"[^>]*>([\\s\\S]*?)</select>`).exec(response.text)![1]!;
    expect(status).toContain(`value="${before.status}" selected`);
    // The editor choices leave out the book's author (a dependent field), and reload when the author changes.
    const editorSelect = new RegExp(`<select [^>]*id="pc-${id}-f-editorId"[^>]*>([\\s\\S]*?)</select>`).exec(response.text)!;
    expect(optionsOf(editorSelect[1]!).map((option) => Number(option.value))).not.toContain(before.authorId);
    expect(editorSelect[0]).toContain(`hx-trigger="change from:#pc-${id}-f-authorId"`);
    // Save and Cancel.
    expect(response.text).toMatch(new RegExp(`<button type="submit" [^>]*aria-label="Save [^"]+">Save</button>`));
    expect(response.text).toContain(`hx-get="/books/${id}/row"`);
  });

  it("sends a browser without JavaScript (a plain request) to the edit form", async () => {
    const client = await editor();
    const id = await firstBookId();
    const response = await client.get(`/books/${id}/inline?_return=${encodeURIComponent("/books?sort=title")}`, { "x-test-role": "editor" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/books/${id}/edit?_return=${encodeURIComponent("/books?sort=title")}`);
  });

  it("refuses a user who may not edit (403), a record the hook refuses (403), and unknown or malformed ids (404)", async () => {
    const id = await firstBookId();
    const viewer = await editor("viewer");
    const refused = await viewer.get(`/books/${id}/inline`, { ...HX, "x-test-role": "viewer" });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Only editors edit books.");
    await db.pool.query(`UPDATE "Book" SET title = 'Locked in' WHERE id = $1`, [id]);
    const client = await editor();
    const locked = await client.get(`/books/${id}/inline`, { ...HX, "x-test-role": "editor" });
    expect(locked.status).toBe(403);
    expect(locked.text).toContain("Locked books stay as they are.");
    await db.pool.query(`UPDATE "Book" SET title = 'Unlocked again' WHERE id = $1`, [id]);
    for (const bad of ["99999999", "abc", "1.5", "-1", "%00"]) {
      expect((await client.get(`/books/${bad}/inline`, { ...HX, "x-test-role": "editor" })).status, bad).toBe(404);
    }
  });

  it("answers 409 naming the task for a record a background task holds", async () => {
    const id = await firstBookId();
    const task = await holdBooks([id]);
    const response = await (await editor()).get(`/books/${id}/inline`, { ...HX, "x-test-role": "editor" });
    expect(response.status).toBe(409);
    expect(response.text).toContain(`bulk task #${task}`);
    expect(response.text).toContain(`href="/tasks/${task}"`);
  });

  it("answers 409 when the user's columns show none of the inline fields", async () => {
    const client = await editor();
    const hidden = await client.post("/books/_columns", { columns: ["pages"], _return: "/books" }, { "x-test-role": "editor" });
    expect(hidden.status).toBe(303);
    const id = await firstBookId();
    const response = await client.get(`/books/${id}/inline`, { ...HX, "x-test-role": "editor" });
    expect(response.status).toBe(409);
    expect(response.text).toContain("None of the columns edited in place");
    // …and the rows offer no Quick edit then.
    expect((await client.get("/books", { "x-test-role": "editor" })).text).not.toContain("Quick edit");
  });
});

// ------------------------------------------------------------------ POST /:id/inline

describe("POST /:id/inline", () => {
  it("saves the posted fields only, and answers the row as the list draws it, with the message to read out", async () => {
    const client = await editor();
    const id = await firstBookId();
    const before = await book(id);
    await client.get(`/books/${id}/inline`, { ...HX, "x-test-role": "editor" });
    const response = await client.post(
      `/books/${id}/inline`,
      inlineBody({ title: "  Edited In Place  ", price: "17.5", status: "OUT_OF_PRINT", bestseller: ["false", "on"] }, ["title", "price", "status", "bestseller"]),
      { ...HX, "x-test-role": "editor" },
    );
    expect(response.status).toBe(200);
    expect(response.text.trim()).toMatch(new RegExp(`^<tr data-pc-row="${id}" data-pc-saved="Saved book “Edited In Place”."`));
    expect(response.text).not.toContain("data-pc-inline-row");
    expect(response.text).toContain("Edited In Place");
    expect(response.text).toContain("17.50");
    expect(response.text).toContain(`hx-get="/books/${id}/inline"`);
    const after = await book(id);
    expect(after).toMatchObject({ title: "Edited In Place", price: "17.50", status: "OUT_OF_PRINT", bestseller: true });
    // Fields it did not post are untouched, inline ones included.
    expect(after).toMatchObject({ isbn: before.isbn, pages: before.pages, authorId: before.authorId, editorId: before.editorId, genres: before.genres, description: before.description });
  });

  it("saves relations: a foreign key, a cleared nullable one and a many-to-many set", async () => {
    const client = await editor();
    const id = await firstBookId();
    const response = await client.post(`/books/${id}/inline`, inlineBody({ authorId: "3", editorId: "", genres: ["2", "5"] }), { ...HX, "x-test-role": "editor" });
    expect(response.status).toBe(200);
    expect(await book(id)).toMatchObject({ authorId: 3, editorId: null, genres: [2, 5] });
  });

  it("answers refused values with the row's inputs, each message next to its input, and writes nothing", async () => {
    const client = await editor();
    const id = await firstBookId();
    const before = await book(id);
    const response = await client.post(`/books/${id}/inline`, inlineBody({ title: "", price: "12.345", status: "LOST" }), { ...HX, "x-test-role": "editor" });
    expect(response.status).toBe(422);
    expect(response.text).toContain(`data-pc-inline-row="pc-inline-${id}"`);
    expect(fieldError(response.text, id, "title")).toBe("This field is required.");
    expect(fieldError(response.text, id, "price")).toContain("at most 2 decimal places");
    expect(fieldError(response.text, id, "status")).toMatch(/^Choose one of:/);
    // The input says it is invalid and points at its message; what was typed is kept.
    expect(response.text).toMatch(new RegExp(`value="12.345" id="pc-${id}-f-price" name="price" form="pc-inline-${id}"[^>]* aria-invalid="true" aria-describedby="pc-${id}-f-price-error"`));
    expect(await book(id)).toEqual(before);
  });

  it("applies the resource's form.validate checks, as the edit form does", async () => {
    const client = await editor();
    const id = await firstBookId();
    const before = await book(id);
    const response = await client.post(`/books/${id}/inline`, inlineBody({ price: "-3" }), { ...HX, "x-test-role": "editor" });
    expect(response.status).toBe(422);
    expect(fieldError(response.text, id, "price")).toBe("A price cannot be negative.");
    expect(await book(id)).toEqual(before);
  });

  it("refuses an editor outside the choices the author leaves (422), and a related record that does not exist", async () => {
    const client = await editor();
    const id = await firstBookId();
    const before = await book(id);
    // The author is not posted: the record's own author counts.
    const same = await client.post(`/books/${id}/inline`, inlineBody({ editorId: String(before.authorId) }), { ...HX, "x-test-role": "editor" });
    expect(same.status).toBe(422);
    expect(fieldError(same.text, id, "editorId")).toBe("This editor is not available for the chosen author. Choose another.");
    // Posted together, the new author counts.
    const both = await client.post(`/books/${id}/inline`, inlineBody({ authorId: "4", editorId: "4" }), { ...HX, "x-test-role": "editor" });
    expect(both.status).toBe(422);
    expect(fieldError(both.text, id, "editorId")).toContain("not available");
    const gone = await client.post(`/books/${id}/inline`, inlineBody({ authorId: "99999" }), { ...HX, "x-test-role": "editor" });
    expect(gone.status).toBe(422);
    expect(fieldError(gone.text, id, "authorId")).toBe("The chosen author no longer exists. Choose another.");
    expect(await book(id)).toEqual(before);
    // A valid pair saves.
    const other = before.authorId === 1 ? 2 : 1;
    expect((await client.post(`/books/${id}/inline`, inlineBody({ authorId: String(before.authorId), editorId: String(other) }), { ...HX, "x-test-role": "editor" })).status).toBe(200);
    expect((await book(id)).editorId).toBe(other);
  });

  it("writes only inline fields: a forged field is ignored, and a form naming none is refused (400)", async () => {
    const client = await editor();
    const id = await firstBookId();
    const before = await book(id);
    const forged = await client.post(`/books/${id}/inline`, { _fields: "title,isbn,pages", title: "Still Fine", isbn: "9781111111111", pages: "3" }, { ...HX, "x-test-role": "editor" });
    expect(forged.status).toBe(200);
    expect(await book(id)).toMatchObject({ title: "Still Fine", isbn: before.isbn, pages: before.pages });
    const afterForged = await book(id);
    const bodies: Array<Record<string, string>> = [{ _fields: "isbn", isbn: "9781111111111" }, { title: "No list of fields" }, { _fields: "", title: "x" }];
    for (const body of bodies) {
      const refused = await client.post(`/books/${id}/inline`, body, { ...HX, "x-test-role": "editor" });
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    expect(await book(id)).toEqual(afterForged);
  });

  it("refuses without permission (403), on a held record (409) and without a CSRF token (403), writing nothing", async () => {
    const id = await firstBookId();
    const before = await book(id);
    const viewer = await editor("viewer");
    expect((await viewer.post(`/books/${id}/inline`, inlineBody({ title: "By a viewer" }), { ...HX, "x-test-role": "viewer" })).status).toBe(403);

    const client = await editor();
    const task = await holdBooks([id]);
    const held = await client.post(`/books/${id}/inline`, inlineBody({ title: "While held" }), { ...HX, "x-test-role": "editor" });
    expect(held.status).toBe(409);
    expect(held.text).toContain(`bulk task #${task}`);
    await resetTasks(db.pool);

    const forged = await client.post(`/books/${id}/inline`, { ...inlineBody({ title: "Without a token" }), _csrf: "not-the-token" }, { ...HX, "x-test-role": "editor" });
    expect(forged.status).toBe(403);
    expect(await book(id)).toEqual(before);
  });

  it("answers malformed bodies with a 4xx, never a 500", async () => {
    const client = await editor();
    const id = await firstBookId();
    const before = await book(id);
    for (const body of [
      inlineBody({ title: "nul \u0000 inside" }),
      inlineBody({ price: "1e400" }),
      inlineBody({ authorId: "abc" }),
      inlineBody({ genres: ["1", "x"] }),
      inlineBody({ bestseller: "maybe" }),
      inlineBody({ title: "x".repeat(600) }),
    ]) {
      const response = await client.post(`/books/${id}/inline`, body, { ...HX, "x-test-role": "editor" });
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(422);
    }
    expect((await client.post(`/books/abc/inline`, inlineBody({ title: "x" }), { ...HX, "x-test-role": "editor" })).status).toBe(404);
    expect(await book(id)).toEqual(before);
  });

  it("without htmx, saves and redirects back to the list with a message", async () => {
    const client = await editor();
    const id = await firstBookId();
    const response = await client.post(`/books/${id}/inline`, inlineBody({ title: "Saved Without Script" }), { "x-test-role": "editor" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books?sort=title");
    const page = await client.get("/books?sort=title", { "x-test-role": "editor" });
    expect(page.text).toContain("Saved book “Saved Without Script”.");
  });
});

// ------------------------------------------------------------------ GET /:id/row

describe("GET /:id/row (Cancel)", () => {
  it("answers the row as it is, with its Quick edit button", async () => {
    const client = await editor();
    const id = await firstBookId();
    const response = await client.get(`/books/${id}/row`, { ...HX, "x-test-role": "editor" });
    expect(response.status).toBe(200);
    expect(response.text.trim()).toMatch(new RegExp(`^<tr data-pc-row="${id}">`));
    expect(response.text).toContain(`data-pc-focus-key="inline-${id}"`);
    // Its cells take their phone-card labels from the table's rules per column, as every row does.
    expect(response.text).not.toContain("data-label");
    expect((await client.get(`/books/99999999/row`, { ...HX, "x-test-role": "editor" })).status).toBe(404);
  });
});
