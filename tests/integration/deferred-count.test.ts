/**
 * On a large table a list page does not wait for a slow exact count: it shows the planner's estimate
 * as soon as its rows are there and loads the exact total right after (GET _count), reusing the
 * count the page started. Small tables are always counted before their page is shown.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { dataModel } from "../../src/generated/powercrud";
import { listTotal, pageOfIds } from "../../src/list/list-query";
import type { SqlWhere } from "../../src/list/filters";
import type { ListState } from "../../src/list/list-state";
import { modelOf } from "../../src/model/relations";
import { bareApp } from "../support/bare-app";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
const BOOKS = 20_000;
const Book = modelOf(dataModel, "Book");
const state: ListState = { page: 1, pageSize: 10, all: false, sort: [], search: "", filters: [], shownFilters: [] };
/** 200 books, each costing 2 ms to match: the page's 10 take 20 ms, counting all 200 takes 400 ms. */
const slow: SqlWhere = { clauses: ["t.id <= 200", `pg_sleep(0.002 + 0 * t.id)::text = ''`], params: [] };
let browser: TestClient;

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: BOOKS, authors: 50, genres: 10 });
  const { app } = bareApp(db, (app, crud) => {
    app.use("/books", crud.resource({ model: "Book", list: { fields: ["title", "status"], filters: ["status"], countThreshold: 1_000, countTimeoutMs: 10_000 } }));
  });
  browser = await TestClient.start(app);
}, 60_000);
afterAll(async () => {
  await browser.close();
  await db.close();
});

describe("a slow count on a large table", () => {
  it("shows the page with the estimate when its rows are ready, and the running count then answers exactly", async () => {
    const started = performance.now();
    const page = await pageOfIds(db.pool, Book, [], state, slow, { threshold: 1_000, timeoutMs: 10_000 });
    expect(performance.now() - started).toBeLessThan(300);
    expect(page).toMatchObject({ totalKind: "estimate", counting: true });
    expect(page.ids).toEqual(Array.from({ length: 10 }, (_, index) => 200 - index));
    expect(await listTotal(db.pool, Book, slow, { threshold: 1_000, timeoutMs: 10_000 })).toEqual({ total: 200, totalKind: "exact" });
  });

  it("below 10,000 rows (or below countThreshold) the page waits for its exact count", async () => {
    const page = await pageOfIds(db.pool, Book, [], state, slow, { threshold: BOOKS + 1, timeoutMs: 10_000 });
    expect(page).toMatchObject({ total: 200, totalKind: "exact" });
    expect(page.counting).toBeUndefined();
  });

  it("GET _count answers the range line with the exact total, and nothing more to load", async () => {
    const drafts = Number((await db.pool.query(`SELECT count(*) AS n FROM "Book" WHERE status = 'DRAFT'`)).rows[0].n);
    const response = await browser.get("/books/_count?status=DRAFT&page=2", { "hx-request": "true" });
    expect(response.status).toBe(200);
    expect(response.text.replace(/\s+/g, " ")).toContain(`Showing 26–50 of ${drafts.toLocaleString("en")}`);
    expect(response.text).toContain('data-testid="pc-range"');
    expect(response.text).not.toContain("hx-get");
  });

  it("a page shown with the estimate loads its count from _count with the list's own query", async () => {
    // Whether this count beats the page's rows depends on the machine; when it does not, the page says where to load it.
    const html = (await browser.get("/books/?status=DRAFT&page=2")).text;
    const countUrl = /data-testid="pc-range" hx-get="([^"]+)"/.exec(html)?.[1];
    if (countUrl) expect(countUrl.replaceAll("&amp;", "&")).toBe("/books/_count?status=DRAFT&page=2");
    else expect(html).not.toContain("<abbr");
  });
});

describe("a count that hit its time limit", () => {
  it("is not tried again for a while with the same limit: the next page shows the estimate at once", async () => {
    const hopeless: SqlWhere = { clauses: ["t.id <= 300", `pg_sleep(0.002 + 0 * t.id)::text = ''`], params: [] };
    const policy = { threshold: BOOKS + 1, timeoutMs: 100 };
    expect(await pageOfIds(db.pool, Book, [], state, hopeless, policy)).toMatchObject({ totalKind: "estimate" });
    const started = performance.now();
    const again = await pageOfIds(db.pool, Book, [], state, hopeless, policy);
    // The page's own 10 rows take 20 ms; a count would take its whole 100 ms limit first.
    expect(performance.now() - started).toBeLessThan(90);
    expect(again).toMatchObject({ totalKind: "estimate" });
    // A longer limit is a new chance.
    expect(await pageOfIds(db.pool, Book, [], state, hopeless, { ...policy, timeoutMs: 10_000 })).toMatchObject({ total: 300, totalKind: "exact" });
  });
});
