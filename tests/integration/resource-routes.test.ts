/**
 * Every route of a mounted resource, in a bare Express app (no demo code), against the real Postgres:
 * list, detail, create, update, delete, relation choices, CSRF, and their error paths.
 */
import express from "express";
import { describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, serveBareApp, optionsOf, rowIds, unescapeHtml } from "../support/bare-app";
import { textOf } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();

const served = serveBareApp(db, async () => {
  await seedCatalogue(db.pool, { books: 60, authors: 8, genres: 5 });
  return bareApp(db, (app, crud) => {
    app.use(
      "/books",
      crud.resource({
        model: "Book",
        labels: { isbn: "ISBN" },
        list: { fields: ["title", "author", "editor", "genres", "status", "price", "pages", "publishedDate", "bestseller"] },
      }),
    );
    app.use("/authors", crud.resource({ model: "Author", list: { fields: ["name", "birthDate", "active"] } }));
    app.use("/genres", crud.resource({ model: "Genre", list: { fields: ["name", "description"] } }));
    // No options at all: every default.
    app.use("/plain-books", crud.resource({ model: "Book" }));
    app.use("/plain-authors", crud.resource({ model: "Author" }));
    // Mounted deeper, inside a router of the host's own.
    const admin = express.Router();
    admin.use("/catalogue/books", crud.resource({ model: "Book", list: { fields: ["title"] } }));
    app.use("/admin", admin);
  });
});

// ------------------------------------------------------------------ helpers

let isbnCounter = 0;
/** A fresh ISBN that no seeded book has (those start with 978). */
const freshIsbn = () => `979${String(Date.now() % 1e6).padStart(6, "0")}${String(++isbnCounter).padStart(4, "0")}`;

async function ids(sql: string, params: unknown[] = []): Promise<number[]> {
  return (await db.pool.query<{ id: number }>(sql, params)).rows.map((row) => row.id);
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);
}

async function bookRow(id: number) {
  const { rows } = await db.pool.query(
    `SELECT id, title, isbn, pages, price::text AS price, to_char("publishedDate", 'YYYY-MM-DD') AS "publishedDate", bestseller,
            status::text AS status, "authorId", "editorId", description,
            ARRAY(SELECT "B" FROM "_BookToGenre" WHERE "A" = b.id ORDER BY "B") AS genres
     FROM "Book" b WHERE id = $1`,
    [id],
  );
  return rows[0] as
    | { id: number; title: string; isbn: string; pages: number; price: string; publishedDate: string | null; bestseller: boolean; status: string; authorId: number; editorId: number | null; description: string | null; genres: number[] }
    | undefined;
}

/** Inserts a book straight into the database and returns its id. */
async function insertBook(values: { title?: string; authorId?: number; editorId?: number | null; genres?: number[]; bestseller?: boolean } = {}): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO "Book" (title, isbn, pages, price, "authorId", "editorId", bestseller, "updatedAt")
     VALUES ($1, $2, 321, 12.50, $3, $4, $5, now()) RETURNING id`,
    [values.title ?? "Inserted for a test", freshIsbn(), values.authorId ?? 1, values.editorId ?? null, values.bestseller ?? false],
  );
  const id = rows[0]!.id;
  for (const genre of values.genres ?? []) await db.pool.query(`INSERT INTO "_BookToGenre" ("A", "B") VALUES ($1, $2)`, [id, genre]);
  return id;
}

async function insertAuthor(name: string): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO "Author" (name) VALUES ($1) RETURNING id`, [name]);
  return rows[0]!.id;
}

function validBook(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: "A Book Written by a Test",
    isbn: freshIsbn(),
    pages: "245",
    price: "19.99",
    publishedDate: "2021-06-15",
    bestseller: ["false", "on"],
    status: "PUBLISHED",
    authorId: "2",
    editorId: "3",
    genres: ["1", "4"],
    description: "Written by the resource route tests.",
    ...overrides,
  };
}

/** A new browser that has loaded a page, so it holds a session and its CSRF token. */
async function session(path = "/books/new"): Promise<TestClient> {
  const client = served.browser.fork();
  const page = await client.get(path);
  expect(page.status).toBe(200);
  expect(client.csrfToken).not.toBe("");
  return client;
}

