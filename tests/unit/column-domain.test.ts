/**
 * The column domain module and every parser that reads user input through it: known hostile cases,
 * then properties (fast-check, fixed seed) that throw random and hostile values at each parser and
 * check that the answer is a clean refusal or a value the column holds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formFieldsFor, parseForm, type FormField } from "../../src/forms";
import { dataModel } from "../../src/generated/powercrud";
import { activeFilters, filterSpecs, whereSql } from "../../src/list/filters";
import {
  checkDate, checkDecimal, checkFloat, checkInteger, checkText, checkTimestamp, checkUuid, columnDomain, fieldDomain, keyDomain, parseKey,
  type ColumnDomain,
} from "../../src/model/column-domain";
import { modelOf } from "../../src/model/relations";
import type { DataModelMeta, FieldMeta, ModelMeta } from "../../src/model/types";
import { parseRecordId } from "../../src/web/record-id";
import { HttpError } from "../../src/web/http-error";
import { dataExceptionOf, problemMessages, writeProblem } from "../../src/web/prisma-errors";
import { domainAccepts, hostileText, hostileValue, PROPERTY_RUNS } from "../support/hostile";

const Book = modelOf(dataModel, "Book");
const Author = modelOf(dataModel, "Author");
const Coupon = modelOf(dataModel, "Coupon");
const int4 = fieldDomain(dataModel, Book, "pages") as Extract<ColumnDomain, { kind: "integer" }>;

function scalar(name: string, type: string, extra: Partial<FieldMeta> = {}): FieldMeta {
  return {
    name, type, kind: "scalar", dbName: name, isRequired: false, isList: false, hasDefault: false,
    isId: false, isUnique: false, isUpdatedAt: false, isGenerated: false, ...extra,
  } as FieldMeta;
}

/** Column types the demo schema lacks, next to the real models: BigInt, SmallInt, Real, Float, Decimal variants, timestamps, Char(n). */
const gadget: ModelMeta = {
  name: "Gadget",
  dbName: "Gadget",
  idField: "serial",
  fields: [
    scalar("serial", "BigInt", { isId: true, isRequired: true, inBtreeIndex: true }),
    scalar("small", "Int", { nativeType: "SmallInt", nativeTypeArgs: [] }),
    scalar("real", "Float", { nativeType: "Real", nativeTypeArgs: [] }),
    scalar("weight", "Float"),
    scalar("ratio", "Decimal"),
    scalar("huge", "Decimal", { nativeType: "Decimal", nativeTypeArgs: [] }),
    scalar("seenAt", "DateTime", { nativeType: "Timestamptz", nativeTypeArgs: ["6"] }),
    scalar("country", "String", { nativeType: "Char", nativeTypeArgs: ["2"] }),
    scalar("opensAt", "DateTime", { nativeType: "Time", nativeTypeArgs: [] }),
  ],
};
const withGadget: DataModelMeta = { models: { ...dataModel.models, Gadget: gadget }, enums: dataModel.enums };

