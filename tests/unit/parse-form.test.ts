import { describe, expect, it } from "vitest";
import { formFieldsFor, parseForm, type FormField, type ParseResult } from "../../src/forms";
import { dataModel } from "../../src/generated/powercrud";
import { modelOf } from "../../src/model/relations";

const Book = modelOf(dataModel, "Book");
const Author = modelOf(dataModel, "Author");
const Session = modelOf(dataModel, "Session");
const bookFields = formFieldsFor(dataModel, Book);

/** A valid Book submission, as express.urlencoded({ extended: false }) hands it over. */
const validBook = {
  title: "Dune",
  isbn: "978-0441013593",
  pages: "412",
  price: "9.99",
  publishedDate: "1965-08-01",
  bestseller: "on",
  status: "PUBLISHED",
  authorId: "3",
  editorId: "",
  genres: ["1", "2"],
  description: "",
};

function parseBook(changes: Record<string, unknown>): ParseResult {
  return parseForm(bookFields, { ...validBook, ...changes });
}

function valueOf(fields: FormField[], name: string, raw: unknown): unknown {
  const result = parseForm(fields, { [name]: raw });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.values[name];
}

function errorOf(fields: FormField[], name: string, raw: unknown): string | undefined {
  const result = parseForm(fields, { [name]: raw });
  return result.ok ? undefined : result.errors[name];
}

function bookValue(name: string, raw: unknown): unknown {
  const result = parseBook({ [name]: raw });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.values[name];
}

function bookError(name: string, raw: unknown): string | undefined {
  const result = parseBook({ [name]: raw });
  return result.ok ? undefined : result.errors[name];
}

describe("parseForm: a valid Book", () => {
  it("gives typed values", () => {
    expect(parseBook({})).toEqual({
      ok: true,
      values: {
        title: "Dune",
        isbn: "978-0441013593",
        pages: 412,
        price: "9.99",
        publishedDate: new Date("1965-08-01T00:00:00.000Z"),
        bestseller: true,
        status: "PUBLISHED",
        authorId: 3,
        editorId: null,
        genres: [1, 2],
        description: null,
      },
    });
  });

  it("leaves out an empty defaulted field so the default applies", () => {
    const result = parseBook({ status: "" });
    expect(result.ok && result.values).not.toHaveProperty("status");
    const missing = parseForm(bookFields, { ...validBook, status: undefined });
    expect(missing.ok && missing.values).not.toHaveProperty("status");
  });
});

