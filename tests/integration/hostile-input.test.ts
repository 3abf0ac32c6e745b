/**
 * Hostile input over HTTP, in a bare app against the real PostgreSQL: every value a column could not
 * hold is answered with a 4xx and a message, and nothing is written. Then properties (fast-check, fixed
 * seed) send parsed random values to the database itself, inside transactions that are rolled back.
 */
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { seedCatalogue } from "../../src/demo/seed";
import { dataModel } from "../../src/generated/powercrud";
import { parseForm, toPrismaData } from "../../src/forms";
import { missingRelated, relationChoices } from "../../src/forms/relation-options";
import { activeFilters, whereSql } from "../../src/list/filters";
import { modelOf } from "../../src/model/relations";
import { parseRecordId } from "../../src/web/record-id";
import { HttpError } from "../../src/web/http-error";
import { writeProblem } from "../../src/web/prisma-errors";
import { globalSchema } from "../../src/config/global-schema";
import { resolveResource, type Resource } from "../../src/config/resolve-resource";
import type { ResourceOptions } from "../../src/config/resource-schema";
import { parseOptions } from "../../src/config/schema-helpers";
import { delegateOf } from "../../src/model/relations";
import { bareApp, expectNoServerErrors, unescapeHtml } from "../support/bare-app";
import { connect } from "../support/database";
import { hostileText, hostileValue, PROPERTY_RUNS } from "../support/hostile";
import { TestClient } from "../support/test-client";

const db = connect();
let browser: TestClient;
let logged: unknown[];

const MODAL = { "HX-Request": "true", "HX-Target": "div#pc-modal-content" };
const BAR = { "HX-Request": "true", "HX-Target": "div#pc-selection-bar", "HX-Current-URL": "http://127.0.0.1/books/" };
const validate = {
  isbn: z.string().regex(/^\d{13}$/, "Enter the 13 digits of the ISBN."),
  pages: z.number().int().min(1, "A book has at least 1 page."),
  price: z.string().refine((price) => !price.startsWith("-"), "A price cannot be negative."),
};

const options: Record<string, ResourceOptions> = {
  Book: {
    model: "Book",
    list: { fields: ["title", "author", "pages"], filters: ["author", "editor", "genres", "pages", "price", "publishedDate"], search: ["title", "isbn", "author.name"] },
    bulkFields: ["author", "editor", "genres", "publishedDate", "title", "pages", "price", "description"],
    form: { validate },
  },
  Author: { model: "Author", list: { filters: ["birthDate"] }, bulkFields: ["birthDate", "name"] },
  Genre: { model: "Genre" },
  Coupon: { model: "Coupon", list: { filters: ["percent", "validUntil"], search: ["code"] } },
};

/** The resources as the app resolves them, for the properties that call the parsers directly. */
function resolved(name: string): Resource {
  return resolveResource(parseOptions(globalSchema, { prisma: db.prisma, pool: db.pool, dataModel }, "PowerCRUD"), options[name]!);
}

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 40, authors: 6, genres: 4 });
  await db.pool.query(`DELETE FROM "Coupon"`);
  const mounted = bareApp(db, (app, powerCrud) => {
    app.use("/books", powerCrud.resource(options.Book!));
    app.use("/authors", powerCrud.resource(options.Author!));
    app.use("/genres", powerCrud.resource(options.Genre!));
    app.use("/coupons", powerCrud.resource(options.Coupon!));
    // Host routes whose queries PostgreSQL refuses: the error handler's safety net must answer 4xx.
    const refused: Record<string, () => Promise<unknown>> = {
      "22003": () => db.pool.query("SELECT $1::int4", ["3000000000"]),
      "22008": () => db.pool.query("SELECT $1::date", ["0000-01-01"]),
      "22P02": () => db.pool.query("SELECT $1::uuid", ["not-a-uuid"]),
      "22021": () => db.pool.query("SELECT $1::text", ["a\u0000b"]),
      "54000": () => db.pool.query(`INSERT INTO "Genre" (name) VALUES ($1)`, [randomText(3_000)]),
      "prisma-22003": () => db.prisma.book.create({ data: { title: "x", isbn: "x-overflow", pages: 3_000_000_000, price: "1", author: { connect: { id: 1 } } } }),
      "prisma-54000": () => db.prisma.genre.create({ data: { name: randomText(3_000) } }),
    };
    app.get("/refused/:case", async (req) => {
      await refused[String(req.params.case)]!();
    });
  });
  logged = mounted.errors;
  browser = await TestClient.start(mounted.app);
});

