/**
 * The one relation search (src/model/related-search.ts) behind the filter panel's comboboxes
 * (/_filter-choices) and the form's relation fields (/_choices?page=): both routes give the same
 * matches for the same query; % and _ match themselves; uuid-, cuid- and BigInt-keyed related models
 * work; hostile input gets a 4xx or an empty answer, never a 500; and PostgreSQL's own plans for the
 * SQL the search becomes use the display field's trigram and (name, id) indexes on 50,000 authors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { seedCatalogue } from "../../src/demo/seed";
import { dataModel } from "../../src/generated/powercrud";
import { PrismaClient } from "../../src/generated/prisma/client";
import { keyDomain } from "../../src/model/column-domain";
import { MATCH_COUNT_LIMIT, relatedChoices, searchRelated, type RelatedModel } from "../../src/model/related-search";
import { bareApp, expectNoServerErrors, optionsOf, unescapeHtml } from "../support/bare-app";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let browser: TestClient;
let logged: unknown[];

const AUTHORS = 50_000;
const LEDGER_START = 9_007_199_254_740_993n;

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 50, authors: AUTHORS, genres: 8 });
  await db.pool.query(`UPDATE "Author" SET name = 'Percent 100% Quill' WHERE id = 1`);
  await db.pool.query(`UPDATE "Author" SET name = 'Under_Score Quill' WHERE id = 2`);
  await db.pool.query(`UPDATE "Author" SET name = 'Underxscore Quill' WHERE id = 3`);
  await db.pool.query(`UPDATE "Author" SET name = 'Back\\slash Quill' WHERE id = 4`);
  await db.pool.query(`ANALYZE "Author"`);
  await db.pool.query(`DELETE FROM powercrud.selection`);
  await db.pool.query(`DELETE FROM "Ledger"`);
  await db.pool.query(`DELETE FROM "Coupon"`);
  await db.pool.query(`DELETE FROM "Tag"`);
  await db.pool.query(`ALTER SEQUENCE "Ledger_id_seq" RESTART WITH ${LEDGER_START}`);
  for (let i = 1; i <= 30; i++) await db.prisma.tag.create({ data: { name: `Tag ${String(i).padStart(2, "0")}` } });
  for (let i = 1; i <= 30; i++) await db.prisma.coupon.create({ data: { code: `C${String(i).padStart(3, "0")}`, percent: 10 } });
  await db.pool.query(`INSERT INTO "Ledger" (memo, amount) SELECT 'entry ' || n, n FROM generate_series(1, 12) n`);

  const { app, errors } = bareApp(db, (app, crud) => {
    app.use("/books", crud.resource({ model: "Book", list: { filters: ["author", "editor", "genres"] } }));
    app.use("/ledgers", crud.resource({ model: "Ledger", list: { filters: ["coupon"] } }));
    app.use("/coupons", crud.resource({ model: "Coupon", list: { filters: ["campaign", "tags"] } }));
  });
  logged = errors;
  browser = await TestClient.start(app);
}, 60_000);

afterEach(() => expectNoServerErrors(logged));

afterAll(async () => {
  await browser?.close();
  await db.close();
});

/** The options of a choices answer; the renderer writes a backslash as &#92;. */
function choicesOf(html: string): Array<{ value: string; label: string }> {
  const text = (escaped: string) => unescapeHtml(escaped).replaceAll("&#92;", "\\");
  return [...html.matchAll(/<li role="option" data-value="([^"]*)">([^<]*)<\/li>/g)].map((match) => ({ value: text(match[1]!), label: text(match[2]!) }));
}

function statusOf(html: string): string {
  return unescapeHtml(/<p data-pc-choices-status>([^<]*)<\/p>/.exec(html)?.[1] ?? "");
}

/** The same search through both routes: the filter's and the form field's. */
async function bothRoutes(base: string, filter: string, field: string, query: string) {
  const [filtered, formed] = await Promise.all([
    browser.get(`${base}/_filter-choices/${filter}?${query}`),
    browser.get(`${base}/_choices/${field}?${/(^|&)page=/.test(query) ? "" : "page=1&"}${query}`),
  ]);
  expect(filtered.status, `${base} filter ${query}`).toBe(200);
  expect(formed.status, `${base} form ${query}`).toBe(200);
  return { filter: { choices: choicesOf(filtered.text), status: statusOf(filtered.text) }, form: { choices: choicesOf(formed.text), status: statusOf(formed.text) } };
}