describe("parseForm: required, nullable and missing", () => {
  it("requires required fields whether empty, blank or missing", () => {
    const result = parseForm(bookFields, { title: "   ", pages: "" });
    expect(result).toMatchObject({
      ok: false,
      errors: {
        title: "This field is required.",
        isbn: "This field is required.",
        pages: "This field is required.",
        price: "This field is required.",
        authorId: "This field is required.",
      },
    });
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(["authorId", "isbn", "pages", "price", "title"]);
  });

  it("turns empty nullable fields into null", () => {
    const result = parseBook({ publishedDate: "", editorId: "  ", description: "\n\t" });
    expect(result.ok && result.values).toMatchObject({ publishedDate: null, editorId: null, description: null });
  });

  it("returns the raw strings per field when invalid, for re-rendering", () => {
    const result = parseBook({ title: "  Dune  ", pages: "many", bestseller: ["false", "on"], genres: ["1", "x"], editorId: undefined });
    expect(result).toEqual({
      ok: false,
      errors: { pages: "Enter a whole number.", genres: "Choose a valid option." },
      values: {
        title: "  Dune  ",
        isbn: "978-0441013593",
        pages: "many",
        price: "9.99",
        publishedDate: "1965-08-01",
        bestseller: "on",
        status: "PUBLISHED",
        authorId: "3",
        editorId: "",
        genres: ["1", "x"],
        description: "",
      },
    });
  });

  it("ignores disabled fields entirely", () => {
    const fields = formFieldsFor(dataModel, Book, { disabled: ["title", "pages", "genres", "bestseller"] });
    const result = parseForm(fields, { ...validBook, title: "", pages: "garbage", genres: ["x"], bestseller: "on" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    for (const name of ["title", "pages", "genres", "bestseller"]) expect(result.values).not.toHaveProperty(name);
    const failed = parseForm(fields, { price: "x" });
    expect(failed.ok ? {} : failed.values).not.toHaveProperty("title");
  });

  it("ignores keys that are not fields and inherited properties", () => {
    const fields = formFieldsFor(dataModel, Author, { fields: ["name"] });
    const body = Object.create({ name: "inherited" }) as Record<string, unknown>;
    expect(parseForm(fields, body)).toMatchObject({ ok: false, errors: { name: "This field is required." } });
    expect(parseForm(fields, { name: "Ann", id: "7", _csrf: "t" })).toEqual({ ok: true, values: { name: "Ann" } });
  });

  it("never throws on values a urlencoded parser would not give", () => {
    const result = parseBook({ title: { $ne: null }, pages: 12, genres: [1, "2"], authorId: ["4", { id: 5 }] });
    expect(result).toMatchObject({ ok: false, errors: { title: "This field is required.", pages: "This field is required." } });
    if (result.ok) return;
    expect(result.values).toMatchObject({ title: "", pages: "", genres: ["2"], authorId: "4" });
  });

  it("takes the last of repeated values of a single-value field", () => {
    expect(bookValue("title", ["First", "Second"])).toBe("Second");
  });
});

describe("parseForm: text", () => {
  it("trims, and keeps what looks like injection as plain text", () => {
    expect(bookValue("title", "  Dune  ")).toBe("Dune");
    for (const text of ["'; DROP TABLE \"Book\"; --", "<script>alert(1)</script>", "{{ 7*7 }}", "${process.exit()}"]) {
      expect(bookValue("title", text)).toBe(text);
    }
  });

  it("keeps inner lines of a textarea", () => {
    expect(bookValue("description", "\n line one\r\nline two \n")).toBe("line one\r\nline two");
  });

  it("refuses NUL, which PostgreSQL cannot store", () => {
    expect(bookError("title", "a\u0000b")).toBe("Remove the invalid character (NUL).");
  });

  it("enforces maxLength in characters", () => {
    const fields: FormField[] = [{ name: "code", label: "Code", widget: "text", required: true, nullable: false, disabled: false, maxLength: 3, domain: { kind: "text", maxLength: 3 } }];
    expect(valueOf(fields, "code", " abc ")).toBe("abc");
    expect(valueOf(fields, "code", "😀😀😀")).toBe("😀😀😀");
    expect(errorOf(fields, "code", "abcd")).toBe("At most 3 characters.");
  });
});

describe("parseForm: integer", () => {
  it("parses whole numbers within the Int range", () => {
    expect(bookValue("pages", " 42 ")).toBe(42);
    expect(bookValue("pages", "007")).toBe(7);
    expect(bookValue("pages", "-0")).toBe(0);
    expect(bookValue("pages", "2147483647")).toBe(2147483647);
    expect(bookValue("pages", "-2147483648")).toBe(-2147483648);
  });

  it.each(["4.5", "1e3", "abc", "12abc", "0x10", "+5", "1 000", "Infinity", "NaN", "1;DROP TABLE"])("refuses %j", (raw) => {
    expect(bookError("pages", raw)).toBe("Enter a whole number.");
  });

  it.each(["2147483648", "-2147483649", "99999999999999999999999"])("refuses %s outside int4", (raw) => {
    expect(bookError("pages", raw)).toBe("Enter a number between -2147483648 and 2147483647.");
  });

  it("uses the safe-integer range for BigInt fields", () => {
    const fields: FormField[] = [
      { name: "serial", label: "Serial", widget: "integer", required: true, nullable: false, disabled: false, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER,
        domain: { kind: "integer", sqlType: "int8", min: BigInt(-Number.MAX_SAFE_INTEGER), max: BigInt(Number.MAX_SAFE_INTEGER) } },
    ];
    expect(valueOf(fields, "serial", "9007199254740991")).toBe(9007199254740991);
    expect(errorOf(fields, "serial", "9007199254740992")).toBe("Enter a number between -9007199254740991 and 9007199254740991.");
  });
});

describe("parseForm: decimal", () => {
  it("keeps a normalized decimal string", () => {
    expect(bookValue("price", "9.99")).toBe("9.99");
    expect(bookValue("price", " 007.50 ")).toBe("7.5");
    expect(bookValue("price", "12")).toBe("12");
    expect(bookValue("price", "-0.00")).toBe("0");
    expect(bookValue("price", "-3.10")).toBe("-3.1");
    expect(bookValue("price", "1.500")).toBe("1.5");
    expect(bookValue("price", "99999999.99")).toBe("99999999.99");
    expect(bookValue("price", "-99999999.99")).toBe("-99999999.99");
  });

  it("refuses more decimals than the scale", () => {
    expect(bookError("price", "1.234")).toBe("Enter a number with at most 2 decimal places.");
  });

  it("refuses values beyond the precision, without float rounding", () => {
    expect(bookError("price", "100000000")).toBe("Enter a number no larger than 99999999.99.");
    expect(bookError("price", "-100000000.00")).toBe("Enter a number no larger than 99999999.99.");
    expect(bookError("price", "99999999.999")).toBe("Enter a number with at most 2 decimal places.");
  });

  it.each(["abc", "1,50", "1.", ".5", "1e2", "--1", "1.2.3", "€5", "0x1A"])("refuses %j", (raw) => {
    expect(bookError("price", raw)).toBe("Enter a number.");
  });

  it("checks Decimal(2, 2) and leaves an unconstrained Decimal alone", () => {
    const fraction: FormField[] = [
      { name: "f", label: "F", widget: "decimal", required: true, nullable: false, disabled: false, step: "0.01", min: -0.99, max: 0.99, precision: 2, scale: 2, domain: { kind: "decimal", precision: 2, scale: 2 } },
    ];
    expect(valueOf(fraction, "f", "0.5")).toBe("0.5");
    expect(errorOf(fraction, "f", "1.00")).toBe("Enter a number no larger than 0.99.");
    const any: FormField[] = [{ name: "d", label: "D", widget: "decimal", required: true, nullable: false, disabled: false, step: "any", domain: { kind: "decimal", precision: 147_455, scale: 16_383 } }];
    expect(valueOf(any, "d", "123456789012345678901234567890.123456789")).toBe("123456789012345678901234567890.123456789");
  });
});

describe("parseForm: float", () => {
  const fields: FormField[] = [{ name: "weight", label: "Weight", widget: "float", required: false, nullable: true, disabled: false, domain: { kind: "float", max: Number.MAX_VALUE } }];

  it("parses finite numbers", () => {
    expect(valueOf(fields, "weight", "1.5")).toBe(1.5);
    expect(valueOf(fields, "weight", "-.5")).toBe(-0.5);
    expect(valueOf(fields, "weight", "2e3")).toBe(2000);
    expect(valueOf(fields, "weight", "")).toBeNull();
  });

  it("refuses a number beyond float8", () => {
    expect(errorOf(fields, "weight", "1e999")).toBe("Enter a smaller number.");
  });

  it.each(["abc", "Infinity", "0x10", "1,5", "NaN", "1.5.1"])("refuses %j", (raw) => {
    expect(errorOf(fields, "weight", raw)).toBe("Enter a number.");
  });
});

describe("parseForm: checkbox", () => {
  it.each([["on"], ["true"], ["1"], ["yes"], ["ON"], [["false", "on"]], [["on", "false"]]])("%j is ticked", (raw) => {
    expect(bookValue("bestseller", raw)).toBe(true);
  });

  it.each([[undefined], [""], ["false"], ["0"], ["off"], [["false"]], [[]]])("%j is not ticked", (raw) => {
    expect(bookValue("bestseller", raw)).toBe(false);
  });

  it("refuses a value no checkbox sends", () => {
    expect(bookError("bestseller", "maybe")).toBe("Choose yes or no.");
  });
});

describe("parseForm: date and datetime", () => {
  it("parses a calendar date at UTC midnight", () => {
    expect(bookValue("publishedDate", "2024-02-29")).toEqual(new Date(Date.UTC(2024, 1, 29)));
    expect(bookValue("publishedDate", "0001-01-01")).toEqual(new Date("0001-01-01T00:00:00.000Z"));
  });

  it.each(["2023-02-30", "2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "2023-1-5", "05/01/2023", "2023-05-01T10:00", "yesterday", "2023-05-01'--"])(
    "refuses %j",
    (raw) => {
      expect(bookError("publishedDate", raw)).toBe("Enter a real date as YYYY-MM-DD.");
    },
  );

  const sessionFields = formFieldsFor(dataModel, Session);

  it("reads a datetime-local value as UTC, with or without seconds", () => {
    expect(valueOf(sessionFields, "expire", "2024-03-10T14:30")).toEqual(new Date("2024-03-10T14:30:00.000Z"));
    expect(valueOf(sessionFields, "expire", "2024-03-10T14:30:15")).toEqual(new Date("2024-03-10T14:30:15.000Z"));
    expect(valueOf(sessionFields, "expire", "2024-03-10T14:30:15.5")).toEqual(new Date("2024-03-10T14:30:15.500Z"));
  });

  it.each(["2024-03-10", "2024-03-10T24:00", "2024-03-10T12:60", "2024-02-30T10:00", "2024-03-10T10:00Z", "2024-03-10T10:00+02:00", "now"])(
    "refuses %j",
    (raw) => {
      expect(errorOf(sessionFields, "expire", raw)).toBe("Enter a real date and time as YYYY-MM-DDTHH:MM.");
    },
  );

  it("requires a required datetime", () => {
    expect(errorOf(sessionFields, "expire", "")).toBe("This field is required.");
  });
});

describe("parseForm: select", () => {
  it("accepts an enum value", () => {
    expect(bookValue("status", "OUT_OF_PRINT")).toBe("OUT_OF_PRINT");
  });

  it.each(["out_of_print", "Draft", "ARCHIVED", "DRAFT' OR '1'='1"])("refuses %j, naming the choices", (raw) => {
    expect(bookError("status", raw)).toBe("Choose one of: Draft, Published, Out of print.");
  });

  it("gives null for an empty nullable enum", () => {
    const fields: FormField[] = [
      { name: "status", label: "Status", widget: "select", required: false, nullable: true, disabled: false, choices: [{ value: "A", label: "A" }], domain: { kind: "enum", values: ["A"] } },
    ];
    expect(valueOf(fields, "status", "")).toBeNull();
  });
});

describe("parseForm: relation", () => {
  it("parses a positive id", () => {
    expect(bookValue("authorId", "12")).toBe(12);
    expect(bookValue("editorId", "5")).toBe(5);
  });

  it.each(["0", "-1", "1.5", "abc", "1 OR 1=1", "9007199254740993", "0x1"])("refuses %j", (raw) => {
    expect(bookError("authorId", raw)).toBe("Choose a valid option.");
  });

  it("requires a required relation and nulls an optional one", () => {
    expect(bookError("authorId", "")).toBe("This field is required.");
    expect(bookValue("editorId", "")).toBeNull();
  });
});

describe("parseForm: relations", () => {
  it("parses ids from one string or many, deduplicated, in order", () => {
    expect(bookValue("genres", "4")).toEqual([4]);
    expect(bookValue("genres", ["3", "1", "3", " 2 "])).toEqual([3, 1, 2]);
  });

  it("treats a missing key or the empty hidden input as no choice", () => {
    expect(bookValue("genres", undefined)).toEqual([]);
    expect(bookValue("genres", "")).toEqual([]);
    expect(bookValue("genres", ["", "2"])).toEqual([2]);
  });

  it.each([["0"], [["1", "-2"]], [["abc"]], ["1,2"], [["1", "2; DELETE FROM \"Genre\""]]])("refuses %j", (raw) => {
    expect(bookError("genres", raw)).toBe("Choose a valid option.");
  });
});

describe("parseForm: field lists", () => {
  it("caches per list yet handles every list on its own", () => {
    const titleOnly = formFieldsFor(dataModel, Book, { fields: ["title"] });
    expect(parseForm(titleOnly, validBook)).toEqual({ ok: true, values: { title: "Dune" } });
    expect(parseForm(titleOnly, { title: "Emma" })).toEqual({ ok: true, values: { title: "Emma" } });
    expect(parseForm(formFieldsFor(dataModel, Book, { fields: ["pages"] }), validBook)).toEqual({ ok: true, values: { pages: 412 } });
  });
});