describe("columnDomain: what each column type holds", () => {
  it("knows integer widths, decimals, floats, dates, text lengths and uuids", () => {
    expect(fieldDomain(dataModel, Book, "pages")).toEqual({ kind: "integer", sqlType: "int4", min: -2147483648n, max: 2147483647n });
    expect(fieldDomain(withGadget, gadget, "serial")).toMatchObject({ sqlType: "int8", max: 9223372036854775807n });
    expect(fieldDomain(withGadget, gadget, "small")).toMatchObject({ sqlType: "int2", min: -32768n, max: 32767n });
    expect(fieldDomain(withGadget, gadget, "real")).toEqual({ kind: "float", max: 3.4028234663852886e38 });
    expect(fieldDomain(dataModel, Book, "price")).toEqual({ kind: "decimal", precision: 10, scale: 2 });
    expect(fieldDomain(withGadget, gadget, "ratio")).toEqual({ kind: "decimal", precision: 65, scale: 30 });
    expect(fieldDomain(dataModel, Book, "publishedDate")).toEqual({ kind: "date" });
    expect(fieldDomain(withGadget, gadget, "seenAt")).toEqual({ kind: "timestamp" });
    expect(fieldDomain(withGadget, gadget, "opensAt")).toEqual({ kind: "other" });
    expect(fieldDomain(dataModel, Coupon, "id")).toEqual({ kind: "uuid" });
    expect(fieldDomain(dataModel, Coupon, "code")).toEqual({ kind: "text", maxLength: 32, maxBytes: 2000 });
    expect(fieldDomain(withGadget, gadget, "country")).toEqual({ kind: "text", maxLength: 2 });
  });

  it("gives indexed text the short default and a byte cap, other text the long default; options change both", () => {
    expect(fieldDomain(dataModel, Book, "title")).toEqual({ kind: "text", maxLength: 500, maxBytes: 2000 });
    expect(fieldDomain(dataModel, Book, "isbn")).toEqual({ kind: "text", maxLength: 500, maxBytes: 2000 });
    expect(fieldDomain(dataModel, Author, "name")).toEqual({ kind: "text", maxLength: 500, maxBytes: 2000 });
    expect(fieldDomain(dataModel, Author, "bio")).toEqual({ kind: "text", maxLength: 100_000 });
    // The demo sorts genres by description, so it has a B-tree index and the short limit.
    expect(fieldDomain(dataModel, modelOf(dataModel, "Genre"), "description")).toEqual({ kind: "text", maxLength: 500, maxBytes: 2000 });
    expect(fieldDomain(dataModel, Book, "description", { maxTextLength: 10, maxIndexedTextLength: 5 })).toEqual({ kind: "text", maxLength: 10 });
    expect(fieldDomain(dataModel, Book, "title", { maxTextLength: 10, maxIndexedTextLength: 5 })).toMatchObject({ maxLength: 5 });
  });

  it("gives foreign keys and many-to-many relations the referenced id's domain", () => {
    expect(fieldDomain(dataModel, Book, "authorId")).toEqual(int4);
    expect(fieldDomain(dataModel, Book, "author")).toEqual(int4);
    expect(fieldDomain(dataModel, Book, "genres")).toEqual(int4);
    expect(keyDomain(dataModel, "Coupon")).toEqual({ kind: "uuid" });
    expect(columnDomain(dataModel, Book.fields.find((field) => field.name === "status") as never)).toEqual({ kind: "enum", values: ["DRAFT", "PUBLISHED", "OUT_OF_PRINT"] });
  });
});

