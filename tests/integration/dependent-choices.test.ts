/**
 * Dependent form fields against the real Postgres: a relation field's choices follow other fields'
 * values (form.dependentChoices) in the create and edit forms, their choices route, inline rows and
 * bulk edit; a value outside the choices is refused on save with a 422 that names the field, and
 * nothing is written.
 */
import { describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, serveBareApp, optionsOf, unescapeHtml } from "../support/bare-app";
import { connect } from "../support/database";
import type { TestClient } from "../support/test-client";

const db = connect();
/** What the hooks were asked, newest last: the values they were given. */
const asked: Array<Record<string, unknown>> = [];

const MODAL = { "HX-Request": "true", "HX-Target": "div#pc-modal-content" };
const BAR = { "HX-Request": "true", "HX-Target": "div#pc-selection-bar", "HX-Current-URL": "http://127.0.0.1/books/" };
/** Genres an out-of-print book may have (ids of the seeded genres). */
const ARCHIVE_GENRES = [1, 2];

const served = serveBareApp(db, async () => {
  await seedCatalogue(db.pool, { books: 30, authors: 6, genres: 5 });
  return bareApp(db, (app, crud) => {
    app.use(
      "/books",
      crud.resource({
        model: "Book",
        list: { fields: ["title", "author", "editor", "genres", "status"] },
        bulkFields: ["author", "editor", "genres", "status"],
        form: {
          dependentChoices: {
            // A foreign key depending on another foreign key, named by its relation.
            editor: {
              on: ["author"],
              where: ({ values }) => {
                asked.push(values);
                return typeof values.authorId === "number" ? { id: { not: values.authorId } } : undefined;
              },
            },
            // A many-to-many relation depending on an enum, with its own message.
            genres: {
              on: ["status"],
              where: ({ values }) => (values.status === "OUT_OF_PRINT" ? { id: { in: ARCHIVE_GENRES } } : {}),
              message: "Out-of-print books are filed under Archive genres only.",
            },
          },
        },
      }),
    );
  });
});

async function book(id: number) {
  const { rows } = await db.pool.query(
    `SELECT id, title, status::text AS status, "authorId", "editorId", "updatedAt", ARRAY(SELECT "B" FROM "_BookToGenre" WHERE "A" = b.id ORDER BY "B") AS genres FROM "Book" b WHERE id = $1`,
    [id],
  );
  return rows[0];
}

async function session(): Promise<TestClient> {
  const client = served.browser.fork();
  expect((await client.get("/books")).status).toBe(200);
  return client;
}

function select(html: string, id: string): { tag: string; options: ReturnType<typeof optionsOf> } {
  const match = new RegExp(`(<select [^>]*id="${id}"[^>]*>)([\\s\\S]*?)</select>`).exec(html);
  expect(match, `select #${id}`).not.toBeNull();
  return { tag: match![1]!, options: optionsOf(match![2]!) };
}

