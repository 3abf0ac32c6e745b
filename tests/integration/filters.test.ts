/**
 * The filter panel against the real Postgres: the relation combobox's choices route (search, pages,
 * permission, bad input), the list page without embedded choices and its no-JavaScript search,
 * many-to-many any / all, date presets, optional filters behind "Add filter", and the chips and badge.
 * Rows shown are always compared with an independent SQL query.
 */
import { describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { dataModel } from "../../src/generated/powercrud";
import { DATE_PRESETS } from "../../src/list/date-presets";
import { activeFilters, filterSpecs, whereSql } from "../../src/list/filters";
import { ConfigError } from "../../src/index";
import { bareApp, serveBareApp, rowIds, unescapeHtml, type TestUser } from "../support/bare-app";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let mountBooks: (options: Record<string, unknown>) => unknown;

const BOOKS = 120;
const AUTHORS = 60;
const FILTERS = ["status", "author", "editor", "genres", "bestseller", "price", "pages", "publishedDate", "createdAt"];

const served = serveBareApp(db, async () => {
  await seedCatalogue(db.pool, { books: BOOKS, authors: AUTHORS, genres: 8 });
  // Known cases: wildcard characters in names, and dates around today (UTC), whatever day the tests run.
  await db.pool.query(`UPDATE "Author" SET name = 'Percent 100% Lee' WHERE id = 1`);
  await db.pool.query(`UPDATE "Author" SET name = 'Under_Score Ray' WHERE id = 2`);
  await db.pool.query(`UPDATE "Author" SET name = 'Underxscore Ray' WHERE id = 3`);
  const today = `(now() AT TIME ZONE 'UTC')::date`;
  const offsets: Array<[number, string]> = [
    [1, "0"], [2, "1"], [3, "6"], [4, "7"], [5, "29"], [6, "30"], [7, `extract(day from ${today})::int - 1`],
    [8, `extract(day from ${today})::int`], [9, `extract(doy from ${today})::int - 1`], [10, `extract(doy from ${today})::int`], [11, "-1"],
  ];
  for (const [id, daysBack] of offsets) {
    await db.pool.query(`UPDATE "Book" SET "publishedDate" = ${today} - (${daysBack}), "createdAt" = (${today} - (${daysBack}))::timestamp + interval '13 hours' WHERE id = $1`, [id]);
  }
  await db.pool.query(`ANALYZE "Book", "Author"`);

  return bareApp(db, (app, crud) => {
    const book = (options: Record<string, unknown> = {}) =>
      crud.resource({ model: "Book", labels: { publishedDate: "Published" }, list: { filters: FILTERS, search: ["title"] }, ...options });
    mountBooks = (options) => book(options);
    app.use("/books", book());
    app.use("/books-tidy", book({ list: { filters: FILTERS, search: ["title"], defaultFilters: ["status", "authorId", "genres"] } }));
    app.use("/books-admins", book({ permissions: { list: ({ user }: { user?: TestUser }) => user?.role === "admin" || "Only admins list books." } }));
    app.use("/books-unlisted", book({ routes: { list: false } }));
  });
});

// ------------------------------------------------------------------ helpers

async function ids(sql: string, params: unknown[] = []): Promise<number[]> {
  return (await db.pool.query<{ id: number }>(sql, params)).rows.map((row) => row.id);
}

/** Ids of the books matching a condition on b, newest first: the list's default order. */
function matching(condition: string, params: unknown[] = []): Promise<number[]> {
  return ids(`SELECT b.id FROM "Book" b WHERE ${condition} ORDER BY b.id DESC`, params);
}

async function shown(query: string, base = "/books"): Promise<number[]> {
  const response = await served.browser.get(`${base}?${query}&size=all`);
  expect(response.status, query).toBe(200);
  return rowIds(response.text);
}

/** The options of a choices answer: value and label, in order. */
function choicesOf(html: string): Array<{ value: string; label: string }> {
  return [...html.matchAll(/<li role="option" data-value="([^"]*)">([^<]*)<\/li>/g)].map((match) => ({ value: match[1]!, label: unescapeHtml(match[2]!) }));
}

function statusOf(html: string): string {
  return unescapeHtml(/<p data-pc-choices-status>([^<]*)<\/p>/.exec(html)?.[1] ?? "");
}

/** Authors in label order, as the combobox lists them: id as text and name. */
async function authors(condition = "true", params: unknown[] = []): Promise<Array<{ value: string; label: string }>> {
  return (await db.pool.query(`SELECT id::text AS value, name AS label FROM "Author" WHERE ${condition} ORDER BY name, id`, params)).rows;
}

function filterForm(html: string): string {
  const match = /<form method="get"[^>]*class="pc-filters[\s\S]*?<\/form>/.exec(html);
  expect(match, "filter form").not.toBeNull();
  return match![0];
}

function chips(html: string): Array<{ label: string; href: string }> {
  return [...html.matchAll(/<a class="badge badge-outline gap-1" href="([^"]*)"[^>]*aria-label="Remove filter ([^"]*)"/g)].map((match) => ({
    label: unescapeHtml(match[2]!),
    href: unescapeHtml(match[1]!),
  }));
}

function badge(html: string): string | undefined {
  return /<summary class="btn btn-sm">Filters <span class="badge badge-primary badge-sm">(\d+)/.exec(html)?.[1];
}

function fieldset(html: string, name: string): string {
  const match = new RegExp(`<fieldset class="fieldset" id="pc-filter-${name}"[\\s\\S]*?</fieldset>`).exec(html);
  expect(match, `fieldset of ${name}`).not.toBeNull();
  return match![0];
}

const UTC_TODAY = `(now() AT TIME ZONE 'UTC')::date`;

// ------------------------------------------------------------------ the choices route

describe("GET /_filter-choices/:filter", () => {
  it("lists the first page of related records in display-field order, says how many match and that more follow", async () => {
    const response = await served.browser.get("/books/_filter-choices/author");
    expect(response.status).toBe(200);
    const all = await authors();
    expect(choicesOf(response.text)).toEqual(all.slice(0, 20));
    expect(response.text).toContain("data-pc-more");
    expect(statusOf(response.text)).toBe(`${AUTHORS} authors match.`);
  });

  it("pages on through every record, each once, the last page without more", async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 3; page += 1) {
      const response = await served.browser.get(`/books/_filter-choices/author?page=${page}`);
      expect(response.status).toBe(200);
      seen.push(...choicesOf(response.text).map((choice) => choice.value));
      expect(response.text.includes("data-pc-more"), `page ${page}`).toBe(page < 3);
    }
    expect(seen).toEqual((await authors()).map((author) => author.value));
  });

  it("searches the display field, case-insensitively, and counts the matches", async () => {
    const response = await served.browser.get(`/books/_filter-choices/editor?q=${encodeURIComponent("  RAY ")}`);
    expect(response.status).toBe(200);
    const expected = await authors(`name ILIKE '%ray%'`);
    expect(expected.length).toBeGreaterThan(1);
    expect(choicesOf(response.text)).toEqual(expected);
    expect(response.text).not.toContain("data-pc-more");
    expect(statusOf(response.text)).toBe(`${expected.length} authors match.`);
  });

  it("matches % and _ as themselves", async () => {
    expect(choicesOf((await served.browser.get(`/books/_filter-choices/author?q=${encodeURIComponent("100%")}`)).text).map((c) => c.value)).toEqual(["1"]);
    expect(choicesOf((await served.browser.get(`/books/_filter-choices/author?q=${encodeURIComponent("under_")}`)).text).map((c) => c.value)).toEqual(["2"]);
  });

  it("serves many-to-many filters from the related table, and says when one or none match", async () => {
    const genre = (await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM "Genre" ORDER BY id LIMIT 1`)).rows[0]!;
    const one = await served.browser.get(`/books/_filter-choices/genres?q=${encodeURIComponent(genre.name)}`);
    expect(choicesOf(one.text)).toEqual([{ value: String(genre.id), label: genre.name }]);
    expect(statusOf(one.text)).toBe("1 genre matches.");
    const none = await served.browser.get(`/books/_filter-choices/genres?q=zzzz-no-such-genre`);
    expect(choicesOf(none.text)).toEqual([]);
    expect(statusOf(none.text)).toBe("No genres match.");
  });

  it("needs the list permission", async () => {
    const refused = await served.browser.get("/books-admins/_filter-choices/author", { "x-test-role": "viewer" });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Only admins list books.");
    expect(choicesOf(refused.text)).toEqual([]);
    expect((await served.browser.get("/books-admins/_filter-choices/author")).status).toBe(403);
    expect((await served.browser.get("/books-admins/_filter-choices/author", { "x-test-role": "admin" })).status).toBe(200);
    expect((await served.browser.get("/books-unlisted/_filter-choices/author", { "x-test-role": "admin" })).status).toBe(403);
  });

  it.each([
    ["a field that is no filter", "/books/_filter-choices/title", 404],
    ["a filter that is not a relation", "/books/_filter-choices/status", 404],
    ["an unknown name", "/books/_filter-choices/nope", 404],
    ["a hostile name", `/books/_filter-choices/${encodeURIComponent("author' OR 1=1 --")}`, 404],
    ["a prototype name", "/books/_filter-choices/__proto__", 404],
    ["page 0", "/books/_filter-choices/author?page=0", 400],
    ["page 51", "/books/_filter-choices/author?page=51", 400],
    ["a page that is no number", "/books/_filter-choices/author?page=abc", 400],
    ["an exponent page", "/books/_filter-choices/author?page=1e2", 400],
    ["a huge page", "/books/_filter-choices/author?page=99999999999999999999", 400],
  ])("answers %s with a 4xx and a message", async (_case, path, status) => {
    const response = await served.browser.get(path);
    expect(response.status).toBe(status);
    expect(choicesOf(response.text)).toEqual([]);
    if (status === 400) expect(response.text).toContain("page must be a whole number from 1 to 50.");
  });

  it.each([
    ["a NUL character", "q=a%00b", []],
    ["a huge search (cut to 200 characters)", `q=${"x".repeat(6_000)}`, []],
    ["an injection", `q=${encodeURIComponent("' OR 1=1 --")}`, []],
    ["a repeated q (the first counts)", "q=percent&q=ray", ["1"]],
  ])("answers %s with choices, never a 500", async (_case, query, expected) => {
    const response = await served.browser.get(`/books/_filter-choices/author?${query}`);
    expect(response.status).toBe(200);
    expect(choicesOf(response.text).map((choice) => choice.value)).toEqual(expected);
  });
});

// ------------------------------------------------------------------ the list page

describe("relation filters on the list page", () => {
  it("embed no related records: the combobox loads them, and only the chosen ones are in the page, as chips and selected options", async () => {
    const plain = await served.browser.get("/books");
    const form = filterForm(plain.text);
    expect(form).toContain('data-pc-choices-url="/books/_filter-choices/author"');
    expect(form).toContain('role="combobox"');
    for (const author of await authors()) expect(form).not.toContain(`>${author.label}<`);

    const [first, second] = await authors("id IN (5, 7)");
    const chosen = filterForm((await served.browser.get("/books?author=5,7")).text);
    const chipNames = [...fieldset(chosen, "author").matchAll(/<li class="badge[^"]*" data-value="(\d+)">\s*<span>([^<]*)<\/span>/g)].map((m) => [m[1], unescapeHtml(m[2]!)]);
    expect(chipNames.sort()).toEqual([[first!.value, first!.label], [second!.value, second!.label]].sort());
    const selected = [...fieldset(chosen, "author").matchAll(/<option value="(\d+)" selected>/g)].map((m) => m[1]).sort();
    expect(selected).toEqual(["5", "7"]);
    expect(fieldset(chosen, "author")).toContain(`aria-label="Remove ${first!.label} from Author"`);
  });

  it("without JavaScript, the search box's text lists the matches to choose from (not chosen) next to the chosen ones", async () => {
    const response = await served.browser.get(`/books?author=5&author.q=ray`);
    expect(response.status).toBe(200);
    expect(rowIds(response.text)).toEqual((await matching(`b."authorId" = 5`)).slice(0, 25));
    const control = fieldset(response.text, "author");
    const options = [...control.matchAll(/<option value="(\d+)"( selected)?>([^<]*)</g)].map((m) => ({ value: m[1], selected: Boolean(m[2]) }));
    const rays = (await authors(`name ILIKE '%ray%' AND id <> 5`)).map((author) => ({ value: author.value, selected: false }));
    expect(options).toEqual([{ value: "5", selected: true }, ...rays]);
    expect(control).toMatch(new RegExp(`${rays.length} of ${rays.length + ((await authors(`id = 5 AND name ILIKE '%ray%'`)).length)} matches listed`));
    // The search text is not a filter: links and the canonical URL leave it out.
    expect(response.text).toContain('data-pc-current-url="/books/?author=5"');
  });

  it("an empty search box lists nothing without JavaScript (every Apply sends it)", async () => {
    const control = fieldset((await served.browser.get(`/books?author.q=&genres.q=`)).text, "author");
    expect(control).not.toMatch(/<option /);
    expect(control).toContain("Type part of a name and Apply to list the matches.");
  });

  it("chosen ids that name no record show as their id and match nothing", async () => {
    const response = await served.browser.get(`/books?author=2147483647`);
    expect(rowIds(response.text)).toEqual([]);
    expect(chips(response.text).map((chip) => chip.label)).toEqual(["Author: is 2147483647"]);
  });
});

describe("many-to-many: any or all of the chosen records", () => {
  const linked = (genre: number) => `EXISTS (SELECT 1 FROM "_BookToGenre" g WHERE g."A" = b.id AND g."B" = ${genre})`;

  it("any: books linked to at least one; all: books linked to every one, as independent SQL says", async () => {
    expect(await shown("genres=1,2,3")).toEqual(await matching(`(${linked(1)} OR ${linked(2)} OR ${linked(3)})`));
    const both = await matching(`${linked(1)} AND ${linked(2)}`);
    expect(both.length).toBeGreaterThan(0);
    expect(await shown("genres=1,2&genres.all=1")).toEqual(both);
    expect(await shown("genres=1,2,4&genres.all=1")).toEqual(await matching(`${linked(1)} AND ${linked(2)} AND ${linked(4)}`));
  });

  it("all of one record is any of it; a record no book has empties all-of", async () => {
    expect(await shown("genres=3&genres.all=1")).toEqual(await matching(linked(3)));
    await db.pool.query(`INSERT INTO "Genre" (id, name) VALUES (999, 'Unused genre') ON CONFLICT DO NOTHING`);
    try {
      expect(await shown("genres=1,999&genres.all=1")).toEqual([]);
      expect(await shown("genres=1,999")).toEqual(await matching(linked(1)));
    } finally {
      await db.pool.query(`DELETE FROM "Genre" WHERE id = 999`);
    }
  });

  it("the match mode is a radio pair in the panel and part of the chip and the canonical URL", async () => {
    const response = await served.browser.get("/books?genres=1,2&genres.all=1");
    const control = fieldset(response.text, "genres");
    expect(control).toMatch(/name="genres.all" value="1" aria-label="Has all of these" checked/);
    expect(control).not.toMatch(/aria-label="Has any of these" checked/);
    expect(response.text).toContain('data-pc-current-url="/books/?genres=1%2C2&amp;genres.all=1"');
    expect(chips(response.text)[0]!.label).toMatch(/^Genres: all of /);
    expect(chips((await served.browser.get("/books?genres=1,2")).text)[0]!.label).toMatch(/^Genres: any of /);
  });

  it("runs as one grouped pass over the join table, not a count per book", async () => {
    const model = dataModel.models.Book!;
    const where = whereSql(activeFilters(filterSpecs(dataModel, model, ["genres"], {}), { genres: "1,2", "genres.all": "1" }), undefined, model);
    expect(where.clauses[0]).toMatch(/^t\."id" IN \(SELECT m\."A" FROM "_BookToGenre" m WHERE m\."B" = ANY\(\$1::int4\[\]\) GROUP BY m\."A" HAVING count\(DISTINCT m\."B"\) = cardinality\(\$1::int4\[\]\)\)$/);
  });
});

describe("date presets", () => {
  /** A day condition, {d} standing for the column's day and {today} for today's UTC date. */
  const within = (column: string, condition: string) => condition.replaceAll("{d}", `b."${column}"::date`).replaceAll("{today}", UTC_TODAY);
  const PRESET_SQL: Record<string, string> = {
    today: "{d} = {today}",
    yesterday: "{d} = {today} - 1",
    "last-7-days": "{d} BETWEEN {today} - 6 AND {today}",
    "last-30-days": "{d} BETWEEN {today} - 29 AND {today}",
    "this-month": "date_trunc('month', {d}) = date_trunc('month', {today})",
    "last-month": "date_trunc('month', {d}) = date_trunc('month', {today}) - interval '1 month'",
    "this-year": "extract(year FROM {d}) = extract(year FROM {today})",
  };

  it("offers every preset", () => {
    expect(DATE_PRESETS.map((preset) => preset.value).sort()).toEqual(Object.keys(PRESET_SQL).sort());
  });

  it.each(Object.keys(PRESET_SQL))("%s matches the days independent SQL gives, on a date and on a timestamp column", async (preset) => {
    const dated = await matching(within("publishedDate", PRESET_SQL[preset]!));
    expect(dated.length, `${preset} has rows to show`).toBeGreaterThan(0);
    expect(await shown(`publishedDate.preset=${preset}`)).toEqual(dated);
    expect(await shown(`createdAt.preset=${preset}`)).toEqual(await matching(within("createdAt", PRESET_SQL[preset]!)));
  });

  it("stays a preset: the URL, chip and panel keep its name, not its dates", async () => {
    const response = await served.browser.get("/books?publishedDate.preset=last-7-days");
    expect(response.text).toContain('data-pc-current-url="/books/?publishedDate.preset=last-7-days"');
    expect(chips(response.text).map((chip) => chip.label)).toEqual(["Published: last 7 days"]);
    const control = fieldset(response.text, "publishedDate");
    expect(control).toContain('<option value="last-7-days" selected>Last 7 days</option>');
    expect(control).toMatch(/class="pc-date-range[^"]*" data-pc-off/);
  });

  it("wins over a range sent with it; a custom range shows its dates with the range open", async () => {
    const both = await served.browser.get("/books?publishedDate.preset=today&publishedDate.min=1950-01-01&publishedDate.max=2100-01-01&size=all");
    expect(rowIds(both.text)).toEqual(await matching(`b."publishedDate" = ${UTC_TODAY}`));
    expect(both.text).toContain('data-pc-current-url="/books/?publishedDate.preset=today&amp;size=all"');
    const custom = await served.browser.get("/books?publishedDate.preset=custom&publishedDate.min=1960-01-01&publishedDate.max=1960-12-31&size=all");
    expect(rowIds(custom.text)).toEqual(await matching(`b."publishedDate" BETWEEN '1960-01-01' AND '1960-12-31'`));
    const control = fieldset(custom.text, "publishedDate");
    expect(control).toContain('<option value="custom" selected>Custom range</option>');
    expect(control).not.toMatch(/class="pc-date-range[^"]*" data-pc-off/);
    expect(control).toContain('value="1960-01-01"');
    expect(chips(custom.text).map((chip) => chip.label)).toEqual(["Published: between 1960-01-01 and 1960-12-31"]);
  });

  it.each([["tomorrow"], ["LAST-7-DAYS"], ["last-7-days "], ["<script>"], [""], ["custom"], ["__proto__"], ["x".repeat(5_000)]])("ignores the unknown preset %#", async (preset) => {
    const response = await served.browser.get(`/books?publishedDate.preset=${encodeURIComponent(preset)}&size=all`);
    expect(response.status).toBe(200);
    expect(rowIds(response.text)).toEqual(await matching("true"));
    expect(response.text).not.toContain("<script>");
  });

  it("is not offered for a number filter", async () => {
    expect(await shown("price.preset=today")).toEqual(await matching("true"));
    expect(fieldset((await served.browser.get("/books")).text, "price")).not.toContain("preset");
  });

  it("applies to an 'all matching' selection as the preset, worked out again on every use", async () => {
    const client = served.browser.fork();
    await client.get("/books?publishedDate.preset=last-30-days", { "x-test-role": "admin" });
    const response = await client.post("/books/_selection", { op: "all", _list: "publishedDate.preset=last-30-days" }, {
      "x-test-role": "admin",
      "HX-Request": "true",
      "HX-Current-URL": `${client.origin}/books?publishedDate.preset=last-30-days`,
    });
    expect(response.status).toBe(200);
    const stored = await db.pool.query<{ filterQuery: string }>(`SELECT "filterQuery" FROM powercrud.selection WHERE "filterQuery" LIKE '%preset%'`);
    expect(stored.rows.map((row) => row.filterQuery)).toContain("publishedDate.preset=last-30-days");
    const list = await client.get("/books?publishedDate.preset=last-30-days", { "x-test-role": "admin" });
    const expected = await matching(within("publishedDate", PRESET_SQL["last-30-days"]!));
    expect(unescapeHtml(list.text)).toContain(`<strong>${expected.length}</strong> selected: all matching`);
    expect(unescapeHtml(list.text)).toMatch(/data-testid="pc-selection-filter">Published: last 30 days</);
  });
});

describe("optional filters behind Add filter (list.defaultFilters)", () => {
  it("shows the default filters and offers the others, each a link that adds it", async () => {
    const response = await served.browser.get("/books-tidy");
    for (const name of ["status", "author", "genres"]) expect(fieldset(response.text, name)).not.toMatch(/^<fieldset[^>]* hidden>/);
    for (const name of ["editor", "bestseller", "price", "pages", "publishedDate", "createdAt"]) {
      expect(fieldset(response.text, name), name).toMatch(/^<fieldset[^>]* hidden>/);
      expect(fieldset(response.text, name), name).toContain(`<input type="hidden" name="add" value="${name}" disabled>`);
    }
    const links = [...response.text.matchAll(/<a href="([^"]*)" data-pc-add-filter="([^"]*)"/g)].map((m) => [m[2], unescapeHtml(m[1]!)]);
    expect(links).toEqual(["editor", "bestseller", "price", "pages", "publishedDate", "createdAt"].map((name) => [name, `/books-tidy/?add=${name}#pc-filter-${name}`]));
    // The default list has every filter in view and no menu.
    expect((await served.browser.get("/books")).text).not.toContain("data-pc-add-filter");
  });

  it("shows an added filter, empty, until it is removed; a filter with a value shows anyway", async () => {
    const added = await served.browser.get("/books-tidy?add=pages,price");
    for (const name of ["pages", "price"]) {
      expect(fieldset(added.text, name)).not.toMatch(/^<fieldset[^>]* hidden>/);
      expect(fieldset(added.text, name)).toContain(`<input type="hidden" name="add" value="${name}">`);
    }
    expect(added.text).not.toContain('data-pc-add-filter="pages"');
    expect(added.text).toContain('data-pc-current-url="/books-tidy/?add=price%2Cpages"');

    const valued = await served.browser.get("/books-tidy?pages.min=500&size=100");
    expect(fieldset(valued.text, "pages")).not.toMatch(/^<fieldset[^>]* hidden>/);
    expect(rowIds(valued.text)).toEqual(await matching("b.pages >= 500"));
    // A value is reason enough: the canonical URL does not name it in add.
    expect((await served.browser.get("/books-tidy?pages.min=500&add=pages")).text).toContain('data-pc-current-url="/books-tidy/?pages.min=500"');
  });

  it("removing a filter's chip takes it out of the panel too", async () => {
    const response = await served.browser.get("/books-tidy?pages.min=500&add=pages,price");
    const chip = chips(response.text).find((candidate) => candidate.label.startsWith("Pages"))!;
    expect(chip.href).toBe("/books-tidy/?add=price");
  });

  it.each([["nope"], ["status"], ["__proto__"], ["constructor"], ["pages%00"], ["pages,pages,nope"], ["x".repeat(5_000)]])("ignores the add value %#", async (value) => {
    const response = await served.browser.get(`/books-tidy?add=${value}`);
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/data-pc-current-url="\/books-tidy\/(\?add=pages)?"/);
  });

  it("refuses names at mount that are not among the filters (a relation may be named by its key)", () => {
    expect(() => mountBooks({ list: { filters: FILTERS, defaultFilters: ["status", "title"] } })).toThrow(ConfigError);
    expect(() => mountBooks({ list: { filters: FILTERS, defaultFilters: ["status", "title"] } })).toThrow(/list.defaultFilters: "title" is not one of list.filters \(valid: status, author, editor/);
    expect(() => mountBooks({ list: { filters: FILTERS, defaultFilters: ["nope"] } })).toThrow(/list.defaultFilters: "nope" is not one of list.filters/);
    expect(() => mountBooks({ list: { filters: ["authorId", "status"], defaultFilters: ["author"] } })).not.toThrow();
    expect(() => mountBooks({ list: { filters: ["author", "status"], defaultFilters: ["authorId"] } })).not.toThrow();
  });
});