describe("one search for both routes", () => {
  it.each([
    ["/books", "author", "authorId", ""],
    ["/books", "author", "authorId", "q=quill"],
    ["/books", "author", "authorId", `q=${encodeURIComponent("  QUILL ")}`],
    ["/books", "author", "authorId", "q=a&page=3"],
    ["/books", "editor", "editorId", "q=ra"],
    ["/books", "genres", "genres", "q=o"],
    ["/ledgers", "coupon", "couponId", "q=c01"],
    ["/coupons", "campaign", "campaignId", "q=tag%201"],
    ["/coupons", "tags", "tags", "q=2"],
  ])("%s %s / %s with %o: the same choices and status, as independent SQL lists them", async (base, filter, field, query) => {
    const answers = await bothRoutes(base, filter, field, query);
    expect(answers.form).toEqual(answers.filter);
    expect(answers.filter.status).not.toBe("");
  });

  it("lists authors in name order, matching the name anywhere, case-insensitively", async () => {
    const { filter } = await bothRoutes("/books", "author", "authorId", "q=QUILL");
    const expected = (await db.pool.query(`SELECT id::text AS value, name AS label FROM "Author" WHERE name ILIKE '%quill%' ORDER BY name, id LIMIT 20`)).rows;
    expect(filter.choices, JSON.stringify(filter.choices)).toEqual(expected);
    expect(filter.choices.length).toBeGreaterThanOrEqual(4);
  });

  it("matches %, _ and \\ as themselves", async () => {
    for (const [text, id] of [["100%", "1"], ["under_", "2"], ["back\\s", "4"]] as const) {
      const answers = await bothRoutes("/books", "author", "authorId", `q=${encodeURIComponent(text)}`);
      expect(answers.filter.choices.map((choice) => choice.value), text).toEqual([id]);
      expect(answers.form).toEqual(answers.filter);
      expect(answers.filter.status).toBe("1 author matches.");
    }
    const none = await bothRoutes("/books", "author", "authorId", `q=${encodeURIComponent("%_%")}`);
    expect(none.filter).toEqual({ choices: [], status: "No authors match." });
    expect(none.form).toEqual(none.filter);
  });

  it("counts up to the limit and says so past it", async () => {
    const { filter, form } = await bothRoutes("/books", "author", "authorId", "q=a");
    expect(filter.status).toBe(`More than ${MATCH_COUNT_LIMIT.toLocaleString("en")} authors match: type more to narrow them down.`);
    expect(form.status).toBe(filter.status);
  });
});

describe("the form's relation fields", () => {
  /** The markup of one form field's fieldset. */
  function fieldOf(html: string, name: string): string {
    const match = new RegExp(`<fieldset [^>]*data-pc-field="${name}"[\\s\\S]*?</fieldset>`).exec(html);
    expect(match, name).not.toBeNull();
    return match![0];
  }

  it("a large related model is a combobox over a real select that posts without JavaScript; a small one a plain select", async () => {
    const form = await browser.get("/books/1/edit");
    expect(form.status).toBe(200);
    const authorId = String((await db.pool.query(`SELECT "authorId" FROM "Book" WHERE id = 1`)).rows[0].authorId);
    const author = fieldOf(form.text, "authorId");
    expect(author).toContain(`data-pc-combobox data-pc-choices-url="/books/_choices/authorId" data-pc-label="Author" data-pc-single`);
    expect(author).toContain(`<label class="fieldset-legend" for="f-authorId-search">`);
    expect(author).toMatch(/role="combobox"[^>]*aria-controls="f-authorId-listbox"/);
    expect(author).toMatch(/<li class="badge[^"]*" data-value="\d+">/);
    // The select: the stored author chosen, then the first 100 by name; not `required`, the server checks.
    const select = /<select[^>]*name="authorId"[^>]*>/.exec(author)![0];
    expect(select).not.toContain("required");
    const options = optionsOf(author).filter((option) => option.value !== "");
    expect(options.filter((option) => option.selected).map((option) => option.value)).toEqual([authorId]);
    expect(options.length).toBeGreaterThanOrEqual(100);
    expect(options.length).toBeLessThanOrEqual(101);
    // Eight genres: listed inline, no combobox.
    const genres = fieldOf(form.text, "genres");
    expect(genres).not.toContain("data-pc-combobox");
    expect(optionsOf(genres)).toHaveLength(8);
  });
});

describe("ids of every type", () => {
  const ledger: RelatedModel = { model: "Ledger", idField: "id", labelField: "memo", labelIsText: true, key: keyDomain(dataModel, "Ledger") };

  it("a uuid-keyed related model (ledger → coupon): chosen records keep their uuid, a search finds them", async () => {
    const coupon = (await db.pool.query<{ id: string }>(`SELECT id::text FROM "Coupon" WHERE code = 'C007'`)).rows[0]!.id;
    const answers = await bothRoutes("/ledgers", "coupon", "couponId", "q=c007");
    expect(answers.filter.choices).toEqual([{ value: coupon, label: "C007" }]);
    const select = await browser.get(`/ledgers/_choices/couponId?couponId=${coupon}&couponId=not-a-uuid`, { "HX-Request": "true" });
    expect(select.status).toBe(200);
    expect(select.text).toContain(`<option value="${coupon}" selected>C007</option>`);
  });

  it("a BigInt-keyed related model: ids past 2^53 come back exact, and chosen ids are found by them", async () => {
    const page = await searchRelated(db.prisma, ledger, { search: "entry 1", page: 1, pageSize: 10 });
    expect(page.options.map((choice) => choice.value)).toEqual(
      (await db.pool.query(`SELECT id::text AS id FROM "Ledger" WHERE memo ILIKE '%entry 1%' ORDER BY memo, id`)).rows.map((row) => row.id),
    );
    const last = String(LEDGER_START + 11n);
    expect(await relatedChoices(db.prisma, ledger, [last, "12.5", "-", String(LEDGER_START + 99n)])).toEqual([{ value: last, label: "entry 12" }]);
  });

  it("a display field that is not text is searched by id (a BigInt one too)", async () => {
    const byAmount: RelatedModel = { ...ledger, labelField: "amount", labelIsText: false };
    const id = String(LEDGER_START + 2n);
    expect((await searchRelated(db.prisma, byAmount, { search: id, page: 1, pageSize: 10 })).options).toEqual([{ value: id, label: "3" }]);
    expect((await searchRelated(db.prisma, byAmount, { search: "entry", page: 1, pageSize: 10 })).matches).toBe(0);
  });
});