function fieldError(html: string, field: string): string | undefined {
  const match = new RegExp(`id="f-${field}-error">([^<]*)<`).exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

const authorIds = async () => (await db.pool.query<{ id: number }>(`SELECT id FROM "Author" ORDER BY id`)).rows.map((row) => row.id);

function newBook(overrides: Record<string, string | string[]> = {}) {
  return { title: "Dependent Fields", isbn: `97700${String(Date.now()).slice(-8)}`, pages: "100", price: "9.99", status: "PUBLISHED", authorId: "2", editorId: "3", genres: ["3"], bestseller: "false", ...overrides };
}

// ------------------------------------------------------------------ forms

describe("the create and edit forms", () => {
  it("wire the dependent select to reload when a field it depends on changes", async () => {
    const form = await (await session()).get("/books/new", MODAL);
    expect(form.status).toBe(200);
    const editor = select(form.text, "f-editorId");
    expect(editor.tag).toContain(`hx-get="/books/_choices/editorId"`);
    expect(editor.tag).toContain(`hx-trigger="change from:#f-authorId"`);
    expect(editor.tag).toContain(`hx-include="#f-editorId, #f-authorId"`);
    expect(editor.tag).toContain("data-pc-dependent");
    expect(select(form.text, "f-genres").tag).toContain(`hx-trigger="change from:#f-status"`);
    // The parent itself reloads nothing.
    expect(select(form.text, "f-authorId").tag).not.toContain("hx-get");
    // No author chosen yet: every author may edit.
    expect(editor.options.filter((option) => option.value !== "").map((option) => Number(option.value))).toEqual(await authorIds());
  });

  it("list the edit form's choices for the record's values, keeping a stored value that is now outside them", async () => {
    const client = await session();
    const id = (await db.pool.query<{ id: number }>(`SELECT id FROM "Book" ORDER BY id LIMIT 1`)).rows[0]!.id;
    const { authorId } = await book(id);
    const other = (await authorIds()).find((author) => author !== authorId)!;
    await db.pool.query(`UPDATE "Book" SET "editorId" = $2 WHERE id = $1`, [id, other]);
    const form = await client.get(`/books/${id}/edit`, MODAL);
    const editor = select(form.text, "f-editorId");
    expect(editor.options.map((option) => option.value)).not.toContain(String(authorId));
    expect(editor.options.find((option) => option.selected)?.value).toBe(String(other));

    // A record whose editor is its author (made before the rule): shown as it is, refused on save.
    await db.pool.query(`UPDATE "Book" SET "editorId" = "authorId" WHERE id = $1`, [id]);
    const clash = await client.get(`/books/${id}/edit`, MODAL);
    expect(select(clash.text, "f-editorId").options.find((option) => option.selected)?.value).toBe(String(authorId));
  });

  it("refuse a create whose value is outside the choices with 422 and the message at the field, creating nothing", async () => {
    const client = await session();
    const before = (await db.pool.query(`SELECT count(*)::int AS n FROM "Book"`)).rows[0].n;
    const response = await client.post("/books", newBook({ authorId: "4", editorId: "4" }), MODAL);
    expect(response.status).toBe(422);
    expect(fieldError(response.text, "editorId")).toBe("This editor is not available for the chosen author. Choose another.");
    const genres = await client.post("/books", newBook({ status: "OUT_OF_PRINT", genres: ["1", "4"] }), MODAL);
    expect(genres.status).toBe(422);
    expect(fieldError(genres.text, "genres")).toBe("Out-of-print books are filed under Archive genres only.");
    // The re-drawn form offers the choices for what was posted.
    expect(select(genres.text, "f-genres").options.map((option) => Number(option.value))).toEqual(expect.arrayContaining(ARCHIVE_GENRES));
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM "Book"`)).rows[0].n).toBe(before);

    const created = await client.post("/books", newBook({ authorId: "4", editorId: "5", status: "OUT_OF_PRINT", genres: ["1", "2"] }), MODAL);
    expect(created.status).toBe(200);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM "Book"`)).rows[0].n).toBe(before + 1);
  });

  it("refuse an edit that keeps a value outside the choices, writing nothing, and save once it is fixed", async () => {
    const client = await session();
    const id = (await db.pool.query<{ id: number }>(`SELECT id FROM "Book" ORDER BY id LIMIT 1 OFFSET 1`)).rows[0]!.id;
    await db.pool.query(`UPDATE "Book" SET "editorId" = "authorId", status = 'PUBLISHED' WHERE id = $1`, [id]);
    const before = await book(id);
    const form = await client.get(`/books/${id}/edit`, MODAL);
    expect(form.status).toBe(200);
    const body = { ...newBook(), title: before.title, status: before.status, authorId: String(before.authorId), editorId: String(before.authorId), genres: before.genres.map(String) };
    const refused = await client.post(`/books/${id}`, body, MODAL);
    expect(refused.status).toBe(422);
    expect(fieldError(refused.text, "editorId")).toContain("not available for the chosen author");
    expect(await book(id)).toEqual(before);
    const fixed = await client.post(`/books/${id}`, { ...body, editorId: "" }, MODAL);
    expect(fixed.status).toBe(200);
    expect((await book(id)).editorId).toBeNull();
  });
});

// ------------------------------------------------------------------ the choices route