describe("the checks: known hostile values", () => {
  it("compares integers exactly, never through a rounding Number", () => {
    expect(checkInteger("2147483647", int4)).toEqual({ ok: true, value: 2147483647n });
    expect(checkInteger("2147483648", int4).ok).toBe(false);
    expect(checkInteger("3000000000", int4).ok).toBe(false);
    expect(checkInteger("0000000000000000000000000000007", int4)).toEqual({ ok: true, value: 7n });
    expect(checkInteger("9".repeat(100_000), int4).ok).toBe(false);
    expect(checkInteger("2147483647.0000000001", int4)).toEqual({ ok: false, message: "Enter a whole number." });
  });

  it("refuses year 0 and years past 9999 in dates and timestamps", () => {
    expect(checkDate("0000-01-01")).toEqual({ ok: false, message: "Enter a year between 0001 and 9999." });
    expect(checkDate("0001-01-01").ok).toBe(true);
    expect(checkDate("9999-12-31").ok).toBe(true);
    expect(checkDate("2023-02-29")).toEqual({ ok: false, message: "Enter a real date as YYYY-MM-DD." });
    expect(checkTimestamp("0000-12-31T23:59")).toEqual({ ok: false, message: "Enter a year between 0001 and 9999." });
  });

  it("refuses NUL, too many characters and, in indexed columns, too many bytes", () => {
    const indexed = { kind: "text", maxLength: 500, maxBytes: 2000 } as const;
    expect(checkText("a\u0000", indexed)).toEqual({ ok: false, message: "Remove the invalid character (NUL)." });
    expect(checkText("x".repeat(3_000), indexed)).toEqual({ ok: false, message: "At most 500 characters." });
    expect(checkText("😀".repeat(500), indexed).ok).toBe(true);
    expect(checkText("😀".repeat(501), indexed).ok).toBe(false);
    expect(checkText("é".repeat(1_001), { kind: "text", maxLength: 2_000, maxBytes: 2_000 })).toEqual({ ok: false, message: "This text is too long to be stored; shorten it." });
  });

  it("checks decimals digit by digit, floats for finiteness, uuids for shape", () => {
    expect(checkDecimal("99999999.99", { kind: "decimal", precision: 10, scale: 2 })).toEqual({ ok: true, value: "99999999.99" });
    expect(checkDecimal("100000000", { kind: "decimal", precision: 10, scale: 2 }).ok).toBe(false);
    expect(checkDecimal("1".repeat(200_000), { kind: "decimal", precision: 147_455, scale: 16_383 })).toEqual({ ok: false, message: "Enter a smaller number." });
    expect(checkFloat("1e39", { kind: "float", max: 3.4028234663852886e38 }).ok).toBe(false);
    expect(checkFloat("1e39", { kind: "float", max: Number.MAX_VALUE }).ok).toBe(true);
    expect(checkUuid("6F9619FF-8B86-D011-B42D-00C04FC964FF")).toEqual({ ok: true, value: "6f9619ff-8b86-d011-b42d-00c04fc964ff" });
    expect(checkUuid("not-a-uuid").ok).toBe(false);
  });

  it("parses keys by their column: positive int4, int8 as bigint, uuids, text without NUL", () => {
    expect(parseKey(int4, "42")).toBe(42);
    expect(parseKey(int4, "3000000000")).toBeUndefined();
    expect(parseKey(int4, "0")).toBeUndefined();
    expect(parseKey(keyDomain(withGadget, gadget), "9223372036854775807")).toBe(9223372036854775807n);
    expect(parseKey(keyDomain(withGadget, gadget), "9223372036854775808")).toBeUndefined();
    expect(parseKey({ kind: "uuid" }, "not-a-uuid")).toBeUndefined();
    expect(parseKey({ kind: "text", maxLength: 10 }, "a\u0000")).toBeUndefined();
  });
});

describe("parseRecordId: anything the id column cannot hold is a 404", () => {
  it.each([
    ["Book", "3000000000"], ["Book", "-1"], ["Book", "1.5"], ["Book", "abc"], ["Book", ""],
    ["Coupon", "not-a-uuid"], ["Coupon", "00000000-0000-0000-0000-00000000000g"], ["Coupon", "\u0000"],
  ])("%s id %j", (model, raw) => {
    expect(() => parseRecordId(dataModel, modelOf(dataModel, model), raw, "Thing")).toThrow(HttpError);
  });

  it("returns the typed id", () => {
    expect(parseRecordId(dataModel, Book, "17", "Book")).toBe(17);
    expect(parseRecordId(dataModel, Coupon, "6F9619FF-8B86-D011-B42D-00C04FC964FF", "Coupon")).toBe("6f9619ff-8b86-d011-b42d-00c04fc964ff");
  });
});

describe("form.validate: a resource's own checks", () => {
  it("runs on the parsed value of a filled-in field only", async () => {
    const { z } = await import("zod");
    const fields = formFieldsFor(dataModel, Book, {
      fields: ["isbn", "pages", "editorId"],
      validate: { isbn: z.string().regex(/^\d{13}$/, "Enter 13 digits."), pages: z.number().min(1, "At least 1."), editor: z.number().max(5, "Editors 1 to 5.") },
    });
    expect(parseForm(fields, { isbn: "123", pages: "0", editorId: "9" })).toMatchObject({
      ok: false, errors: { isbn: "Enter 13 digits.", pages: "At least 1.", editorId: "Editors 1 to 5." },
    });
    expect(parseForm(fields, { isbn: "9780000000001", pages: "1", editorId: "" })).toEqual({ ok: true, values: { isbn: "9780000000001", pages: 1, editorId: null } });
    expect(() => formFieldsFor(dataModel, Book, { validate: { nope: z.string() } })).toThrow(/Unknown field "nope" in validate/);
  });
});

