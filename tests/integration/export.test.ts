/**
 * Export of lists as CSV and XLSX, streamed from a database cursor: content (filters, search, sort,
 * the user's visible columns, the selection, value formats, CSV injection), permissions, bad input,
 * and backpressure. The expected rows are read with SQL of the test's own.
 */
import { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import type { Resource } from "../../src/config/resolve-resource";
import { runExport } from "../../src/export/run-export";
import { bareApp, expectNoServerErrors, rowIds, type TestUser } from "../support/bare-app";
import { BAR, Browser } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { TestClient, type TestResponse } from "../support/test-client";
import { parseCsv } from "../support/csv";
import { resetTasks, taskState, waitFor, waitForEnd } from "../support/task-helpers";
import type { WorkerHandle } from "../../src/index";

const db = connect();
let server: TestClient;
let logged: unknown[];
let books: Resource;
let crud: ReturnType<typeof bareApp>["crud"];
let worker: WorkerHandle | undefined;

const role = (ctx: { user?: unknown }) => (ctx.user as TestUser | undefined)?.role ?? "";

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 300, authors: 12, genres: 6 });
  await db.pool.query(`DELETE FROM powercrud.selection`);
  await db.pool.query(`DELETE FROM powercrud.list_preference`);
  await resetTasks(db.pool);
  const app = bareApp(db, (app, crud) => {
    const router = crud.resource({
      model: "Book",
      list: {
        fields: ["title", "author", "genres", "status", "price", "pages", "publishedDate", "bestseller", "createdAt", "pricePerPage"],
        defaultColumns: ["title", "author", "genres", "status", "price", "pages", "publishedDate", "bestseller", "createdAt", "pricePerPage"],
        filters: ["status", "bestseller"],
        search: ["title"],
      },
      properties: { pricePerPage: { label: "Price per page", needs: ["price", "pages"], value: (book) => (Number(book.price) / book.pages).toFixed(4) } },
      bulkFields: ["pages"],
      export: { batchSize: 100, backgroundMinRecords: 100_000 },
      permissions: {
        list: (ctx) => role(ctx) !== "stranger",
        export: (ctx) => role(ctx) !== "no-export" || "Exports are for staff.",
      },
    });
    books = router.resource;
    app.use("/books", router);
    app.use("/big-books", crud.resource({
      model: "Book",
      key: "big-books",
      list: { fields: ["title", "author", "genres", "status", "price"], filters: ["status"], search: ["title"] },
      bulkFields: ["pages"],
      export: { batchSize: 500, backgroundMinRecords: 50 },
    }));
    // The same list, always streamed: what a background export must match byte for byte.
    app.use("/stream-books", crud.resource({
      model: "Book",
      key: "stream-books",
      list: { fields: ["title", "author", "genres", "status", "price"], filters: ["status"], search: ["title"] },
      export: { batchSize: 500, backgroundMinRecords: 1_000_000 },
    }));
    app.use("/slow-books", crud.resource({ model: "Book", key: "slow-books", list: { fields: ["title"] }, export: { batchSize: 100, backgroundMinRecords: 1 } }));
    app.use("/tasks", crud.tasks());
    app.use("/plain-books", crud.resource({ model: "Book", list: { fields: ["title"] }, export: { formats: ["xlsx"], csvBom: false, includeId: false } }));
    app.use("/closed-books", crud.resource({ model: "Book", list: { fields: ["title"] }, export: { enabled: false } }));
  }, { userKey: (user: TestUser) => user.role, tasks: { url: "/tasks", canManage: ({ user }) => (user as TestUser | undefined)?.role === "ops", heartbeatMs: 200 } });
  server = await TestClient.start(app.app);
  logged = app.errors;
  crud = app.crud;
});

afterEach(() => expectNoServerErrors(logged));
afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await db.close();
});

async function browser(role = "admin", path = "/books"): Promise<Browser> {
  const browser = new Browser(server.fork(), role);
  expect((await browser.get(path)).status).toBe(200);
  return browser;
}