describe("GET /_choices/:field", () => {
  it("lists the choices the parent values in the query leave, dropping a selected record they exclude", async () => {
    const client = await session();
    asked.length = 0;
    const kept = await client.get("/books/_choices/editorId?editorId=3&authorId=2", { "HX-Request": "true" });
    expect(kept.status).toBe(200);
    expect(asked.at(-1)).toEqual({ authorId: 2 });
    const values = optionsOf(kept.text).map((option) => option.value);
    expect(values).not.toContain("2");
    expect(optionsOf(kept.text).find((option) => option.selected)?.value).toBe("3");
    const dropped = await client.get("/books/_choices/editorId?editorId=2&authorId=2", { "HX-Request": "true" });
    expect(optionsOf(dropped.text).map((option) => option.value)).not.toContain("2");
    expect(optionsOf(dropped.text).some((option) => option.selected)).toBe(false);
  });

  it("combines the filter with a search, and an unreadable or empty parent with no filter, never a 500", async () => {
    const client = await session();
    const name = (await db.pool.query(`SELECT name FROM "Author" WHERE id = 2`)).rows[0].name as string;
    const searched = await client.get(`/books/_choices/editorId?q=${encodeURIComponent(name)}&authorId=2`, { "HX-Request": "true" });
    expect(optionsOf(searched.text).map((option) => option.value)).not.toContain("2");
    asked.length = 0;
    for (const query of ["authorId=abc", "authorId=", "authorId=99999999999999999999", "authorId=1&authorId=x", "status=LOST"]) {
      const response = await client.get(`/books/_choices/editorId?${query}`, { "HX-Request": "true" });
      expect(response.status, query).toBe(200);
    }
    // The hook is only given values that parse: an unreadable or empty author is unknown, not text.
    expect(asked.every((values) => values.authorId === undefined || typeof values.authorId === "number")).toBe(true);
    const genres = await client.get("/books/_choices/genres?status=OUT_OF_PRINT&genres=4", { "HX-Request": "true" });
    expect(optionsOf(genres.text).map((option) => Number(option.value))).toEqual(ARCHIVE_GENRES);
  });
});

// ------------------------------------------------------------------ bulk edit

describe("bulk edit", () => {
  async function selected(ids: number[]) {
    const client = await session();
    const bar = await client.post("/books/_selection", { op: "rows", ids: ids.join(","), selected: "1" }, BAR);
    expect(bar.status).toBe(200);
    const form = await client.get("/books/_bulk/edit", MODAL);
    expect(form.status).toBe(200);
    const token = /name="selection" value="([^"]+)"/.exec(form.text)![1]!;
    return { client, form, token };
  }

  it("wires the dependent field in the bulk form and enforces its choices for the parents the edit sets", async () => {
    const ids = (await db.pool.query<{ id: number }>(`SELECT id FROM "Book" ORDER BY id DESC LIMIT 2`)).rows.map((row) => row.id);
    const before = await Promise.all(ids.map(book));
    const { client, form, token } = await selected(ids);
    expect(select(form.text, "f-editorId").tag).toContain(`hx-trigger="change from:#f-authorId"`);

    const clash = await client.post("/books/_bulk/preview", { selection: token, _change: ["authorId", "editorId"], authorId: "3", editorId: "3" }, MODAL);
    expect(clash.status).toBe(422);
    expect(fieldError(clash.text, "editorId")).toContain("not available for the chosen author");
    const applied = await client.post("/books/_bulk/apply", { selection: token, _change: ["authorId", "editorId"], authorId: "3", editorId: "3" }, MODAL);
    expect(applied.status).toBe(422);
    const archive = await client.post("/books/_bulk/apply", { selection: token, _change: ["status", "genres"], status: "OUT_OF_PRINT", genres: ["4"], "genres._mode": "add" }, MODAL);
    expect(archive.status).toBe(422);
    expect(fieldError(archive.text, "genres")).toBe("Out-of-print books are filed under Archive genres only.");
    expect(await Promise.all(ids.map(book))).toEqual(before);

    // Removing links never adds a record outside the choices: allowed.
    const removal = await client.post("/books/_bulk/preview", { selection: token, _change: ["status", "genres"], status: "OUT_OF_PRINT", genres: ["4"], "genres._mode": "remove" }, MODAL);
    expect(removal.status).toBe(200);
    // An edit that leaves the author alone does not know each record's author: the choice is not narrowed.
    const editorOnly = await client.post("/books/_bulk/preview", { selection: token, _change: ["editorId"], editorId: "3" }, MODAL);
    expect(editorOnly.status).toBe(200);
    const saved = await client.post("/books/_bulk/apply", { selection: token, _change: ["authorId", "editorId"], authorId: "3", editorId: "4" }, MODAL);
    expect(saved.status).toBe(200);
    expect((await Promise.all(ids.map(book))).map((row) => [row.authorId, row.editorId])).toEqual([[3, 4], [3, 4]]);
  });
});