function fieldError(html: string, field: string): string | undefined {
  const match = new RegExp(`id="f-${field}-error">([^<]*)<`).exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

function inputValue(html: string, field: string): string | undefined {
  const match = new RegExp(`<input [^>]*value="([^"]*)"[^>]*id="f-${field}"`).exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

function selectedOptions(html: string, field: string): string[] {
  const select = new RegExp(`<select [^>]*id="f-${field}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!select) throw new Error(`no select for ${field}`);
  return optionsOf(select[1]!).filter((option) => option.selected).map((option) => option.value);
}

function hxTrigger(headers: Headers): Record<string, { message: string; id?: string }> {
  const header = headers.get("hx-trigger");
  expect(header, "HX-Trigger header").toBeTruthy();
  return JSON.parse(header!);
}

const PAGE = 25;

// ------------------------------------------------------------------ list

describe("GET / (list)", () => {
  it("answers 200 with the first page of rows, newest first, and the range", async () => {
    const response = await served.browser.get("/books");
    expect(response.status).toBe(200);
    expect(response.text).toContain("<html");
    expect(response.text).toContain("<h1 class=\"text-2xl font-bold\" id=\"pc-list-title\">Books</h1>");
    const total = await count(`SELECT count(*) AS n FROM "Book"`);
    expect(rowIds(response.text)).toEqual(await ids(`SELECT id FROM "Book" ORDER BY id DESC LIMIT ${PAGE}`));
    expect(textOf(response.text)).toContain(`Showing 1–${PAGE} of ${total}`);
    // Relation columns show the related record's name, not its id.
    const first = (await bookRow(rowIds(response.text)[0]!))!;
    const author = (await db.pool.query(`SELECT name FROM "Author" WHERE id = $1`, [first.authorId])).rows[0].name;
    const row = new RegExp(`<tr data-pc-row="${first.id}">([\\s\\S]*?)</tr>`).exec(response.text)![1]!;
    expect(textOf(row)).toContain(author);
    expect(row).toMatch(new RegExp(`href="/books/${first.id}[?"]`));
  });

  it("answers /books/ (trailing slash) the same way", async () => {
    const response = await served.browser.get("/books/");
    expect(response.status).toBe(200);
    expect(rowIds(response.text)).toHaveLength(PAGE);
  });

  it.each([
    ["title", `SELECT id FROM "Book" ORDER BY title ASC, id ASC`],
    ["-title", `SELECT id FROM "Book" ORDER BY title DESC, id DESC`],
    ["-price", `SELECT id FROM "Book" ORDER BY price DESC, id DESC`],
    ["pages", `SELECT id FROM "Book" ORDER BY pages ASC, id ASC`],
    ["status,-pages", `SELECT id FROM "Book" ORDER BY status ASC, pages DESC, id DESC`],
    // Postgres' default NULL placement (last ascending, first descending), which indexes serve.
    ["publishedDate", `SELECT id FROM "Book" ORDER BY "publishedDate" ASC, id ASC`],
    ["-publishedDate", `SELECT id FROM "Book" ORDER BY "publishedDate" DESC, id DESC`],
    // Relation columns sort by the related record's display field.
    ["author", `SELECT b.id FROM "Book" b JOIN "Author" a ON a.id = b."authorId" ORDER BY a.name ASC, b.id ASC`],
    ["-author", `SELECT b.id FROM "Book" b JOIN "Author" a ON a.id = b."authorId" ORDER BY a.name DESC, b.id DESC`],
    ["editor", `SELECT b.id FROM "Book" b LEFT JOIN "Author" a ON a.id = b."editorId" ORDER BY a.name ASC, a.id ASC, b.id ASC`],
    ["-author,title", `SELECT b.id FROM "Book" b JOIN "Author" a ON a.id = b."authorId" ORDER BY a.name DESC, b.title ASC, b.id ASC`],
  ])("sorts by %s in the order Postgres gives", async (sort, sql) => {
    const response = await served.browser.get(`/books?sort=${encodeURIComponent(sort)}`);
    expect(response.status).toBe(200);
    expect(rowIds(response.text)).toEqual(await ids(`${sql} LIMIT ${PAGE}`));
    const second = await served.browser.get(`/books?sort=${encodeURIComponent(sort)}&size=10&page=2`);
    expect(rowIds(second.text)).toEqual(await ids(`${sql} LIMIT 10 OFFSET 10`));
  });

  // A nullable relation first in the order is read in two parts (books with an editor, then those
  // without): every page, across the boundary between them, is the one LEFT JOIN order.
  it.each([
    ["editor", `ORDER BY a.name ASC, a.id ASC, b.id ASC`],
    ["-editor", `ORDER BY a.name DESC, a.id DESC, b.id DESC`],
    ["editor,-price", `ORDER BY a.name ASC, a.id ASC, b.price DESC, b.id DESC`],
    ["-editor,title", `ORDER BY a.name DESC, a.id DESC, b.title ASC, b.id ASC`],
  ])("sorts by %s page after page as one LEFT JOIN would", async (sort, order) => {
    const expected = await ids(`SELECT b.id FROM "Book" b LEFT JOIN "Author" a ON a.id = b."editorId" ${order}`);
    expect(expected.length).toBeGreaterThan(10);
    const shown: number[] = [];
    for (let page = 1; page <= Math.ceil(expected.length / 10); page++) {
      shown.push(...rowIds((await served.browser.get(`/books?sort=${encodeURIComponent(sort)}&size=10&page=${page}`)).text));
    }
    expect(shown).toEqual(expected);
  });

  it("marks the sorted column and links its header to the next sort in the cycle", async () => {
    const ascending = await served.browser.get("/books?sort=author");
    expect(ascending.text).toMatch(/<th scope="col" aria-sort="ascending"[^>]*>\s*<a href="\/books\/\?sort=-author"/);
    const descending = await served.browser.get("/books?sort=-author");
    expect(descending.text).toMatch(/<th scope="col" aria-sort="descending"[^>]*>\s*<a href="\/books\/"/);
    // Many-to-many columns cannot be sorted: no link.
    expect(ascending.text).toMatch(/<th scope="col" aria-sort="none">\s*Genres\s*<\/th>/);
  });

  it.each([
    "sort=unknown",
    "sort=genres",
    "sort=title;DROP TABLE \"Book\";--",
    "sort=' OR 1=1 --",
    "sort=-",
    "sort=,,,",
    "sort=title&sort=-pages",
    "page=abc",
    "page=-1",
    "page=1.5",
    "page=0",
    "page=1' OR '1'='1",
    "size=-3",
    "size=7",
    "size=abc",
    "size=100000",
    "size=10;DELETE FROM \"Book\"",
    "page[]=2&size[]=10",
    "sort=%00",
    "page=1e400",
  ])("answers ?%s with a page, never a 500", async (query) => {
    const before = await count(`SELECT count(*) AS n FROM "Book"`);
    const response = await served.browser.get(`/books?${query.replace(/[ ";']/g, encodeURIComponent)}`);
    expect(response.status).toBe(200);
    expect(rowIds(response.text).length).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM "Book"`)).toBe(before);
  });

  it("falls back to the default page size for a size that is not offered", async () => {
    for (const size of ["-3", "7", "abc", "100000"]) {
      expect(rowIds((await served.browser.get(`/books?size=${size}`)).text), size).toHaveLength(PAGE);
    }
    expect(rowIds((await served.browser.get(`/books?size=10`)).text)).toHaveLength(10);
  });

  it("clamps a page past the end to the last page", async () => {
    const total = await count(`SELECT count(*) AS n FROM "Book"`);
    const lastPage = Math.ceil(total / 10);
    const response = await served.browser.get("/books?page=99999999&size=10&sort=title");
    expect(response.status).toBe(200);
    expect(rowIds(response.text)).toEqual(await ids(`SELECT id FROM "Book" ORDER BY title, id LIMIT 10 OFFSET ${(lastPage - 1) * 10}`));
    expect(response.text).toMatch(new RegExp(`aria-current="page">${lastPage}<`));
    expect(textOf(response.text)).toContain(`of ${total}`);
  });

  it("answers an htmx request that targets the table with the table partial only", async () => {
    const response = await served.browser.get("/books?sort=title&page=2", { "HX-Request": "true", "HX-Target": "section#pc-table" });
    expect(response.status).toBe(200);
    expect(response.text).not.toContain("<html");
    expect(response.text).not.toContain("<dialog");
    expect(response.text.trimStart().startsWith('<section id="pc-table"')).toBe(true);
    expect(rowIds(response.text)).toEqual(await ids(`SELECT id FROM "Book" ORDER BY title, id LIMIT ${PAGE} OFFSET ${PAGE}`));
    expect(response.text).toContain('data-pc-current-url="/books/?sort=title&amp;page=2"');
  });

  it("answers an htmx history restore with the full page", async () => {
    const response = await served.browser.get("/books?sort=title", {
      "HX-Request": "true",
      "HX-Target": "section#pc-table",
      "HX-History-Restore-Request": "true",
    });
    expect(response.status).toBe(200);
    expect(response.text).toContain("<html");
    expect(response.text).toContain('<section id="pc-table"');
    expect(response.text).toContain('<dialog id="pc-modal"');
  });

  it("escapes record values in the HTML", async () => {
    const id = await insertBook({ title: `<script>alert("x")</script> & co` });
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co";
    const list = await served.browser.get("/books");
    expect(rowIds(list.text)).toContain(id);
    expect(list.text).not.toContain("<script>alert");
    expect(list.text).toContain(escaped);
    const page = await served.browser.get(`/books/${id}`);
    expect(page.text).not.toContain("<script>alert");
    expect(page.text).toContain(escaped);
    await db.pool.query(`DELETE FROM "Book" WHERE id = $1`, [id]);
  });
});

// ------------------------------------------------------------------ detail

describe("GET /:id (detail)", () => {
  it("answers 200 with every field of the record", async () => {
    const id = await insertBook({ title: "Detail Page Book", authorId: 2, editorId: 3, genres: [1, 2] });
    const [author, editor] = (await db.pool.query(`SELECT name FROM "Author" WHERE id IN (2, 3) ORDER BY id`)).rows.map((r) => r.name);
    const genres = (await db.pool.query(`SELECT name FROM "Genre" WHERE id IN (1, 2) ORDER BY id`)).rows.map((r) => r.name);
    const response = await served.browser.get(`/books/${id}`);
    expect(response.status).toBe(200);
    expect(response.text).toContain("<html");
    const text = textOf(response.text);
    expect(text).toContain("Detail Page Book");
    expect(text).toContain(`ISBN`);
    expect(text).toContain(author);
    expect(text).toContain(editor);
    for (const genre of genres) expect(text).toContain(genre);
    expect(response.text).toContain(`href="/books/${id}/edit"`);
    expect(response.text).toContain(`href="/books/${id}/delete"`);
  });

  it("answers an htmx request for the modal with the bare partial", async () => {
    const [id] = await ids(`SELECT id FROM "Book" ORDER BY id LIMIT 1`);
    const response = await served.browser.get(`/books/${id}`, { "HX-Request": "true", "HX-Target": "div#pc-modal-content" });
    expect(response.status).toBe(200);
    expect(response.text).not.toContain("<html");
    expect(response.text.trimStart().startsWith('<h2 id="pc-modal-title"')).toBe(true);
    expect(response.text).toContain(`hx-get="/books/${id}/edit"`);
  });

  it.each(["abc", "-1", "1.5", "0", "99999999999999999999", "2147483648", "%00", "1%20", "1e3", "0x10", "%F0%9F%98%80"])(
    "answers the malformed id %s with a 404 page",
    async (raw) => {
      const response = await served.browser.get(`/books/${raw}`);
      expect(response.status).toBe(404);
      expect(response.text).toContain("Not found");
      expect(response.text).toContain("There is no book with id");
      expect(response.text).not.toMatch(/at .*\.ts:\d+/);
    },
  );

  it("answers a URL whose percent-encoding is broken with a 4xx, not a 500", async () => {
    const response = await served.browser.get("/books/%E0%A4%A");
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it("answers a record that does not exist with a 404 page", async () => {
    const response = await served.browser.get("/books/2147483647");
    expect(response.status).toBe(404);
    expect(response.text).toContain("There is no book with id 2147483647. It may have been deleted.");
  });

  it("answers an htmx request for a missing record with a 404 fragment", async () => {
    const response = await served.browser.get("/books/2147483647", { "HX-Request": "true", "HX-Target": "div#pc-modal-content" });
    expect(response.status).toBe(404);
    expect(response.text).not.toContain("<html");
    expect(response.text).toContain('data-status="404"');
  });
});

// ------------------------------------------------------------------ create

describe("GET /new and POST / (create)", () => {
  it("shows an empty form with the schema's defaults", async () => {
    const response = await served.browser.get("/books/new");
    expect(response.status).toBe(200);
    expect(response.text).toContain('<form method="post" action="/books"');
    expect(response.text).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(selectedOptions(response.text, "status")).toEqual(["DRAFT"]);
    // Every author is offered by name.
    const authors = await db.pool.query(`SELECT id::text AS value, name AS label FROM "Author" ORDER BY name, id`);
    const select = /<select [^>]*id="f-authorId"[^>]*>([\s\S]*?)<\/select>/.exec(response.text)![1]!;
    expect(optionsOf(select).slice(1).map(({ value, label }) => ({ value, label: unescapeHtml(label) }))).toEqual(authors.rows);
  });

  it("creates the record and redirects (303) to the list it came from, with a flash message", async () => {
    const client = await session();
    const form = validBook({ title: "Created Through The Form", _return: "/books?sort=title&page=2" });
    const response = await client.post("/books", form);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books?sort=title&page=2");
    const [id] = await ids(`SELECT id FROM "Book" WHERE isbn = $1`, [form.isbn]);
    expect(await bookRow(id!)).toMatchObject({
      title: "Created Through The Form",
      pages: 245,
      price: "19.99",
      publishedDate: "2021-06-15",
      bestseller: true,
      status: "PUBLISHED",
      authorId: 2,
      editorId: 3,
      genres: [1, 4],
      description: "Written by the resource route tests.",
    });
    const list = await client.get("/books?sort=title&page=2");
    expect(textOf(list.text)).toContain("Created book “Created Through The Form”.");
    // The flash is shown once.
    expect(textOf((await client.get("/books")).text)).not.toContain("Created book");
  });

  it("stores empty optional fields as NULL and omitted defaults as the schema default", async () => {
    const client = await session();
    const isbn = freshIsbn();
    const response = await client.post("/books", { title: "Minimal", isbn, pages: "1", price: "0", authorId: "1", editorId: "", publishedDate: "", description: "  " });
    expect(response.status).toBe(303);
    const [id] = await ids(`SELECT id FROM "Book" WHERE isbn = $1`, [isbn]);
    expect(await bookRow(id!)).toMatchObject({ title: "Minimal", editorId: null, publishedDate: null, description: null, bestseller: false, status: "DRAFT", genres: [] });
  });

  it("answers an htmx submit with 200 and an HX-Trigger pc:saved event instead of a redirect", async () => {
    const client = await session();
    const form = validBook({ title: "Créé via htmx — ✓" });
    const response = await client.post("/books", form, { "HX-Request": "true", "HX-Target": "div#pc-modal-content", "HX-Current-URL": "http://localhost/books?sort=title" });
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();
    const [id] = await ids(`SELECT id FROM "Book" WHERE isbn = $1`, [form.isbn]);
    expect(id).toBeDefined();
    const trigger = hxTrigger(response.headers);
    expect(trigger["pc:saved"]).toEqual({ message: "Created book “Créé via htmx — ✓”.", id: String(id) });
    expect(response.headers.get("hx-reswap")).toBe("none");
    expect((await bookRow(id!))!.title).toBe("Créé via htmx — ✓");
  });

  it.each([
    ["empty title", { title: "" }, "title", "This field is required."],
    ["blank title", { title: "   " }, "title", "This field is required."],
    ["pages that are not a number", { pages: "abc" }, "pages", "Enter a whole number."],
    ["pages out of the Int range", { pages: "2147483648" }, "pages", "Enter a number between -2147483648 and 2147483647."],
    ["a price with three decimals", { price: "1.234" }, "price", "Enter a number with at most 2 decimal places."],
    ["a price too large for Decimal(10,2)", { price: "123456789" }, "price", "Enter a number no larger than 99999999.99."],
    ["a date that does not exist", { publishedDate: "2023-02-30" }, "publishedDate", "Enter a real date as YYYY-MM-DD."],
    ["a date in another format", { publishedDate: "15/06/2021" }, "publishedDate", "Enter a real date as YYYY-MM-DD."],
    ["an unknown status", { status: "BOGUS" }, "status", "Choose one of: Draft, Published, Out of print."],
    ["a non-numeric author", { authorId: "abc" }, "authorId", "Choose a valid option."],
    ["no author", { authorId: "" }, "authorId", "This field is required."],
    ["a non-numeric genre", { genres: ["1", "x"] }, "genres", "Choose a valid option."],
    ["a NUL character", { title: "bad\u0000title" }, "title", "Remove the invalid character (NUL)."],
  ])("refuses %s with 422, the field message, and writes nothing", async (_case, change, field, message) => {
    const client = await session();
    const before = await count(`SELECT count(*) AS n FROM "Book"`);
    const form = validBook(change);
    const response = await client.post("/books", form);
    expect(response.status).toBe(422);
    expect(fieldError(response.text, field)).toBe(message);
    expect(response.text).toContain("Some values need attention.");
    expect(response.text).toMatch(new RegExp(`id="f-${field}"[^>]*aria-invalid="true"`));
    // What the user typed is kept.
    expect(inputValue(response.text, "isbn")).toBe(form.isbn);
    expect(await count(`SELECT count(*) AS n FROM "Book"`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM "Book" WHERE isbn = $1`, [form.isbn])).toBe(0);
  });

  it("refuses an author that does not exist with 422 on the author field, and writes nothing", async () => {
    const client = await session();
    const before = await count(`SELECT count(*) AS n FROM "Book"`);
    const response = await client.post("/books", validBook({ authorId: "999999" }));
    expect(response.status).toBe(422);
    expect(fieldError(response.text, "authorId")).toBe("The chosen author no longer exists. Choose another.");
    expect(await count(`SELECT count(*) AS n FROM "Book"`)).toBe(before);
  });

  it("refuses a genre that does not exist with 422, and writes nothing", async () => {
    const client = await session();
    const before = await count(`SELECT count(*) AS n FROM "Book"`);
    const response = await client.post("/books", validBook({ genres: ["1", "999999"] }));
    expect(response.status).toBe(422);
    expect(fieldError(response.text, "genres")).toBe("The chosen genre no longer exists. Choose another.");
    expect(await count(`SELECT count(*) AS n FROM "Book"`)).toBe(before);
  });

  it("refuses a duplicate ISBN with 422 on the ISBN field, and writes nothing", async () => {
    const client = await session();
    const existing = (await db.pool.query(`SELECT isbn FROM "Book" ORDER BY id LIMIT 1`)).rows[0].isbn as string;
    const before = await count(`SELECT count(*) AS n FROM "Book"`);
    const response = await client.post("/books", validBook({ isbn: existing, title: "Duplicate ISBN" }));
    expect(response.status).toBe(422);
    expect(fieldError(response.text, "isbn")).toBe("Another book already has this ISBN.");
    expect(inputValue(response.text, "title")).toBe("Duplicate ISBN");
    // The other choices are kept too.
    expect(selectedOptions(response.text, "genres").sort()).toEqual(["1", "4"]);
    expect(selectedOptions(response.text, "authorId")).toEqual(["2"]);
    expect(response.text).toMatch(/id="f-bestseller" name="bestseller" value="on"\s+checked/);
    expect(await count(`SELECT count(*) AS n FROM "Book"`)).toBe(before);
  });

  it("answers an invalid htmx submit with the 422 form fragment", async () => {
    const client = await session();
    const response = await client.post("/books", validBook({ pages: "abc" }), { "HX-Request": "true", "HX-Target": "div#pc-modal-content" });
    expect(response.status).toBe(422);
    expect(response.text).not.toContain("<html");
    expect(response.text).toContain('hx-post="/books"');
    expect(fieldError(response.text, "pages")).toBe("Enter a whole number.");
    expect(response.headers.get("hx-trigger")).toBeNull();
  });

  it.each(["//evil.com", "https://evil.com", "http://evil.com/books", "/books//evil.com", "/books/\\evil.com", "javascript:alert(1)", "/elsewhere", "/booksevil"])(
    "ignores the forged _return %s and goes back to the list",
    async (forged) => {
      const client = await session();
      const response = await client.post("/books", validBook({ _return: forged }));
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/books/");
    },
  );

  it("does not leave the resource through a dot-segment _return", async () => {
    // "/books/../admin" starts with "/books/" but a browser resolves it to "/admin".
    const client = await session();
    const response = await client.post("/books", validBook({ _return: "/books/../admin" }));
    expect(response.status).toBe(303);
    expect(new URL(response.headers.get("location")!, "http://host").pathname.startsWith("/books")).toBe(true);
  });

  it("returns to the list URL the form was opened from (HX-Current-URL)", async () => {
    const client = served.browser.fork();
    const form = await client.get("/books/new", { "HX-Request": "true", "HX-Target": "div#pc-modal-content", "HX-Current-URL": "http://127.0.0.1/books?sort=-price&page=2" });
    expect(form.status).toBe(200);
    expect(form.text).not.toContain("<html");
    expect(form.text).toContain('<input type="hidden" name="_return" value="/books?sort=-price&amp;page=2">');
  });
});