describe("prisma-errors: database refusals of a value", () => {
  it("recognises class 22 and 54000 on a pg error, an adapter cause and Prisma's own codes", () => {
    expect(dataExceptionOf({ code: "22003", severity: "ERROR", message: "out of range" })).toMatch(/too large or too small/);
    expect(dataExceptionOf({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "54000", kind: "postgres" } } } })).toMatch(/too long/);
    expect(dataExceptionOf({ code: "P2020" })).toMatch(/too large/);
    expect(dataExceptionOf({ code: "23505", severity: "ERROR" })).toBeUndefined();
    expect(dataExceptionOf(new Error("boom"))).toBeUndefined();
    const problem = writeProblem({ code: "P2000" });
    expect(problem).toMatchObject({ kind: "invalid-value" });
    expect(problemMessages(problem!, [], "Book").formError).toMatch(/Nothing was saved\.$/);
  });
});

// ------------------------------------------------------------------ properties

/** Every form field of every model (and the gadget's odd types), each one a widget type and a domain. */
const everyForm: Array<[string, FormField[]]> = [
  ...["Book", "Author", "Genre", "Coupon", "User"].map((name): [string, FormField[]] => [name, formFieldsFor(dataModel, modelOf(dataModel, name))]),
  ["Gadget", formFieldsFor(withGadget, gadget, { fields: ["serial", "small", "real", "weight", "ratio", "huge", "seenAt", "country"] })],
];

/** A value a user could well submit for a field. */
function plausible(field: FormField): fc.Arbitrary<string | string[]> {
  switch (field.widget) {
    case "integer": return fc.integer({ min: 1, max: 30_000 }).map(String);
    case "decimal": case "float": return fc.constantFrom("1.5", "0", "12");
    case "date": return fc.constantFrom("2020-01-01", "1999-12-31");
    case "datetime": return fc.constant("2020-01-01T10:00");
    case "checkbox": return fc.constantFrom("on", "false");
    case "select": return fc.constantFrom(...(field.choices ?? [{ value: "" }]).map((choice) => choice.value));
    case "relation": return field.domain.kind === "uuid" ? fc.uuid().map(String) : fc.integer({ min: 1, max: 50 }).map(String);
    case "relations": return fc.array(fc.integer({ min: 1, max: 50 }).map(String), { maxLength: 3 });
    default: return field.domain.kind === "uuid" ? fc.uuid().map(String) : fc.string({ minLength: 1, maxLength: 2 }).map((text) => `${text.replaceAll("\u0000", "")}x`);
  }
}