describe("active filter chips and the Filters badge", () => {
  it("counts filters, not the search text; the search has its own chip", async () => {
    const searched = await served.browser.get("/books?q=the");
    expect(badge(searched.text)).toBeUndefined();
    expect(chips(searched.text).map((chip) => chip.label)).toEqual(["Search: “the”"]);

    const both = await served.browser.get("/books?q=the&status=DRAFT&price.max=20");
    expect(badge(both.text)).toBe("2");
    expect(chips(both.text).map((chip) => chip.label)).toEqual(["Search: “the”", "Status: is Draft", "Price: up to 20"]);
  });

  it("each chip removes its own filter and keeps the rest; Clear all keeps sort and size", async () => {
    const response = await served.browser.get("/books?q=the&status=DRAFT&price.max=20&sort=-price&size=50&page=2");
    expect(chips(response.text).map((chip) => chip.href)).toEqual([
      "/books/?status=DRAFT&price.max=20&sort=-price&size=50",
      "/books/?q=the&price.max=20&sort=-price&size=50",
      "/books/?q=the&status=DRAFT&sort=-price&size=50",
    ]);
    expect(unescapeHtml(/<a class="link text-sm" href="([^"]*)"[^>]*>Clear all<\/a>/.exec(response.text)![1]!)).toBe("/books/?sort=-price&size=50");
  });

  it("sit outside the filter form, in a list named Active filters", async () => {
    const response = await served.browser.get("/books?status=DRAFT");
    expect(filterForm(response.text)).not.toContain("Remove filter");
    expect(response.text).toMatch(/<ul[^>]*aria-label="Active filters"/);
  });
});