// ------------------------------------------------------------------ update

describe("GET /:id/edit and POST /:id (update)", () => {
  it("shows the record's values in the edit form", async () => {
    const id = await insertBook({ title: "Edit Form Book", authorId: 4, editorId: 5, genres: [2, 3] });
    const response = await served.browser.get(`/books/${id}/edit`);
    expect(response.status).toBe(200);
    expect(response.text).toContain(`action="/books/${id}"`);
    expect(inputValue(response.text, "title")).toBe("Edit Form Book");
    expect(inputValue(response.text, "price")).toBe("12.5");
    expect(selectedOptions(response.text, "authorId")).toEqual(["4"]);
    expect(selectedOptions(response.text, "editorId")).toEqual(["5"]);
    expect(selectedOptions(response.text, "genres").sort()).toEqual(["2", "3"]);
  });

  it("saves the changes, sets the many-to-many genres and clears a nullable relation", async () => {
    const id = await insertBook({ title: "Before The Edit", authorId: 1, editorId: 2, genres: [1, 2] });
    const client = await session(`/books/${id}/edit`);
    const isbn = freshIsbn();
    const response = await client.post(`/books/${id}`, {
      title: "After The Edit",
      isbn,
      pages: "500",
      price: "7.5",
      publishedDate: "2000-02-29",
      bestseller: "false",
      status: "OUT_OF_PRINT",
      authorId: "3",
      editorId: "",
      genres: ["3", "5"],
      description: "",
      _return: "/books?sort=title",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books?sort=title");
    expect(await bookRow(id)).toMatchObject({
      title: "After The Edit", isbn, pages: 500, price: "7.50", publishedDate: "2000-02-29", bestseller: false,
      status: "OUT_OF_PRINT", authorId: 3, editorId: null, genres: [3, 5], description: null,
    });
    expect(textOf((await client.get("/books?sort=title")).text)).toContain("Saved book “After The Edit”.");
  });

  it("clears every genre when none is chosen", async () => {
    const id = await insertBook({ genres: [1, 2, 3] });
    const client = await session(`/books/${id}/edit`);
    const row = (await bookRow(id))!;
    const response = await client.post(`/books/${id}`, { title: row.title, isbn: row.isbn, pages: "1", price: "1", authorId: "1", genres: "" });
    expect(response.status).toBe(303);
    expect((await bookRow(id))!.genres).toEqual([]);
  });

  it("answers an htmx save with 200 and an HX-Trigger pc:saved event", async () => {
    const id = await insertBook({ title: "Htmx Edit" });
    const client = await session(`/books/${id}/edit`);
    const row = (await bookRow(id))!;
    const response = await client.post(`/books/${id}`, validBook({ title: "Htmx Edited", isbn: row.isbn }), { "HX-Request": "true", "HX-Target": "div#pc-modal-content" });
    expect(response.status).toBe(200);
    expect(hxTrigger(response.headers)["pc:saved"]).toEqual({ message: "Saved book “Htmx Edited”.", id: String(id) });
    expect((await bookRow(id))!.title).toBe("Htmx Edited");
  });

  it.each([
    ["empty title", { title: "" }, "title", "This field is required."],
    ["pages that are not a number", { pages: "abc" }, "pages", "Enter a whole number."],
    ["a price with three decimals", { price: "1.234" }, "price", "Enter a number with at most 2 decimal places."],
    ["a date that does not exist", { publishedDate: "2023-02-30" }, "publishedDate", "Enter a real date as YYYY-MM-DD."],
    ["an unknown status", { status: "BOGUS" }, "status", "Choose one of: Draft, Published, Out of print."],
  ])("refuses %s with 422 and changes nothing", async (_case, change, field, message) => {
    const id = await insertBook({ title: "Unchanged By Errors", authorId: 1, editorId: 2, genres: [1] });
    const before = await bookRow(id);
    const client = await session(`/books/${id}/edit`);
    const response = await client.post(`/books/${id}`, validBook({ isbn: before!.isbn, ...change }));
    expect(response.status).toBe(422);
    expect(fieldError(response.text, field)).toBe(message);
    expect(response.text).toContain(`action="/books/${id}"`);
    expect(await bookRow(id)).toEqual(before);
  });

  it("refuses an ISBN another book has with 422 and changes nothing", async () => {
    const id = await insertBook({ title: "Would Take An ISBN" });
    const before = await bookRow(id);
    const taken = (await db.pool.query(`SELECT isbn FROM "Book" WHERE id <> $1 ORDER BY id LIMIT 1`, [id])).rows[0].isbn as string;
    const client = await session(`/books/${id}/edit`);
    const response = await client.post(`/books/${id}`, validBook({ isbn: taken }));
    expect(response.status).toBe(422);
    expect(fieldError(response.text, "isbn")).toBe("Another book already has this ISBN.");
    expect(await bookRow(id)).toEqual(before);
  });

  it("refuses an author that does not exist with 422 on the author field and changes nothing", async () => {
    const id = await insertBook({ title: "Keeps Its Author", authorId: 2 });
    const before = await bookRow(id);
    const client = await session(`/books/${id}/edit`);
    const response = await client.post(`/books/${id}`, validBook({ isbn: before!.isbn, authorId: "999999" }));
    expect(response.status).toBe(422);
    expect(fieldError(response.text, "authorId")).toBe("The chosen author no longer exists. Choose another.");
    expect(await bookRow(id)).toEqual(before);
  });

  it("refuses a genre that does not exist with 422 on the genres field and changes nothing", async () => {
    const id = await insertBook({ title: "Keeps Its Genres", genres: [1, 2] });
    const before = await bookRow(id);
    const client = await session(`/books/${id}/edit`);
    const response = await client.post(`/books/${id}`, validBook({ isbn: before!.isbn, genres: ["3", "999999"] }));
    expect(response.status).toBe(422);
    expect(fieldError(response.text, "genres")).toBe("The chosen genre no longer exists. Choose another.");
    expect(await bookRow(id)).toEqual(before);
  });

  it("answers 404 for editing a record that does not exist, and for a malformed id", async () => {
    const client = await session();
    for (const path of ["/books/2147483647", "/books/abc", "/books/-1"]) {
      expect((await client.get(`${path}/edit`)).status, `GET ${path}/edit`).toBe(404);
      const before = await count(`SELECT count(*) AS n FROM "Book"`);
      const response = await client.post(path, validBook());
      expect(response.status, `POST ${path}`).toBe(404);
      expect(await count(`SELECT count(*) AS n FROM "Book"`)).toBe(before);
    }
  });
});

// ------------------------------------------------------------------ delete

describe("GET and POST /:id/delete", () => {
  it("asks for confirmation on a page of its own", async () => {
    const id = await insertBook({ title: "To Be Confirmed" });
    const response = await served.browser.get(`/books/${id}/delete`);
    expect(response.status).toBe(200);
    expect(response.text).toContain("<html");
    expect(response.text).toContain(`<form method="post" action="/books/${id}/delete"`);
    expect(response.text).toContain("“<strong>To Be Confirmed</strong>” will be deleted. This cannot be undone.");
    expect(await bookRow(id)).toBeDefined();
  });

  it("deletes on POST, redirects to the list with a flash, and a second POST is a 404", async () => {
    const id = await insertBook({ title: "Short Lived", genres: [1, 2] });
    const client = await session(`/books/${id}/delete`);
    const response = await client.post(`/books/${id}/delete`, { _return: "/books?page=2" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/books?page=2");
    expect(await bookRow(id)).toBeUndefined();
    expect(await count(`SELECT count(*) AS n FROM "_BookToGenre" WHERE "A" = $1`, [id])).toBe(0);
    expect(textOf((await client.get("/books?page=2")).text)).toContain("Deleted book “Short Lived”.");
    expect((await client.get(`/books/${id}/delete`)).status).toBe(404);
    const again = await client.post(`/books/${id}/delete`);
    expect(again.status).toBe(404);
  });

  it("answers an htmx delete with 200 and an HX-Trigger pc:saved event", async () => {
    const id = await insertBook({ title: "Deleted By Htmx" });
    const client = await session(`/books/${id}/delete`);
    const response = await client.post(`/books/${id}/delete`, {}, { "HX-Request": "true", "HX-Target": "div#pc-modal-content" });
    expect(response.status).toBe(200);
    expect(hxTrigger(response.headers)["pc:saved"]).toEqual({ message: "Deleted book “Deleted By Htmx”." });
    expect(await bookRow(id)).toBeUndefined();
  });

  it("refuses to delete an author who still has books with a 409 that explains, and deletes nothing", async () => {
    const author = await insertAuthor("Prolific Test Author");
    await insertBook({ authorId: author });
    await insertBook({ authorId: author });
    const confirm = await served.browser.get(`/authors/${author}/delete`);
    expect(confirm.status).toBe(200);
    expect(textOf(confirm.text)).toContain("Prolific Test Author can't be deleted: it is still the author of 2 books. Reassign or delete those books first.");
    expect(confirm.text).not.toContain(`action="/authors/${author}/delete"`);

    const client = await session(`/authors/${author}/delete`);
    const response = await client.post(`/authors/${author}/delete`);
    expect(response.status).toBe(409);
    expect(textOf(response.text)).toContain("Can't delete");
    expect(textOf(response.text)).toContain("Prolific Test Author can't be deleted: it is still the author of 2 books. Reassign or delete those books first.");
    expect(await count(`SELECT count(*) AS n FROM "Author" WHERE id = $1`, [author])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM "Book" WHERE "authorId" = $1`, [author])).toBe(2);
  });

  it("answers a blocked htmx delete with a 409 fragment that explains", async () => {
    const author = await insertAuthor("Busy Htmx Author");
    await insertBook({ authorId: author });
    const client = await session(`/authors/${author}/delete`);
    const response = await client.post(`/authors/${author}/delete`, {}, { "HX-Request": "true", "HX-Target": "div#pc-modal-content" });
    expect(response.status).toBe(409);
    expect(response.text).not.toContain("<html");
    expect(response.text).toContain('data-status="409"');
    expect(textOf(response.text)).toContain("Busy Htmx Author can't be deleted: it is still the author of 1 book. Reassign or delete those books first.");
    expect(response.headers.get("hx-trigger")).toBeNull();
    expect(await count(`SELECT count(*) AS n FROM "Author" WHERE id = $1`, [author])).toBe(1);
  });

  it("deletes an author who only edits books, leaving the books without an editor", async () => {
    const author = await insertAuthor("Editor Only");
    const book = await insertBook({ authorId: 1, editorId: author });
    const client = await session(`/authors/${author}/delete`);
    const response = await client.post(`/authors/${author}/delete`);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/authors/");
    expect(await count(`SELECT count(*) AS n FROM "Author" WHERE id = $1`, [author])).toBe(0);
    expect((await bookRow(book))!.editorId).toBeNull();
  });

  it("deletes a genre and its links to books, but not the books", async () => {
    const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO "Genre" (name) VALUES ('Doomed Genre') RETURNING id`);
    const genre = rows[0]!.id;
    const first = await insertBook({ genres: [1, genre] });
    const second = await insertBook({ genres: [genre] });
    const client = await session(`/genres/${genre}/delete`);
    const response = await client.post(`/genres/${genre}/delete`);
    expect(response.status).toBe(303);
    expect(await count(`SELECT count(*) AS n FROM "Genre" WHERE id = $1`, [genre])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM "_BookToGenre" WHERE "B" = $1`, [genre])).toBe(0);
    expect((await bookRow(first))!.genres).toEqual([1]);
    expect((await bookRow(second))!.genres).toEqual([]);
  });

  it("answers 404 for a malformed id", async () => {
    const client = await session();
    for (const raw of ["abc", "-1", "1.5", "99999999999999999999", "%00"]) {
      expect((await client.get(`/books/${raw}/delete`)).status, `GET ${raw}`).toBe(404);
      expect((await client.post(`/books/${raw}/delete`)).status, `POST ${raw}`).toBe(404);
    }
  });
});

// ------------------------------------------------------------------ CSRF

describe("CSRF protection", () => {
  it("refuses a create without the token with 403 and writes nothing", async () => {
    const client = await session();
    const form = validBook();
    for (const token of ["", "f".repeat(64)]) {
      const response = await client.post("/books", { ...form, _csrf: token });
      expect(response.status).toBe(403);
      expect(response.text).toContain("Form expired");
    }
    expect(await count(`SELECT count(*) AS n FROM "Book" WHERE isbn = $1`, [form.isbn])).toBe(0);
  });

  it("refuses an update and a delete without the token with 403 and changes nothing", async () => {
    const id = await insertBook({ title: "Guarded By CSRF" });
    const before = await bookRow(id);
    const client = await session(`/books/${id}/edit`);
    expect((await client.post(`/books/${id}`, { ...validBook({ isbn: before!.isbn }), _csrf: "" })).status).toBe(403);
    expect((await client.post(`/books/${id}/delete`, { _csrf: "" })).status).toBe(403);
    expect(await bookRow(id)).toEqual(before);
  });

  it("refuses a token from another session", async () => {
    const id = await insertBook({ title: "Other Session" });
    const mallory = await session();
    const victim = await session();
    const response = await victim.post(`/books/${id}/delete`, { _csrf: mallory.csrfToken });
    expect(response.status).toBe(403);
    expect(await bookRow(id)).toBeDefined();
  });

  it("accepts the token in the X-CSRF-Token header (how htmx sends it)", async () => {
    const id = await insertBook({ title: "Header Token" });
    const client = await session();
    // A request with no _csrf field at all, only the header.
    const response = await client.postRaw(`/books/${id}/delete`, "", { "x-csrf-token": client.csrfToken, "hx-request": "true" });
    expect(response.status).toBe(200);
    expect(await bookRow(id)).toBeUndefined();
  });
});

// ------------------------------------------------------------------ relation choices

describe("GET /_choices/:field (searchable relation selects)", () => {
  it("returns the authors whose name matches, and keeps the selected one", async () => {
    const authors = (await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM "Author" ORDER BY id`)).rows;
    const target = authors.find((author) => author.id === 2)!;
    const query = target.name.split(" ")[1]!.slice(0, 4).toLowerCase();
    const matching = (await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM "Author" WHERE name ILIKE $1 ORDER BY name, id`, [`%${query}%`])).rows;
    const selected = authors.find((author) => !matching.some((match) => match.id === author.id))!;
    const response = await served.browser.get(`/books/_choices/authorId?q=${encodeURIComponent(query.toUpperCase())}&authorId=${selected.id}`, { "HX-Request": "true", "HX-Target": "select#f-authorId" });
    expect(response.status).toBe(200);
    expect(response.text).not.toContain("<html");
    const options = optionsOf(response.text);
    expect(options[0]).toEqual({ value: "", label: "— choose —", selected: false });
    expect(options.slice(1)).toEqual([
      { value: String(selected.id), label: selected.name, selected: true },
      ...matching.map((author) => ({ value: String(author.id), label: author.name, selected: false })),
    ]);
  });

  it("lists every author for an empty search, and offers '— none —' for a nullable relation", async () => {
    const total = await count(`SELECT count(*) AS n FROM "Author"`);
    const response = await served.browser.get(`/books/_choices/editorId?q=&editorId=3`);
    expect(response.status).toBe(200);
    const options = optionsOf(response.text);
    expect(options[0]).toEqual({ value: "", label: "— none —", selected: false });
    expect(options.slice(1)).toHaveLength(total);
    expect(options.filter((option) => option.selected).map((option) => option.value)).toEqual(["3"]);
  });

  it("keeps several selected genres of a many-to-many select", async () => {
    const response = await served.browser.get(`/books/_choices/genres?q=zzzz-no-match&genres=1&genres=3`);
    expect(response.status).toBe(200);
    const options = optionsOf(response.text);
    expect(options.map((option) => option.value)).toEqual(expect.arrayContaining(["1", "3"]));
    expect(options.filter((option) => option.value !== "").every((option) => option.selected)).toBe(true);
    expect(options.filter((option) => option.value !== "")).toHaveLength(2);
  });

  it("searches a relation whose display field is not text by id, instead of failing", async () => {
    const numeric = bareApp(db, (app, crud) => app.use("/books", crud.resource({ model: "Book" })), { displayFields: { Author: "id" } });
    const client = await TestClient.start(numeric.app);
    try {
      await client.get("/books/?as=admin");
      const words = await client.get(`/books/_choices/authorId?q=abc&as=admin`);
      expect(words.status).toBe(200);
      expect(optionsOf(words.text).filter((option) => option.value !== "")).toEqual([]);
      const byId = await client.get(`/books/_choices/authorId?q=3&as=admin`);
      expect(optionsOf(byId.text).filter((option) => option.value !== "").map((option) => option.value)).toEqual(["3"]);
      expect(numeric.errors).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("treats LIKE wildcards in the search as plain characters", async () => {
    const response = await served.browser.get(`/books/_choices/authorId?q=${encodeURIComponent("%")}`);
    expect(response.status).toBe(200);
    expect(optionsOf(response.text).filter((option) => option.value !== "")).toEqual([]);
    const underscore = await served.browser.get(`/books/_choices/authorId?q=_`);
    expect(optionsOf(underscore.text).filter((option) => option.value !== "")).toEqual([]);
  });

  it.each(["title", "author", "nope", "pages"])("answers 404 for %s, which is not a relation field of the form", async (field) => {
    const response = await served.browser.get(`/books/_choices/${field}?q=a`);
    expect(response.status).toBe(404);
  });

  it("ignores malformed selected ids", async () => {
    const response = await served.browser.get(`/books/_choices/authorId?q=&authorId=abc&authorId=-4&authorId=99999999999999999999`);
    expect(response.status).toBe(200);
    expect(optionsOf(response.text).filter((option) => option.selected)).toEqual([]);
  });
});

// ------------------------------------------------------------------ no options

describe("a resource mounted with nothing but its model", () => {
  function headerLabels(html: string): string[] {
    return [...html.matchAll(/<th scope="col"[^>]*>([\s\S]*?)<\/th>/g)]
      .filter((match) => !match[1]!.includes('class="sr-only">Actions<'))
      .map((match) => textOf(match[1]!).replace(/[▲▼↕]|\(sorted \w+\)/g, "").trim());
  }

  it("lists with humanized column labels and readable values", async () => {
    const response = await served.browser.get("/plain-books?sort=title");
    expect(response.status).toBe(200);
    expect(response.text).toContain(">Books</h1>");
    expect(headerLabels(response.text)).toEqual([
      "Title", "ISBN", "Pages", "Price", "Published date", "Bestseller", "Status", "Author", "Editor", "Genres", "Created at", "Updated at",
    ]);
    expect(response.text).toContain("New book");
    const [id] = rowIds(response.text);
    const book = (await bookRow(id!))!;
    const row = textOf(new RegExp(`<tr data-pc-row="${id}">([\\s\\S]*?)</tr>`).exec(response.text)![1]!);
    const author = (await db.pool.query(`SELECT name FROM "Author" WHERE id = $1`, [book.authorId])).rows[0].name as string;
    expect(row).toContain(author);
    expect(row).toContain({ DRAFT: "Draft", PUBLISHED: "Published", OUT_OF_PRINT: "Out of print" }[book.status]!);
    expect(row).toContain(book.bestseller ? "Yes" : "No");
    expect(row).not.toMatch(/\bnull\b|\bundefined\b|\[object Object\]/);
    // Links and forms stay under the resource's own mount path.
    expect(response.text).toMatch(new RegExp(`href="/plain-books/${id}[?"]`));
    expect(response.text).toMatch(new RegExp(`href="/plain-books/${id}/edit[?"]`));
  });

  it("shows a detail page with every field labelled", async () => {
    const id = await insertBook({ title: "Plain Detail", editorId: null, genres: [2] });
    const response = await served.browser.get(`/plain-books/${id}`);
    expect(response.status).toBe(200);
    const labels = [...response.text.matchAll(/<dt class="font-medium opacity-70">([^<]*)<\/dt>/g)].map((match) => match[1]);
    expect(labels).toEqual(["ID", "Title", "ISBN", "Pages", "Price", "Published date", "Bestseller", "Status", "Author", "Editor", "Genres", "Description", "Created at", "Updated at"]);
    expect(textOf(response.text)).toContain("Plain Detail");
    expect(response.text).not.toMatch(/>\s*(null|undefined)\s*</);
  });

  it("shows create and edit forms with labelled fields and saves through them", async () => {
    const form = await served.browser.get("/plain-books/new");
    expect(form.status).toBe(200);
    const labels = [...form.text.matchAll(/<label class="fieldset-legend" for="f-(\w+)">([^<]*)/g)].map((match) => [match[1], match[2]!.trim()]);
    expect(Object.fromEntries(labels)).toEqual({
      title: "Title", isbn: "ISBN", pages: "Pages", price: "Price", publishedDate: "Published date", status: "Status",
      authorId: "Author", editorId: "Editor", genres: "Genres", description: "Description",
    });
    expect(form.text).toContain('<span class="text-base-content">Bestseller</span>');
    // Generated columns are not in the form.
    expect(form.text).not.toContain('name="createdAt"');
    expect(form.text).not.toContain('name="updatedAt"');
    expect(form.text).not.toContain('name="id"');

    const client = await session("/plain-books/new");
    const values = validBook({ title: "Plain Created" });
    const created = await client.post("/plain-books", values);
    expect(created.status).toBe(303);
    expect(created.headers.get("location")).toBe("/plain-books/");
    const [id] = await ids(`SELECT id FROM "Book" WHERE isbn = $1`, [values.isbn]);
    const edit = await client.get(`/plain-books/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(inputValue(edit.text, "title")).toBe("Plain Created");
    expect(edit.text).toContain(`action="/plain-books/${id}"`);
  });

  it("serves an author resource with defaults too", async () => {
    const list = await served.browser.get("/plain-authors");
    expect(list.status).toBe(200);
    expect(headerLabels(list.text)).toEqual(["Name", "Birth date", "Active"]);
    expect(rowIds(list.text).length).toBeGreaterThan(0);
    const [id] = rowIds(list.text);
    expect((await served.browser.get(`/plain-authors/${id}`)).status).toBe(200);
    const form = await served.browser.get(`/plain-authors/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label class="fieldset-legend" for="f-birthDate">Birth date</label>');
  });
});

// ------------------------------------------------------------------ mount path

describe("a resource mounted inside a host router", () => {
  it("builds every link, form action and redirect from its full mount path", async () => {
    const list = await served.browser.get("/admin/catalogue/books");
    expect(list.status).toBe(200);
    const [id] = rowIds(list.text);
    expect(list.text).toMatch(new RegExp(`href="/admin/catalogue/books/${id}[?"]`));
    expect(list.text).toMatch(/href="\/admin\/catalogue\/books\/new[?"]/);
    const edit = await served.browser.get(`/admin/catalogue/books/${id}/edit`);
    expect(edit.text).toContain(`action="/admin/catalogue/books/${id}"`);
    const client = await session("/admin/catalogue/books/new");
    const values = validBook({ title: "Mounted Deep", _return: "/books/" });
    const created = await client.post("/admin/catalogue/books", values);
    expect(created.status).toBe(303);
    // A _return outside this mount path falls back to this resource's list.
    expect(created.headers.get("location")).toBe("/admin/catalogue/books/");
    expect(await count(`SELECT count(*) AS n FROM "Book" WHERE isbn = $1`, [values.isbn])).toBe(1);
  });
});
