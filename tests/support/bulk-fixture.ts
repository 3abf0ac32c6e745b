/**
 * Shared set-up for the selection and bulk tests: a bare app with several resources that use
 * selections and bulk edit / delete, a browser wrapper that sends the test role on every request,
 * and SQL helpers that read the database independently of the code under test.
 */
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { PermissionContext } from "../../src/index";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, expectNoServerErrors, unescapeHtml, type TestUser } from "./bare-app";
import type { connect } from "./database";
import { TestClient, type TestResponse } from "./test-client";

type Db = ReturnType<typeof connect>;

/** Seeded book ids are shifted to 7-digit numbers, so an id can never be mistaken for a price, a page count or a page number. */
export const ID_BASE = 1_000_000;
export const VETO_REASON = "This book is under review.";

/** Every editable field type of Book: boolean, enum, required FK, nullable FK, many-to-many, decimal, integer, date, text. */
export const BOOK_BULK_FIELDS = ["bestseller", "status", "author", "editor", "genres", "price", "pages", "publishedDate", "title", "description"];

export const MODAL = { "HX-Request": "true", "HX-Target": "div#pc-modal-content" };
export const BAR = { "HX-Request": "true", "HX-Target": "div#pc-selection-bar", "HX-Current-URL": "http://127.0.0.1/books/" };

export interface Fixture {
  server: TestClient;
  logged: unknown[];
  /** Titles the veto hooks of /books and /chunked-books refuse. */
  vetoed: Set<string>;
}

/**
 * Starts the fixture for a test file (before all its tests) and closes it after them; every test
 * fails if one of its requests ended in an unexpected (500) error. The object is filled in once started.
 */
export function useFixture(db: Db): Fixture {
  const fixture = {} as Fixture;
  beforeAll(async () => {
    Object.assign(fixture, await startFixture(db));
  });
  afterEach(() => expectNoServerErrors(fixture.logged));
  afterAll(async () => {
    await fixture.server?.close();
    await db.close();
  });
  return fixture;
}

const roleOf = (ctx: PermissionContext<TestUser>) => ctx.user?.role ?? "";

/**
 * Seeds 300 books, 12 authors and 6 genres, shifts the book ids, and mounts:
 *  - /books          every field type in bulkFields, a veto hook; "viewer" may not bulk, "bulker" may not
 *                    delete, "no-update" may bulk and delete but not edit
 *  - /other-books    the same model under another mount (selections are per resource)
 *  - /chunked-books  chunkSize 1 and the veto hook (failures in the middle of a run)
 *  - /no-delete-books bulk.delete: false
 *  - /authors, /genres  no bulkFields (bulk delete only)
 *  - /genre-links    Genre (no @updatedAt) with its many-to-many "books" as the only bulk field
 *  - /filtered-books relation, many-to-many and number filters and a search (selections made under them)
 */
export async function startFixture(db: Db): Promise<Fixture> {
  await seedCatalogue(db.pool, { books: 300, authors: 12, genres: 6 });
  // ON UPDATE CASCADE carries the join table along.
  await db.pool.query(`UPDATE "Book" SET id = id + ${ID_BASE}`);
  await db.pool.query(`SELECT setval(pg_get_serial_sequence('"Book"', 'id'), (SELECT max(id) FROM "Book"))`);
  await db.pool.query(`DELETE FROM powercrud.selection`);
  await db.pool.query(`ANALYZE "Book"`);

  const vetoed = new Set<string>();
  const veto = (record: Record<string, unknown>) => (vetoed.has(String(record.title)) ? VETO_REASON : undefined);
  const { app, errors } = bareApp(db, (app, crud) => {
    app.use(
      "/books",
      crud.resource({
        model: "Book",
        list: { fields: ["title", "author", "status", "bestseller"], filters: ["status", "bestseller"], search: ["title"] },
        bulkFields: BOOK_BULK_FIELDS,
        bulk: { veto },
        permissions: {
          bulk: (ctx) => roleOf(ctx) !== "viewer" || "Viewers cannot change books in bulk.",
          update: (ctx) => !["viewer", "no-update"].includes(roleOf(ctx)) || "You may not edit books.",
          delete: (ctx) => !["viewer", "bulker"].includes(roleOf(ctx)) || "Only admins delete books.",
        },
      }),
    );
    app.use("/other-books", crud.resource({ model: "Book", list: { fields: ["title"], filters: ["status"] }, bulkFields: ["pages"] }));
    app.use(
      "/chunked-books",
      crud.resource({ model: "Book", list: { fields: ["title"] }, bulkFields: ["pages", "genres", "status"], bulk: { chunkSize: 1, veto } }),
    );
    app.use("/no-delete-books", crud.resource({ model: "Book", list: { fields: ["title"] }, bulkFields: ["pages"], bulk: { delete: false } }));
    app.use("/authors", crud.resource({ model: "Author", list: { fields: ["name"] } }));
    app.use("/genres", crud.resource({ model: "Genre", list: { fields: ["name"] } }));
    app.use("/genre-links", crud.resource({ model: "Genre", list: { fields: ["name"] }, bulkFields: ["books"] }));
    app.use(
      "/filtered-books",
      crud.resource({
        model: "Book",
        list: { fields: ["title", "author", "status"], filters: ["author", "genres", "status", "pages"], search: ["title"] },
        bulkFields: ["pages", "bestseller"],
      }),
    );
  });
  return { server: await TestClient.start(app), logged: errors, vetoed };
}