describe("properties: parsers answer a clean refusal or a value the column holds", () => {
  it("covers every widget type", () => {
    const widgets = new Set(everyForm.flatMap(([, fields]) => fields.map((field) => field.widget)));
    expect([...widgets].sort()).toEqual(["checkbox", "date", "datetime", "decimal", "float", "integer", "relation", "relations", "select", "text", "textarea"]);
  });

  it.each(everyForm)("parseForm on %s", (_name, fields) => {
    // Plausible values everywhere but one or two hostile fields, so the parser reaches the hostile value.
    const body = fc
      .tuple(fc.record(Object.fromEntries(fields.map((field) => [field.name, plausible(field)]))), fc.dictionary(fc.constantFrom(...fields.map((field) => field.name)), hostileValue, { maxKeys: 2 }))
      .map(([base, hostile]) => ({ ...base, ...hostile }));
    fc.assert(
      fc.property(body, (raw) => {
        const result = parseForm(fields, raw);
        if (!result.ok) {
          for (const message of Object.values(result.errors)) expect(message).toMatch(/^[A-Z].*\.$/);
          return;
        }
        for (const field of fields) {
          const value = result.values[field.name];
          if (value === undefined || value === null) continue;
          if (field.widget === "relations") {
            for (const id of value as unknown[]) expect(domainAccepts(field.domain, id), `${field.name}: ${String(id)}`).toBe(true);
          } else {
            expect(domainAccepts(field.domain, value), `${field.name}: ${String(value).slice(0, 80)}`).toBe(true);
          }
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("each check either refuses or returns a value its domain accepts", () => {
    const domains: ColumnDomain[] = [
      int4, { kind: "integer", sqlType: "int8", min: -(2n ** 63n), max: 2n ** 63n - 1n }, { kind: "integer", sqlType: "int2", min: -32768n, max: 32767n },
      { kind: "decimal", precision: 10, scale: 2 }, { kind: "decimal", precision: 65, scale: 30 }, { kind: "float", max: 3.4e38 },
      { kind: "text", maxLength: 500, maxBytes: 2000 }, { kind: "text", maxLength: 32 }, { kind: "uuid" }, { kind: "date" }, { kind: "timestamp" },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...domains), hostileText, (domain, text) => {
        const result =
          domain.kind === "integer" ? checkInteger(text, domain)
          : domain.kind === "decimal" ? checkDecimal(text, domain)
          : domain.kind === "float" ? checkFloat(text, domain)
          : domain.kind === "text" ? checkText(text, domain)
          : domain.kind === "uuid" ? checkUuid(text)
          : domain.kind === "date" ? checkDate(text)
          : checkTimestamp(text);
        if (result.ok) expect(domainAccepts(domain, domain.kind === "integer" ? result.value : result.value)).toBe(true);
        else expect(result.message).toMatch(/\.$/);
        const key = parseKey(domain, text);
        if (key !== undefined) expect(domainAccepts(domain, key)).toBe(true);
      }),
      { ...PROPERTY_RUNS, numRuns: 1_000 },
    );
  });

  it("checkInteger agrees with exact BigInt arithmetic", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), (value) => {
        expect(checkInteger(String(value), int4).ok).toBe(value >= int4.min && value <= int4.max);
      }),
      PROPERTY_RUNS,
    );
  });

  it("parseRecordId answers a typed id the column holds, or a 404", () => {
    fc.assert(
      fc.property(fc.constantFrom(Book, Author, Coupon), hostileText, (model, raw) => {
        try {
          const id = parseRecordId(dataModel, model, raw, "Thing");
          expect(domainAccepts(keyDomain(dataModel, model), id)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          expect((error as HttpError).status).toBe(404);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it("activeFilters keeps only values the columns hold, and whereSql binds every one of them as a parameter", () => {
    const specs = filterSpecs(dataModel, Book, ["status", "author", "editor", "genres", "bestseller", "price", "pages", "publishedDate", "title"], {});
    const keys = specs.flatMap((spec) => [spec.name, `${spec.name}.min`, `${spec.name}.max`, `${spec.name}.empty`, `${spec.name}.all`]);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), hostileValue), hostileText, (query, search) => {
        const active = activeFilters(specs, query);
        for (const filter of active) {
          for (const value of filter.values ?? []) {
            if (filter.spec.relation) expect(domainAccepts(filter.spec.relation.key, parseKey(filter.spec.relation.key, value))).toBe(true);
            expect(value).not.toContain("\u0000");
          }
          for (const bound of [filter.min, filter.max]) if (bound && filter.spec.kind === "date") expect(checkDate(bound).ok).toBe(true);
          expect(filter.text ?? "").not.toContain("\u0000");
        }
        const where = whereSql(active, { text: search.replaceAll("\u0000", "").slice(0, 200), conditions: [{ condition: 't."title" ILIKE $PATTERN' }] }, Book);
        // No user text is ever spliced into the SQL: every value travels as a parameter.
        for (const clause of where.clauses) expect(clause).toMatch(/^[\w\s"().$:<>=!,'*[\]+-]*$/);
      }),
      PROPERTY_RUNS,
    );
  });
});