/** Posts the export form as the menu does; the body is read as text (CSV) by the test client. */
function exportList(b: Browser, form: Record<string, string>, base = "/books"): Promise<TestResponse> {
  return b.post(`${base}/_export`, { format: "csv", scope: "list", _list: "", ...form });
}

/** The same request, its body as bytes (XLSX). */
async function exportBytes(b: Browser, form: Record<string, string>, base = "/books"): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const body = new URLSearchParams({ _csrf: b.http.csrfToken, scope: "list", _list: "", ...form });
  const response = await fetch(`${b.http.origin}${base}/_export`, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-test-role": b.role, cookie: `powercrud.sid=${b.http.cookie("powercrud.sid")}` },
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

const idsOf = (rows: string[][]) => rows.slice(1).map((row) => Number(row[0]));

describe("CSV of the list", () => {
  it("writes every matching row (not one page) with the visible columns, values in exact machine-readable forms", async () => {
    const b = await browser();
    const response = await exportList(b, {});
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="books-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    // fetch's decoder drops the byte order mark: the raw bytes show it.
    expect((await exportBytes(b, { format: "csv" })).body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(response.text.startsWith("ID,Title,Author,Genres,Status,Price,Pages,Published date,Bestseller,Created at,Price per page\n")).toBe(true);
    const rows = parseCsv(response.text);
    expect(rows.length).toBe(301);
    // No sort chosen: the list's order, newest id first.
    expect(idsOf(rows)).toEqual((await db.pool.query(`SELECT id FROM "Book" ORDER BY id DESC`)).rows.map((row) => row.id));

    const { rows: [expected] } = await db.pool.query(
      `SELECT b.id, b.title, a.name AS author, b.status::text AS status, b.price::text AS price, b.pages, to_char(b."publishedDate", 'YYYY-MM-DD') AS published,
              b.bestseller, to_char(b."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created,
              (SELECT string_agg(g.name, ', ' ORDER BY g.name) FROM "_BookToGenre" x JOIN "Genre" g ON g.id = x."B" WHERE x."A" = b.id) AS genres
       FROM "Book" b JOIN "Author" a ON a.id = b."authorId" WHERE b.id = 33`,
    );
    const row = rows.find((candidate) => candidate[0] === "33")!;
    expect(row).toEqual([
      "33", expected.title, expected.author, expected.genres ?? "", expected.status, expected.price, String(expected.pages),
      expected.published ?? "", String(expected.bestseller), expected.created, (Number(expected.price) / expected.pages).toFixed(4),
    ]);
    expect(expected.price).toMatch(/^\d+\.\d\d$/);
    // A book with several genres: names sorted and joined in one cell.
    expect(rows.some((candidate) => /^[A-Z][a-z ]+(, [A-Z][a-z ]+)+$/.test(candidate[3]!))).toBe(true);
    // A date-only column with no value is an empty cell.
    expect(rows.find((candidate) => candidate[0] === "11")![7]).toBe("");
  });

  it("applies the list's filters, search and sort, and ignores its page and page size", async () => {
    const b = await browser();
    const response = await exportList(b, { _list: "status=DRAFT&q=the&sort=-price&page=3&size=10" });
    expect(response.status, response.text).toBe(200);
    const rows = parseCsv(response.text);
    const { rows: expected } = await db.pool.query(`SELECT id FROM "Book" WHERE status = 'DRAFT' AND title ILIKE '%the%' ORDER BY price DESC, id ASC`);
    expect(expected.length).toBeGreaterThan(50);
    expect(idsOf(rows)).toEqual(expected.map((row) => row.id));
  });

  it.each(["sort=author,-pages&status=DRAFT", "sort=-author&q=the", "sort=-publishedDate,title", "status=PUBLISHED"])(
    "walks the list's own order over every row (%s)",
    async (list) => {
      const b = await browser();
      const rows = parseCsv((await exportList(b, { _list: list })).text);
      // The list showing every matching row on one page ("All"): the export has the same rows in the same order.
      const page = await b.get(`/books?${list}&size=all`);
      expect(page.status).toBe(200);
      const shown = rowIds(page.text);
      expect(shown.length).toBeGreaterThan(20);
      expect(idsOf(rows)).toEqual(shown);
    },
  );

  it("writes the same bytes whether PostgreSQL formats the CSV (COPY) or Node does (a computed column needs the cursor)", async () => {
    const { rows: [target] } = await db.pool.query(`SELECT id, title FROM "Book" ORDER BY id LIMIT 1`);
    try {
      // The cases where the two could differ: an empty text (quoted, unlike a null), a comma, a quote, a formula.
      await db.pool.query(`UPDATE "Book" SET title = '' WHERE id = $1`, [target.id]);
      await db.pool.query(`UPDATE "Book" SET title = '=1+2, "x"' WHERE id = $1 + 1`, [target.id]);
      const withProperty = await exportBytes(await browser("both-1"), { format: "csv", _list: "sort=title" });
      const picky = await browser("both-2");
      const columns = books.listColumns.map((column) => column.key).filter((key) => key !== "pricePerPage");
      expect((await picky.post("/books/_columns", { columns })).status).toBe(303);
      const withoutProperty = await exportBytes(picky, { format: "csv", _list: "sort=title" });
      const lines = withProperty.body.toString("utf8").split("\n");
      // The computed column is last and plain (a number with 4 places): cut it off each line.
      const stripped = lines.map((line, index) => (index === 0 ? line.replace(/,Price per page$/, "") : line.replace(/,\d+\.\d{4}$/, ""))).join("\n");
      expect(stripped).toBe(withoutProperty.body.toString("utf8"));
      expect(stripped).toContain(`\n${target.id},"",`);
      expect(stripped).toContain(`,"'=1+2, ""x""",`);
    } finally {
      await db.pool.query(`UPDATE "Book" SET title = $2 WHERE id = $1`, [target.id, target.title]);
    }
  });

  it("writes only the columns the user chose to see", async () => {
    const b = await browser("picky");
    expect((await b.post("/books/_columns", { columns: ["price", "title"] })).status).toBe(303);
    const rows = parseCsv((await exportList(b, { _list: "sort=title" })).text);
    expect(rows[0]).toEqual(["ID", "Title", "Price"]);
    expect(rows[1]!.length).toBe(3);
    // Another user's choice is their own.
    const other = parseCsv((await exportList(await browser(), {})).text);
    expect(other[0]!.length).toBe(11);
  });

  it("exports the selection alone, in the list's order", async () => {
    const b = await browser();
    const picked = [5, 250, 17, 101];
    expect((await b.post("/books/_selection", { op: "rows", ids: picked.join(","), selected: "1" }, BAR)).status).toBe(200);
    const rows = parseCsv((await exportList(b, { scope: "selection", _list: "sort=pages" })).text);
    const { rows: expected } = await db.pool.query(`SELECT id FROM "Book" WHERE id = ANY($1) ORDER BY pages, id`, [picked]);
    expect(idsOf(rows)).toEqual(expected.map((row) => row.id));

    // "All matching" minus an exception: the filter's rows without the unticked one.
    expect((await b.post("/books/_selection", { op: "all", _list: "status=OUT_OF_PRINT" }, BAR)).status).toBe(200);
    expect((await b.post("/books/_selection", { op: "rows", ids: "9", selected: "0" }, BAR)).status).toBe(200);
    const all = parseCsv((await exportList(b, { scope: "selection", _list: "" })).text);
    const { rows: matching } = await db.pool.query(`SELECT id FROM "Book" WHERE status = 'OUT_OF_PRINT' AND id <> 9 ORDER BY id DESC`);
    expect(idsOf(all)).toEqual(matching.map((row) => row.id));
  });

  it("guards every text cell a spreadsheet would run as a formula, leaving negative numbers alone", async () => {
    const dangerous = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\tTabbed", "\rReturn"];
    const { rows: targets } = await db.pool.query(`SELECT id FROM "Book" ORDER BY id LIMIT $1`, [dangerous.length]);
    const before = await db.pool.query(`SELECT id, title, pages FROM "Book" WHERE id = ANY($1)`, [targets.map((row) => row.id)]);
    try {
      for (const [index, title] of dangerous.entries()) await db.pool.query(`UPDATE "Book" SET title = $2, pages = -5 WHERE id = $1`, [targets[index]!.id, title]);
      const b = await browser();
      const rows = parseCsv((await exportList(b, { _list: "sort=title" })).text);
      const byId = new Map(rows.map((row) => [Number(row[0]), row]));
      for (const [index, title] of dangerous.entries()) {
        const row = byId.get(targets[index]!.id)!;
        expect(row[1]).toBe(`'${title}`);
        expect(row[6]).toBe("-5");
      }
    } finally {
      for (const row of before.rows) await db.pool.query(`UPDATE "Book" SET title = $2, pages = $3 WHERE id = $1`, [row.id, row.title, row.pages]);
    }
  });

  it("quotes commas, quotes and line breaks (RFC 4180) and keeps non-ASCII text intact", async () => {
    const { rows: [target] } = await db.pool.query(`SELECT id, title FROM "Book" ORDER BY id LIMIT 1`);
    const title = 'Crème brûlée, "the" story\nin two lines — ½ 東京';
    try {
      await db.pool.query(`UPDATE "Book" SET title = $2 WHERE id = $1`, [target.id, title]);
      const text = (await exportList(await browser(), {})).text;
      expect(text).toContain(`"Crème brûlée, ""the"" story\nin two lines — ½ 東京"`);
      expect(parseCsv(text).find((row) => Number(row[0]) === target.id)![1]).toBe(title);
    } finally {
      await db.pool.query(`UPDATE "Book" SET title = $2 WHERE id = $1`, [target.id, target.title]);
    }
  });

  it("leaves out the BOM and the id where the resource says so", async () => {
    const b = await browser("admin", "/plain-books");
    const refused = await exportList(b, { format: "csv" }, "/plain-books");
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("Choose a file format: xlsx.");
    const { body } = await exportBytes(b, { format: "xlsx" }, "/plain-books");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as never);
    expect(workbook.worksheets[0]!.getRow(1).values).toEqual([undefined, "Title"]);
  });
});

describe("XLSX of the list", () => {
  it("writes a workbook with typed cells: numbers, exact decimals, dates, booleans and text", async () => {
    const b = await browser();
    const response = await exportBytes(b, { format: "xlsx", _list: "status=PUBLISHED&sort=price" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(response.headers.get("content-disposition")).toMatch(/filename="books-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.body as never);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe("Books");
    expect(sheet.getRow(1).values).toEqual([undefined, "ID", "Title", "Author", "Genres", "Status", "Price", "Pages", "Published date", "Bestseller", "Created at", "Price per page"]);
    const { rows: expected } = await db.pool.query(
      `SELECT b.id, b.title, a.name AS author, b.price::text AS price, b.pages, b."publishedDate" AS published, b.bestseller, b."createdAt" AS created
       FROM "Book" b JOIN "Author" a ON a.id = b."authorId" WHERE status = 'PUBLISHED' ORDER BY b.price, b.id`,
    );
    expect(sheet.rowCount).toBe(expected.length + 1);
    for (const [index, book] of expected.entries()) {
      const cells = sheet.getRow(index + 2).values as unknown[];
      expect(cells[1]).toBe(book.id);
      expect(cells[2]).toBe(book.title);
      expect(cells[3]).toBe(book.author);
      expect(cells[5]).toBe("PUBLISHED");
      expect(cells[6]).toBe(Number(book.price));
      expect(cells[7]).toBe(book.pages);
      expect(cells[9]).toBe(book.bestseller);
      if (book.published) expect((cells[8] as Date).toISOString().slice(0, 10)).toBe(book.published.toISOString().slice(0, 10));
      else expect(cells[8]).toBeUndefined();
    }
    expect(sheet.getColumn(6).numFmt).toBe("0.00");
    expect(sheet.getColumn(8).numFmt).toBe("yyyy-mm-dd");
  });
});

describe("who may export, and bad input", () => {
  it("refuses users the export hook refuses, and those who may not see the list; the menu shows only to those allowed", async () => {
    const allowed = await browser();
    expect((await allowed.get("/books")).text).toContain('id="pc-export"');

    const refused = await browser("no-export");
    expect((await refused.get("/books")).text).not.toContain('id="pc-export"');
    const answer = await exportList(refused, {});
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("Exports are for staff.");

    const stranger = new Browser(server.fork(), "stranger");
    await stranger.get("/plain-books");
    expect((await exportList(stranger, {})).status).toBe(403);

    const closed = await browser("admin", "/closed-books");
    expect((await closed.get("/closed-books")).text).not.toContain('id="pc-export"');
    expect((await exportList(closed, {}, "/closed-books")).status).toBe(403);
  });

  it("answers malformed forms with a 4xx that says what to change", async () => {
    const b = await browser();
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ format: "pdf" }, 400, "Choose a file format: csv or xlsx."],
      [{ format: "" }, 400, "Choose a file format"],
      [{ scope: "everything" }, 400, "Choose what to export"],
      [{ _list: "q=" + "x".repeat(10_001) }, 422, "too long to export"],
      [{ scope: "selection" }, 422, "Select the books to export first"],
    ];
    for (const [form, status, message] of cases) {
      const response = await exportList(b, form);
      expect(response.status, JSON.stringify(form)).toBe(status);
      expect(response.text).toContain(message);
    }
    // Repeated fields are not one value.
    const doubled = await b.post("/books/_export", { format: ["csv", "xlsx"], scope: "list", _list: "" });
    expect(doubled.status).toBe(400);
    // A list query that is no query at all reads as an unfiltered list, as the list itself reads it.
    expect((await exportList(b, { _list: "%%%&&sort=nonsense&status=NOPE" })).status).toBe(200);
    // Without the form's CSRF token nothing runs.
    expect((await b.post("/books/_export", { _csrf: "forged", format: "csv" })).status).toBe(403);
  });
});

describe("streaming", () => {
  beforeAll(async () => {
    await db.pool.query(`INSERT INTO "Book" (title, isbn, pages, price, status, "authorId", "updatedAt")
      SELECT 'Filler ' || i, 'F' || lpad(i::text, 12, '0'), 100, 9.99, 'DRAFT', 1, now() FROM generate_series(1, 30000) i`);
  });
  afterAll(async () => {
    await db.pool.query(`DELETE FROM "Book" WHERE title LIKE 'Filler %'`);
  });

  // With the computed column the rows come through the cursor (Node formats them); without it
  // PostgreSQL writes the CSV (COPY). Both must wait for the reader.
  const paths = [
    { path: "cursor", columns: () => books.listColumns.map((column) => column.key) },
    { path: "COPY", columns: () => books.listColumns.map((column) => column.key).filter((key) => key !== "pricePerPage") },
  ];

  it.each(paths)("writes to a slow reader as fast as it reads ($path): what waits in memory stays at a chunk, never the file", async ({ path, columns }) => {
    let peak = 0;
    let largestChunk = 0;
    let received = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        largestChunk = Math.max(largestChunk, chunk.length);
        peak = Math.max(peak, slow.writableLength);
        setTimeout(callback, 5);
      },
    });
    const spec = { format: "csv" as const, scope: "list" as const, listQuery: "", columns: columns() };
    const progress: number[] = [];
    const result = await runExport(books, spec, undefined, {
      output: () => slow,
      onProgress: async (written) => {
        peak = Math.max(peak, slow.writableLength);
        progress.push(written);
      },
    });
    expect(result.rows).toBe(30_300);
    if (path === "cursor") {
      // Batches of 100 rows, each handed over only when the reader took the one before.
      expect(progress.length).toBe(303);
      expect(progress.slice(0, 3)).toEqual([100, 200, 300]);
    } else {
      // PostgreSQL's rows, 64 KB to a write.
      expect(largestChunk).toBeLessThanOrEqual(64 * 1024 + 1024);
    }
    expect(received).toBeGreaterThan(2_000_000);
    expect(peak).toBeLessThanOrEqual(largestChunk + 16 * 1024);
    expect(peak).toBeLessThan(received / 20);
  });

  it.each(paths)("stops reading when the browser goes away ($path), and gives the connection back", async ({ path, columns }) => {
    const b = await browser(`leaver-${path}`);
    expect((await b.post("/books/_columns", { columns: columns() })).status).toBe(303);
    const controller = new AbortController();
    const response = await fetch(`${b.http.origin}/books/_export`, {
      method: "POST",
      signal: controller.signal,
      body: new URLSearchParams({ _csrf: b.http.csrfToken, format: "csv", scope: "list", _list: "" }),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-test-role": b.role, cookie: `powercrud.sid=${b.http.cookie("powercrud.sid")}` },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    // The export's transaction ends: no session is left reading (a COPY is cancelled, a cursor closed).
    const until = Date.now() + 10_000;
    for (;;) {
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND (state = 'idle in transaction' OR query LIKE 'FETCH % FROM pc_export' OR query LIKE 'COPY %') AND state <> 'idle'`,
      );
      if (rows[0].n === 0) break;
      if (Date.now() > until) throw new Error("the export is still reading");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});

describe("background exports", () => {
  /** Posts an export that reaches the threshold: the answer is the task page, with the task's id. */
  async function queue(b: Browser, form: Record<string, string>, base = "/big-books"): Promise<number> {
    const response = await exportList(b, form, base);
    expect(response.status, response.text).toBe(303);
    const match = /^\/tasks\/(\d+)$/.exec(response.headers.get("location") ?? "");
    expect(match, response.headers.get("location") ?? "").not.toBeNull();
    return Number(match![1]);
  }

  async function download(b: Browser, taskId: number): Promise<{ status: number; headers: Headers; body: Buffer; text: string }> {
    const response = await fetch(`${b.http.origin}/tasks/${taskId}/download`, {
      headers: { "x-test-role": b.role, cookie: `powercrud.sid=${b.http.cookie("powercrud.sid")}`, accept: "text/html" },
    });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body, text: body.toString("utf8") };
  }

  it("queues an export at the threshold with what was selected then, once however often it is posted, waiting for a worker", async () => {
    const b = await browser("admin", "/big-books");
    const first = await queue(b, { _list: "status=DRAFT&sort=title" });
    // A double click (the same export while the first waits) is the same task.
    expect(await queue(b, { _list: "status=DRAFT&sort=title" })).toBe(first);
    const state = await taskState(db.pool, first);
    expect(state.status).toBe("PENDING");
    const { rows: [task] } = await db.pool.query(`SELECT operation, data, description, "filterQuery", "selectionMode" FROM powercrud.task WHERE id = $1`, [first]);
    expect(task).toMatchObject({
      operation: "export",
      description: "Export books as CSV",
      filterQuery: "status=DRAFT",
      selectionMode: "all",
      data: { changes: [], export: { format: "csv", scope: "list", listQuery: "status=DRAFT&sort=title", columns: ["title", "author", "genres", "status", "price"] } },
    });
    // An export holds no records: edits of these books go on meanwhile.
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM powercrud.task_target WHERE "taskId" = $1`, [first])).rows[0].n).toBe(0);
    const page = await b.get(`/tasks/${first}`);
    expect(page.text).toContain("This export has 50 rows or more, so it is prepared in the background");
    expect(page.text).toContain("Export #" + first);
    expect(page.text).toContain("The download appears here as soon as the file is ready.");

    // The selection is copied when the export is queued: clicks after it do not change the file.
    expect((await b.post("/big-books/_selection", { op: "rows", ids: Array.from({ length: 60 }, (_, index) => index + 1).join(","), selected: "1" }, BAR)).status).toBe(200);
    const picked = await queue(b, { scope: "selection", format: "xlsx", _list: "sort=-price" });
    expect(picked).not.toBe(first);
    expect((await b.post("/big-books/_selection", { op: "clear" }, BAR)).status).toBe(200);
  });

  it("runs on a real worker: progress on the status page, then a download of the file from the database", async () => {
    worker = await crud.runWorker({ concurrency: 1 });
    const b = await browser("admin", "/big-books");
    const ids = (await db.pool.query<{ id: number }>(`SELECT id FROM powercrud.task WHERE operation = 'export' ORDER BY id`)).rows.map((row) => row.id);
    expect(ids.length).toBe(2);
    const [listTask, selectionTask] = ids as [number, number];

    const { final } = await waitForEnd(db.pool, listTask);
    const { rows: drafts } = await db.pool.query(`SELECT id FROM "Book" WHERE status = 'DRAFT' ORDER BY title, id`);
    expect(final).toMatchObject({ status: "SUCCESS", total: drafts.length, processed: drafts.length, succeeded: drafts.length, failed: 0 });

    const page = await b.get(`/tasks/${listTask}`);
    expect(page.text).toContain(`${drafts.length.toLocaleString("en")} of ${drafts.length.toLocaleString("en")} rows written`);
    expect(page.text).toMatch(/data-testid="pc-export-download">Download books-\d{4}-\d{2}-\d{2}\.csv</);
    expect(page.text).toContain("ID, Title, Author, Genres, Status, Price");

    const file = await download(b, listTask);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(file.headers.get("content-length")).toBe(String(file.body.length));
    expect(file.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parseCsv(file.text.slice(1));
    expect(rows[0]).toEqual(["ID", "Title", "Author", "Genres", "Status", "Price"]);
    expect(idsOf(rows)).toEqual(drafts.map((row) => row.id));

    // The selection's export: the 60 rows picked when it was queued, though the selection was cleared since.
    expect((await waitForEnd(db.pool, selectionTask)).final.status).toBe("SUCCESS");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download(b, selectionTask)).body as never);
    const sheet = workbook.worksheets[0]!;
    const { rows: picked } = await db.pool.query(`SELECT id FROM "Book" WHERE id <= 60 ORDER BY price DESC, id ASC`);
    expect(sheet.getColumn(1).values.slice(2)).toEqual(picked.map((row) => row.id));
    // The copy of the selection is gone with the task's end.
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM powercrud.selection WHERE "sessionId" LIKE 'export:%'`)).rows[0].n).toBe(0);
  });

  it("stores a large file in chunks that read back byte for byte as the same export streamed directly", async () => {
    await db.pool.query(`INSERT INTO "Book" (title, isbn, pages, price, status, "authorId", "updatedAt")
      SELECT 'Bulky ' || i || ' ' || repeat('x', 40), 'B' || lpad(i::text, 12, '0'), 100, 9.99, 'DRAFT', 1, now() FROM generate_series(1, 25000) i`);
    try {
      const b = await browser("admin", "/big-books");
      const taskId = await queue(b, { _list: "q=Bulky&sort=-title" });
      expect((await waitForEnd(db.pool, taskId)).final.status).toBe("SUCCESS");
      const { rows: [stored] } = await db.pool.query(
        `SELECT count(*)::int AS chunks, sum(length(data))::int AS bytes FROM powercrud.export_chunk c JOIN powercrud.export_file f ON f.id = c."fileId" WHERE f."taskId" = $1`,
        [taskId],
      );
      expect(stored.chunks).toBeGreaterThan(1);
      const file = await download(b, taskId);
      expect(file.body.length).toBe(stored.bytes);
      const rows = parseCsv(file.text.slice(1));
      expect(rows.length).toBe(25_001);
      const { rows: expected } = await db.pool.query(`SELECT id FROM "Book" WHERE title ILIKE '%Bulky%' ORDER BY title DESC, id ASC`);
      expect(idsOf(rows)).toEqual(expected.map((row) => row.id));
      // The same list on a resource that streams it: the same bytes.
      const direct = await exportBytes(await browser("admin", "/stream-books"), { format: "csv", _list: "q=Bulky&sort=-title" }, "/stream-books");
      expect(direct.status).toBe(200);
      expect(direct.body.equals(file.body)).toBe(true);
    } finally {
      await db.pool.query(`DELETE FROM "Book" WHERE title LIKE 'Bulky %'`);
    }
  });

  it("lets only the user who exported, or a task manager, download the file", async () => {
    const owner = await browser("admin", "/big-books");
    const taskId = (await db.pool.query<{ id: number }>(`SELECT min(id)::int AS id FROM powercrud.task WHERE operation = 'export' AND status = 'SUCCESS'`)).rows[0]!.id;
    expect((await download(owner, taskId)).status).toBe(200);
    const other = await download(await browser("other", "/big-books"), taskId);
    expect(other.status).toBe(403);
    expect(other.text).not.toContain("Bulky");
    expect((await download(await browser("ops", "/big-books"), taskId)).status).toBe(200);
    // Not an export, not a task, not ready: a 4xx that says so.
    expect((await download(owner, 99_999)).status).toBe(404);
    expect((await owner.get("/tasks/abc/download")).status).toBe(404);
  });

  it("answers 410 once the file expired, and the cleanup deletes expired files with their chunks", async () => {
    const b = await browser("admin", "/big-books");
    const taskId = await queue(b, { _list: "status=PUBLISHED" });
    expect((await waitForEnd(db.pool, taskId)).final.status).toBe("SUCCESS");
    expect((await download(b, taskId)).status).toBe(200);
    const { rows: [expiry] } = await db.pool.query(`SELECT "expiresAt" - "completedAt" AS span FROM powercrud.export_file WHERE "taskId" = $1`, [taskId]);
    expect(expiry.span).toMatchObject({ days: 1 });

    await db.pool.query(`UPDATE powercrud.export_file SET "expiresAt" = now() - interval '1 minute' WHERE "taskId" = $1`, [taskId]);
    const expired = await download(b, taskId);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain("expired on");
    expect((await b.get(`/tasks/${taskId}`)).text).toContain("The file expired on");

    const others = (await db.pool.query(`SELECT count(*)::int AS n FROM powercrud.export_file WHERE "taskId" <> $1`, [taskId])).rows[0].n;
    await crud.cleanupTasks();
    const { rows: [left] } = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM powercrud.export_file WHERE "taskId" = $1) AS mine,
              (SELECT count(*)::int FROM powercrud.export_chunk c WHERE NOT EXISTS (SELECT 1 FROM powercrud.export_file f WHERE f.id = c."fileId")) AS orphans,
              (SELECT count(*)::int FROM powercrud.export_file WHERE "taskId" <> $1) AS others`,
      [taskId],
    );
    expect(left).toEqual({ mine: 0, orphans: 0, others });
    const gone = await download(b, taskId);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain("has expired and was deleted");
  });

  it.each(["csv", "xlsx"])("stops a %s export when cancelled, keeping no file", async (format) => {
    // Every chunk of the file takes half a second to store, so the export lasts seconds with the
    // worker idle in between: time enough for the cancel to arrive.
    await db.pool.query(`INSERT INTO "Book" (title, isbn, pages, price, status, "authorId", "updatedAt")
      SELECT 'Slow ' || i || ' ' || md5(i::text) || md5((i + 1)::text), 'S' || lpad(i::text, 12, '0'), 100, 9.99, 'DRAFT', 1, now() FROM generate_series(1, 40000) i`);
    await db.pool.query(`CREATE FUNCTION test_slow_chunk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$`);
    await db.pool.query(`CREATE TRIGGER test_slow_chunk BEFORE INSERT ON powercrud.export_chunk FOR EACH ROW EXECUTE FUNCTION test_slow_chunk()`);
    try {
      const b = await browser("admin", "/slow-books");
      const taskId = await queue(b, { format, _list: "" }, "/slow-books");
      await waitFor("the export to write rows", async () => (await taskState(db.pool, taskId)).processed > 0);
      const cancel = await b.post(`/tasks/${taskId}/cancel`, {});
      expect(cancel.status).toBe(303);
      const { final } = await waitForEnd(db.pool, taskId);
      expect(final.status).toBe("CANCELLED");
      expect(final.total).toBe(40_300);
      expect(final.processed).toBeLessThan(final.total);
      expect((await db.pool.query(`SELECT count(*)::int AS n FROM powercrud.export_file WHERE "taskId" = $1`, [taskId])).rows[0].n).toBe(0);
      const answer = await download(b, taskId);
      expect(answer.status).toBe(404);
      expect(answer.text).toContain("ended without a file (cancelled)");
    } finally {
      await db.pool.query(`DROP TRIGGER test_slow_chunk ON powercrud.export_chunk; DROP FUNCTION test_slow_chunk()`);
      await db.pool.query(`DELETE FROM "Book" WHERE title LIKE 'Slow %'`);
    }
  });
});