/** One browser (one session) acting as one role: every request carries the role header. */
export class Browser {
  constructor(readonly http: TestClient, readonly role: string) {}

  get(path: string, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.http.get(path, { "x-test-role": this.role, ...headers });
  }

  post(path: string, form: Record<string, string | string[]> = {}, headers: Record<string, string> = {}): Promise<TestResponse> {
    return this.http.post(path, form, { "x-test-role": this.role, ...headers });
  }

  /** The express-session id behind this browser's signed cookie. */
  get sessionId(): string {
    const raw = decodeURIComponent(this.http.cookie("powercrud.sid") ?? "");
    const match = /^s:([^.]+)\./.exec(raw);
    if (!match) throw new Error(`no session cookie: ${raw}`);
    return match[1]!;
  }
}

/** A new browser that has loaded a page, so it holds a session and a CSRF token. */
export async function openBrowser(fixture: Fixture, role = "admin", path = "/books"): Promise<Browser> {
  const browser = new Browser(fixture.server.fork(), role);
  const page = await browser.get(path);
  expect(page.status).toBe(200);
  expect(browser.http.csrfToken).not.toBe("");
  return browser;
}

/** Selects (or deselects) rows the way the row checkboxes do (htmx), and returns the bar fragment. */
export async function selectRows(browser: Browser, ids: number[], selected = true, base = "/books"): Promise<TestResponse> {
  const response = await browser.post(`${base}/_selection`, { op: "rows", ids: ids.join(","), selected: selected ? "1" : "0" }, BAR);
  expect(response.status, response.text).toBe(200);
  return response;
}

export async function selectAll(browser: Browser, list: string, base = "/books"): Promise<TestResponse> {
  const response = await browser.post(`${base}/_selection`, { op: "all", _list: list }, BAR);
  expect(response.status, response.text).toBe(200);
  return response;
}

/** The bar's count: a number, null while counting, undefined when there is no bar. */
export function barSize(html: string): number | null | undefined {
  const match = /data-pc-selection-size="(\d*)"/.exec(html);
  if (!match) return undefined;
  return match[1] === "" ? null : Number(match[1]);
}

/** Counts an "all" selection the way the bar does after a click, and returns the count shown. */
export async function countedSize(browser: Browser, base = "/books"): Promise<number | null | undefined> {
  const response = await browser.get(`${base}/_selection/count`, BAR);
  expect(response.status, response.text).toBe(200);
  return barSize(response.text);
}

/** The ids of the row checkboxes that are ticked, in page order. */
export function checkedRows(html: string): number[] {
  return [...html.matchAll(/<input[^>]*pc-select-row[^>]*>/g)]
    .filter((match) => match[0].endsWith(" checked>"))
    .map((match) => Number(/value="(\d+)"/.exec(match[0])![1]));
}

export function tokenOf(html: string): string {
  const match = /name="selection" value="([^"]*)"/.exec(html);
  if (!match) throw new Error(`no selection token in: ${html.slice(0, 300)}`);
  return match[1]!;
}

export function summaryOf(html: string): string {
  const match = /data-testid="pc-bulk-summary">([^<]*)</.exec(html);
  if (!match) throw new Error(`no summary in: ${textOf(html).slice(0, 500)}`);
  return unescapeHtml(match[1]!);
}