afterEach(() => expectNoServerErrors(logged));

afterAll(async () => {
  await browser?.close();
  await db.close();
});

/** Text that no compression shrinks: random letters and digits. */
function randomText(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return Array.from({ length }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
}

/** A digest of every table user input can reach: equal before and after means nothing was written. */
async function fingerprint(): Promise<string> {
  const { rows } = await db.pool.query<{ digest: string }>(`
    SELECT md5(concat_ws('|',
      (SELECT string_agg(b::text, ',' ORDER BY id) FROM "Book" b),
      (SELECT string_agg(a::text, ',' ORDER BY id) FROM "Author" a),
      (SELECT string_agg(g::text, ',' ORDER BY id) FROM "Genre" g),
      (SELECT string_agg(l::text, ',' ORDER BY "A", "B") FROM "_BookToGenre" l),
      (SELECT string_agg(c::text, ',' ORDER BY id) FROM "Coupon" c))) AS digest`);
  return rows[0]!.digest;
}

async function session(path = "/books/new"): Promise<TestClient> {
  const client = browser.fork();
  expect((await client.get(path)).status).toBe(200);
  return client;
}

function fieldError(html: string, field: string): string | undefined {
  const match = new RegExp(`id="f-${field.replace(".", "\\.")}-error">([^<]*)<`).exec(html);
  return match ? unescapeHtml(match[1]!) : undefined;
}

let isbnCounter = 0;
function validBook(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: "Hostile Input Book", isbn: `977${String(Date.now() % 1e6).padStart(6, "0")}${String(++isbnCounter).padStart(4, "0")}`, pages: "245",
    price: "19.99", publishedDate: "2021-06-15", status: "PUBLISHED", authorId: "1", editorId: "", genres: ["1"], description: "", ...overrides,
  };
}