describe("hostile input", () => {
  it.each([
    "q=%00",
    `q=${encodeURIComponent("a\u0000b")}`,
    `q=${"x".repeat(5_000)}`,
    "q=a&q=b",
    "q[x]=1",
    `q=${encodeURIComponent("' OR 1=1 --")}`,
    `q=${encodeURIComponent("\\")}`,
    `q=${encodeURIComponent("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e")}`,
  ])("%s: both routes answer 200 with choices from the table", async (query) => {
    const answers = await bothRoutes("/books", "author", "authorId", query);
    expect(answers.form).toEqual(answers.filter);
  });

  it.each(["page=0", "page=51", "page=abc", "page=1e2", "page=-1", "page=99999999999999999999"])("%s: both routes answer 400", async (query) => {
    const filtered = await browser.get(`/books/_filter-choices/author?${query}`);
    const formed = await browser.get(`/books/_choices/authorId?${query}`);
    expect(filtered.status).toBe(400);
    expect(formed.status).toBe(400);
    expect(formed.text).toContain("page must be a whole number from 1 to 50.");
  });

  it("a form field that is no relation, or unknown, is a 404 with its name cut short", async () => {
    expect((await browser.get("/books/_choices/title?page=1")).status).toBe(404);
    const long = await browser.get(`/books/_choices/${"z".repeat(300)}?page=1`);
    expect(long.status).toBe(404);
    expect(long.text).not.toContain("z".repeat(41));
  });
});

describe("the SQL the search becomes, by PostgreSQL's plans on 50,000 authors", () => {
  interface PlanNode { "Node Type": string; "Index Name"?: string; "Relation Name"?: string; Plans?: PlanNode[] }
  const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];
  const author: RelatedModel = { model: "Author", idField: "id", labelField: "name", labelIsText: true, key: keyDomain(dataModel, "Author") };

  /** Runs the search on a client that reports its statements, and explains each with its parameters. */
  async function plansOf(search: string) {
    const statements: Array<{ query: string; params: unknown[] }> = [];
    const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }), log: [{ emit: "event", level: "query" }] });
    client.$on("query", (event) => statements.push({ query: event.query, params: JSON.parse(event.params) }));
    try {
      await searchRelated(client, author, { search, page: 1, pageSize: 20 });
    } finally {
      await client.$disconnect();
    }
    const page = statements.find((statement) => /ORDER BY/.test(statement.query) && !/COUNT\(/i.test(statement.query));
    const count = statements.find((statement) => /COUNT\(/i.test(statement.query));
    expect(page && count, statements.map((statement) => statement.query).join("\n")).toBeTruthy();
    const explain = async (statement: { query: string; params: unknown[] }) =>
      nodes((await db.pool.query(`EXPLAIN (FORMAT JSON) ${statement.query}`, statement.params)).rows[0]!["QUERY PLAN"][0].Plan);
    return { page: await explain(page!), count: await explain(count!), sql: page!.query };
  }

  const seqScan = (plan: PlanNode[]) => plan.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "Author");
  const uses = (plan: PlanNode[], index: string) => plan.some((node) => node["Index Name"] === index);

  it("no search: walks the (name, id) index and stops after a page", async () => {
    const plan = await plansOf("");
    expect(uses(plan.page, "Author_name_id_idx"), plan.sql).toBe(true);
    expect(plan.page.some((node) => node["Node Type"] === "Sort")).toBe(false);
    expect(seqScan(plan.page)).toBe(false);
  });

  it("a rare name: found through the trigram index, page and count alike", async () => {
    const plan = await plansOf("quill");
    expect(plan.sql).toMatch(/ILIKE/);
    expect(uses(plan.page, "Author_name_trgm_idx"), plan.sql).toBe(true);
    expect(uses(plan.count, "Author_name_trgm_idx")).toBe(true);
    expect(seqScan(plan.page) || seqScan(plan.count)).toBe(false);
  });
});