export function fieldError(html: string, field: string): string | undefined {
  const match = new RegExp(`id="f-${field.replace(".", "\\.")}-error">([^<]*)<`).exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

export function textOf(html: string): string {
  return unescapeHtml(html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ")).trim();
}

export function hxTrigger(headers: Headers): Record<string, Record<string, unknown>> {
  const header = headers.get("hx-trigger");
  expect(header, "HX-Trigger header").toBeTruthy();
  return JSON.parse(header!);
}

// ------------------------------------------------------------------ SQL, independent of the code under test

export interface BookState {
  id: number;
  title: string;
  isbn: string;
  pages: number;
  price: string;
  publishedDate: string | null;
  bestseller: boolean;
  status: string;
  authorId: number;
  editorId: number | null;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  genres: number[];
}

const STAMP = `'YYYY-MM-DD"T"HH24:MI:SS.MS'`;

export async function snapshot(db: Db): Promise<Map<number, BookState>> {
  const { rows } = await db.pool.query<BookState>(
    `SELECT id, title, isbn, pages, price::text AS price, to_char("publishedDate", 'YYYY-MM-DD') AS "publishedDate", bestseller,
            status::text AS status, "authorId", "editorId", description,
            to_char("createdAt", ${STAMP}) AS "createdAt", to_char("updatedAt", ${STAMP}) AS "updatedAt",
            ARRAY(SELECT "B" FROM "_BookToGenre" WHERE "A" = b.id ORDER BY "B") AS genres
     FROM "Book" b ORDER BY id`,
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** The database clock, as the bulk executor writes @updatedAt (UTC). */
export async function dbNow(db: Db): Promise<string> {
  return (await db.pool.query<{ now: string }>(`SELECT to_char(now() AT TIME ZONE 'UTC', ${STAMP}) AS now`)).rows[0]!.now;
}

/**
 * Exactly the `changed` books differ, each by `change(old)` plus an @updatedAt at or after `since`;
 * every other book (and every genre link) is as it was, @updatedAt included.
 */
export function expectOnlyChanged(
  before: Map<number, BookState>,
  after: Map<number, BookState>,
  changed: number[],
  change: (old: BookState) => Partial<BookState>,
  since: string,
): void {
  expect([...after.keys()]).toEqual([...before.keys()]);
  const touched = new Set(changed);
  for (const [id, old] of before) {
    const now = after.get(id)!;
    if (touched.has(id)) {
      const { updatedAt, ...rest } = now;
      const { updatedAt: oldUpdatedAt, ...oldRest } = old;
      expect(rest, `book ${id}`).toEqual({ ...oldRest, ...change(old) });
      expect(updatedAt > oldUpdatedAt, `updatedAt of book ${id} moved (${oldUpdatedAt} → ${updatedAt})`).toBe(true);
      expect(updatedAt >= since, `updatedAt of book ${id} is the time of the change`).toBe(true);
    } else {
      expect(now, `book ${id} is untouched`).toEqual(old);
    }
  }
}

export function expectUnchanged(before: Map<number, BookState>, after: Map<number, BookState>): void {
  expect([...after.keys()]).toEqual([...before.keys()]);
  for (const [id, old] of before) expect(after.get(id), `book ${id} is untouched`).toEqual(old);
}

export async function ids(db: Db, sql: string, params: unknown[] = []): Promise<number[]> {
  return (await db.pool.query<{ id: number }>(sql, params)).rows.map((row) => Number(row.id));
}

export async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);
}

/** `n` books matching `where`, in a fixed pseudo-random order that spreads them over many pages. */
export async function pickBooks(db: Db, n: number, where = "TRUE", params: unknown[] = []): Promise<number[]> {
  const picked = await ids(db, `SELECT id FROM "Book" b WHERE ${where} ORDER BY md5(id::text), id LIMIT ${n}`, params);
  expect(picked, `enough books where ${where}`).toHaveLength(n);
  return picked.sort((a, b) => a - b);
}

export interface StoredSelection {
  token: string;
  mode: string;
  filterQuery: string;
  size: number | null;
  included: number[];
  excluded: number[];
}

/** The selection row and its items as stored for this browser's session and this resource. */
export async function storedSelection(db: Db, browser: Browser, resource = "/books"): Promise<StoredSelection | undefined> {
  const { rows } = await db.pool.query<{ token: string; mode: string; filterQuery: string; size: number | null }>(
    `SELECT token, mode, "filterQuery", size FROM powercrud.selection WHERE "sessionId" = $1 AND resource = $2`,
    [browser.sessionId, resource],
  );
  const selection = rows[0];
  if (!selection) return undefined;
  const items = await db.pool.query<{ id: string; included: boolean }>(
    `SELECT "recordId"::text AS id, included FROM powercrud.selection_item WHERE token = $1 ORDER BY length("recordId"), "recordId"`,
    [selection.token],
  );
  return {
    ...selection,
    included: items.rows.filter((item) => item.included).map((item) => Number(item.id)),
    excluded: items.rows.filter((item) => !item.included).map((item) => Number(item.id)),
  };
}

// Unique across test files too, which share the database and each start this module afresh.
let isbnCounter = Math.floor(Math.random() * 1e8) * 100;

/** Inserts a book straight into the database and returns its id. */
export async function insertBook(db: Db, values: { title?: string; authorId?: number; editorId?: number | null; genres?: number[]; status?: string } = {}): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO "Book" (title, isbn, pages, price, "authorId", "editorId", status, "updatedAt")
     VALUES ($1, $2, 321, 12.50, $3, $4, $5::"BookStatus", timestamp '2024-06-01') RETURNING id`,
    [values.title ?? "Inserted by the bulk tests", `977${String(++isbnCounter).padStart(10, "0")}`, values.authorId ?? 1, values.editorId ?? null, values.status ?? "DRAFT"],
  );
  const id = rows[0]!.id;
  for (const genre of values.genres ?? []) await db.pool.query(`INSERT INTO "_BookToGenre" ("A", "B") VALUES ($1, $2)`, [id, genre]);
  return id;
}

export async function insertAuthor(db: Db, name: string): Promise<number> {
  return (await db.pool.query<{ id: number }>(`INSERT INTO "Author" (name) VALUES ($1) RETURNING id`, [name])).rows[0]!.id;
}

/** The ids of rows on a list page, in page order. */
export function pageIds(html: string): number[] {
  return [...html.matchAll(/data-pc-row="(\d+)"/g)].map((match) => Number(match[1]));
}