describe("forms refuse what the column cannot hold, with a field message, and write nothing", () => {
  const bookCases: Array<[string, Record<string, string | string[]>, string, string]> = [
    ["an author id outside int4", { authorId: "3000000000" }, "authorId", "Choose a valid option."],
    ["an editor id outside int4", { editorId: "3000000000" }, "editorId", "Choose a valid option."],
    ["a genre id outside int4", { genres: ["1", "3000000000"] }, "genres", "Choose a valid option."],
    ["pages outside int4", { pages: "2147483647.0000000001" }, "pages", "Enter a whole number."],
    ["year 0000", { publishedDate: "0000-01-01" }, "publishedDate", "Enter a year between 0001 and 9999."],
    ["a NUL in the title", { title: "a\u0000b" }, "title", "Remove the invalid character (NUL)."],
    ["a NUL in the ISBN", { isbn: "978000000000\u0000" }, "isbn", "Remove the invalid character (NUL)."],
    ["a NUL in the description", { description: "x\u0000" }, "description", "Remove the invalid character (NUL)."],
    ["a 3 KB random title", { title: randomText(3_000) }, "title", "At most 500 characters."],
    ["a 90 KB ISBN", { isbn: "9".repeat(90_000) }, "isbn", "At most 500 characters."],
    ["an ISBN that is not 13 digits (form.validate)", { isbn: "123" }, "isbn", "Enter the 13 digits of the ISBN."],
    ["negative pages (form.validate)", { pages: "-5" }, "pages", "A book has at least 1 page."],
    ["a negative price (form.validate)", { price: "-1.00" }, "price", "A price cannot be negative."],
  ];

  it.each(bookCases)("book: %s", async (_case, change, field, message) => {
    const client = await session();
    const before = await fingerprint();
    const response = await client.post("/books", validBook(change));
    expect(response.status).toBe(422);
    expect(fieldError(response.text, field)).toBe(message);
    expect(await fingerprint()).toBe(before);
  });

  it.each<[string, string, Record<string, string>, string, string]>([
    ["author", "/authors", { name: "x".repeat(90_000) }, "name", "At most 500 characters."],
    ["author", "/authors", { name: "Ada", birthDate: "0000-01-01" }, "birthDate", "Enter a year between 0001 and 9999."],
    ["author", "/authors", { name: "Ada\u0000" }, "name", "Remove the invalid character (NUL)."],
    ["genre", "/genres", { name: "g".repeat(90_000) }, "name", "At most 500 characters."],
    ["coupon", "/coupons", { code: "c".repeat(33), percent: "5" }, "code", "At most 32 characters."],
    ["coupon", "/coupons", { code: "OK", percent: "3000000000" }, "percent", "Enter a number between -2147483648 and 2147483647."],
    ["coupon", "/coupons", { code: "OK", percent: "5", validUntil: "0000-12-31" }, "validUntil", "Enter a year between 0001 and 9999."],
  ])("%s at %s: %j", async (_model, base, form, field, message) => {
    const client = await session(`${base}/new`);
    const before = await fingerprint();
    const response = await client.post(base, form);
    expect(response.status).toBe(422);
    expect(fieldError(response.text, field)).toBe(message);
    expect(await fingerprint()).toBe(before);
  });

  it("stores a title of 500 four-byte characters: the limit fits the index", async () => {
    const client = await session();
    const form = validBook({ title: "😀".repeat(500) });
    expect((await client.post("/books", form)).status).toBe(303);
    expect((await db.pool.query(`SELECT char_length(title) AS n FROM "Book" WHERE isbn = $1`, [form.isbn])).rows[0].n).toBe(500);
  });

  it("refuses the same values on update and writes nothing", async () => {
    const client = await session("/books/1/edit");
    const before = await fingerprint();
    for (const change of [{ authorId: "3000000000" }, { publishedDate: "0000-01-01" }, { title: randomText(3_000) }] as Array<Record<string, string>>) {
      const response = await client.post("/books/1", validBook(change));
      expect(response.status).toBe(422);
    }
    expect(await fingerprint()).toBe(before);
  });
});

describe("bulk edit refuses the same values in the preview and at apply, and writes nothing", () => {
  it.each<[string, Record<string, string | string[]>, string, string]>([
    ["author outside int4", { _change: "authorId", authorId: "3000000000" }, "authorId", "Choose a valid option."],
    ["editor outside int4", { _change: "editorId", editorId: "3000000000" }, "editorId", "Choose a valid option."],
    ["genre outside int4", { _change: "genres", genres: "3000000000", "genres._mode": "add" }, "genres", "Choose a valid option."],
    ["year 0000", { _change: "publishedDate", publishedDate: "0000-01-01" }, "publishedDate", "Enter a year between 0001 and 9999."],
    ["a NUL in the title", { _change: "title", title: "a\u0000" }, "title", "Remove the invalid character (NUL)."],
    ["a 3 KB random title", { _change: "title", title: randomText(3_000) }, "title", "At most 500 characters."],
    ["negative pages (form.validate)", { _change: "pages", pages: "-5" }, "pages", "A book has at least 1 page."],
  ])("%s", async (_case, changes, field, message) => {
    const client = await session("/books/");
    expect((await client.post("/books/_selection", { op: "rows", ids: "1,2,3", selected: "1" }, BAR)).status).toBe(200);
    const form = await client.get("/books/_bulk/edit", MODAL);
    const token = /name="selection" value="([^"]*)"/.exec(form.text)![1]!;
    const before = await fingerprint();
    for (const [path, headers] of [["/books/_bulk/preview", MODAL], ["/books/_bulk/apply", {}]] as const) {
      const response = await client.post(path, { selection: token, ...changes }, headers);
      expect(response.status, path).toBe(422);
      expect(fieldError(response.text, field), path).toBe(message);
    }
    expect(await fingerprint()).toBe(before);
  });

  it("refuses year 0000 for an author's birth date in bulk", async () => {
    const client = await session("/authors/");
    expect((await client.post("/authors/_selection", { op: "rows", ids: "1,2", selected: "1" }, { ...BAR, "HX-Current-URL": "http://127.0.0.1/authors/" })).status).toBe(200);
    const token = /name="selection" value="([^"]*)"/.exec((await client.get("/authors/_bulk/edit", MODAL)).text)![1]!;
    const before = await fingerprint();
    const response = await client.post("/authors/_bulk/apply", { selection: token, _change: "birthDate", birthDate: "0000-01-01" });
    expect(response.status).toBe(422);
    expect(fieldError(response.text, "birthDate")).toBe("Enter a year between 0001 and 9999.");
    expect(await fingerprint()).toBe(before);
  });
});

describe("relation choices, filters and route ids never send what a column cannot hold", () => {
  it.each([
    "/books/_choices/authorId?authorId=3000000000",
    "/books/_choices/authorId?q=%00",
    "/books/_choices/authorId?q=a%00b&authorId=1",
    "/books/_choices/genres?genres=3000000000&genres=abc&genres=2",
    `/books/_choices/editorId?q=${"x".repeat(5_000)}`,
  ])("GET %s answers 200", async (path) => {
    const response = await browser.get(path);
    expect(response.status).toBe(200);
  });

  it("keeps a valid selected author among the choices next to an invalid one", async () => {
    const response = await browser.get("/books/_choices/genres?genres=3000000000&genres=2");
    expect(response.status).toBe(200);
    expect(response.text).toContain('value="2"');
  });

  it("decides integer bounds exactly: pages.min just above int4 matches nothing", async () => {
    const none = await browser.get("/books/?pages.min=2147483647.0000000001");
    expect(none.status).toBe(200);
    expect(none.text).not.toMatch(/data-pc-row="\d+"/);
    const all = await browser.get("/books/?pages.max=2147483647.0000000001&pageSize=100");
    expect(all.status).toBe(200);
    expect([...all.text.matchAll(/data-pc-row="\d+"/g)].length).toBeGreaterThan(0);
    expect((await browser.get("/books/?pages.max=-2147483648.5")).text).not.toMatch(/data-pc-row="\d+"/);
  });

  it.each([
    "/books/?author=3000000000", "/books/?genres=3000000000&genres.all=1", "/books/?editor=99999999999999999999",
    "/books/?publishedDate.min=0000-01-01", "/books/?price.min=999999999999999.9999999999", "/books/?q=%00",
    "/coupons/?percent.min=3000000000", "/coupons/?validUntil.max=0000-01-01", `/coupons/?q=${"%00".repeat(10)}`,
  ])("GET %s answers 200", async (path) => {
    expect((await browser.get(path)).status).toBe(200);
  });

  it("answers 404 for a malformed uuid on every record route, and serves a real coupon by its uuid in any case", async () => {
    const client = await session("/coupons/new");
    for (const path of ["/coupons/not-a-uuid", "/coupons/not-a-uuid/edit", "/coupons/not-a-uuid/delete", "/coupons/00000000-0000-0000-0000-000000000000"]) {
      expect((await client.get(path)).status, path).toBe(404);
    }
    for (const path of ["/coupons/not-a-uuid", "/coupons/not-a-uuid/delete"]) {
      expect((await client.post(path, { code: "X", percent: "1" })).status, path).toBe(404);
    }
    expect((await client.post("/coupons", { code: "WELCOME", percent: "10" })).status).toBe(303);
    const { id } = (await db.pool.query<{ id: string }>(`SELECT id::text FROM "Coupon" WHERE code = 'WELCOME'`)).rows[0]!;
    expect((await client.get(`/coupons/${id.toUpperCase()}`)).status).toBe(200);
  });
});

describe("the safety net: a value PostgreSQL refuses ends as a 422 with a message, never a 500", () => {
  it.each([
    ["22003", /too large or too small/], ["22008", /date or time/], ["22P02", /expected format/], ["22021", /character/],
    ["54000", /too long/], ["prisma-22003", /too large or too small/], ["prisma-54000", /too long/],
  ])("%s", async (which, message) => {
    const before = await fingerprint();
    const response = await browser.get(`/refused/${which}`);
    expect(response.status).toBe(422);
    expect(unescapeHtml(response.text)).toMatch(message);
    const json = await browser.get(`/refused/${which}`, { accept: "application/json" });
    expect(JSON.parse(json.text).error).toMatchObject({ status: 422, message: expect.stringMatching(message) });
    expect(await fingerprint()).toBe(before);
  });
});

// ------------------------------------------------------------------ properties against the real database

class Rollback extends Error {}

/** Runs `write` in a transaction that is always rolled back; returns the error a write raised, if any. */
async function rolledBack(write: (tx: any) => Promise<unknown>): Promise<unknown> {
  try {
    await db.prisma.$transaction(async (tx) => {
      await write(tx);
      throw new Rollback();
    });
  } catch (error) {
    return error instanceof Rollback ? undefined : error;
  }
  return undefined;
}

describe("properties: parsed values always reach PostgreSQL intact", () => {
  const RUNS = { ...PROPERTY_RUNS, numRuns: 100 };

  it.each(["Book", "Author", "Genre", "Coupon"])("%s: parseForm's values are stored, or refused only by a constraint", async (name) => {
    const model = modelOf(dataModel, name);
    const resource = resolved(name);
    const fields = resource.formFields;
    const plausible: Record<string, fc.Arbitrary<string | string[]>> = {
      title: fc.constant("Property"), isbn: fc.nat().map((n) => String(9760000000000 + n)), pages: fc.constant("10"), price: fc.constant("1.5"),
      authorId: fc.constant("1"), name: fc.uuid().map(String), code: fc.uuid().map((uuid) => uuid.slice(0, 30)), percent: fc.constant("5"),
    };
    const body = fc
      .tuple(fc.record(Object.fromEntries(fields.map((field) => [field.name, plausible[field.name] ?? fc.constant("")]))), fc.dictionary(fc.constantFrom(...fields.map((field) => field.name)), hostileValue, { maxKeys: 2 }))
      .map(([base, hostile]) => ({ ...base, ...hostile }));
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const parsed = parseForm(fields, raw);
        if (!parsed.ok) return;
        for (const field of fields.filter((candidate) => candidate.relation)) {
          if ((await missingRelated(db.prisma, field, [parsed.values[field.name] ?? []].flat().filter((id) => id !== null))).length) return;
        }
        const data = toPrismaData(dataModel, model, fields, parsed.values, "create");
        const error = await rolledBack((tx) => delegateOf(tx, name).create({ data }));
        // Only constraints may refuse a parsed value (a duplicate ISBN, code or name).
        if (error) expect(writeProblem(error), String(error)).toMatchObject({ kind: "unique" });
      }),
      RUNS,
    );
  });

  it("activeFilters and whereSql: every query runs", async () => {
    const resource = resolved("Book");
    const keys = resource.filters.flatMap((spec) => [spec.name, `${spec.name}.min`, `${spec.name}.max`, `${spec.name}.empty`, `${spec.name}.all`]);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), hostileValue), hostileText, async (query, search) => {
        const where = whereSql(activeFilters(resource.filters, query), { text: search.replaceAll("\u0000", "").slice(0, 200), conditions: resource.searchConditions }, resource.model);
        const sql = `SELECT count(*) FROM "Book" t${where.clauses.length ? ` WHERE ${where.clauses.join(" AND ")}` : ""}`;
        await db.pool.query(sql, where.params);
      }),
      RUNS,
    );
  });

  it("parseRecordId, relationChoices and missingRelated: every lookup runs", async () => {
    const books = resolved("Book");
    const coupons = resolved("Coupon");
    const relations = books.formFields.filter((field) => field.relation);
    await fc.assert(
      fc.asyncProperty(hostileText, fc.array(hostileText, { maxLength: 3 }), fc.constantFrom(...relations), async (raw, selected, field) => {
        for (const resource of [books, coupons]) {
          try {
            const id = parseRecordId(dataModel, resource.model, raw, resource.singular);
            await resource.delegate.findUnique({ where: { [resource.model.idField]: id } });
          } catch (error) {
            if (!(error instanceof HttpError)) throw error;
          }
        }
        await relationChoices(db.prisma, field, selected, raw);
        await missingRelated(db.prisma, field, selected);
      }),
      RUNS,
    );
  });
});
