import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvField, csvLine } from "../../src/export/csv";
import { cellFromSql, cellValue, isoTimestamp, textFromSql, textValue } from "../../src/export/export-values";
import { parseCsv } from "../support/csv";

const as = (format: string, scale?: number) => ({ format, scale }) as Parameters<typeof textValue>[1];

describe("csvField", () => {
  it("reads back as the text it was given, whatever the text (RFC 4180 quoting)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme" }), { minLength: 1, maxLength: 5 }), (fields) => {
        const [row] = parseCsv(csvLine(fields, fields.map(() => false)));
        expect(row).toEqual(fields);
      }),
    );
  });

  it("puts an apostrophe before a text a spreadsheet would run as a formula, and only there (OWASP)", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(parseCsv(csvLine([`${start}1+2`], [true]))[0]).toEqual([`'${start}1+2`]);
    for (const safe of ["a=1", " =1", "1-2", "'=x", "Ünïcode"]) expect(csvField(safe, true)).toBe(safe);
    expect(csvField("-5", false)).toBe("-5");
  });

  it("writes an empty text as \"\" and the line \\. quoted, as PostgreSQL's COPY does", () => {
    expect(csvField("", false)).toBe('""');
    expect(csvField("\\.", false)).toBe('"\\."');
  });
});

describe("values from PostgreSQL's text", () => {
  it.each([
    ["2024-01-04 00:07:00", "2024-01-04T00:07:00.000Z"],
    ["2024-01-04 00:07:00.5", "2024-01-04T00:07:00.500Z"],
    ["2024-01-04 23:59:59.123456", "2024-01-04T23:59:59.123Z"],
    ["2024-01-04 00:07:00+00", "2024-01-04T00:07:00.000Z"],
    ["0044-03-15 12:00:00 BC", "0044-03-15 12:00:00 BC"],
  ])("timestamp %s → %s", (text, iso) => {
    expect(isoTimestamp(text)).toBe(iso);
  });

  it("writes decimals exactly to their scale, booleans as true/false, the rest as it came", () => {
    expect(textFromSql("17.5", as("decimal", 2))).toBe("17.50");
    expect(textFromSql("12345678901234567890.12", as("decimal", 2))).toBe("12345678901234567890.12");
    expect(textFromSql("NaN", as("decimal", 2))).toBe("NaN");
    expect(textFromSql("t", as("boolean"))).toBe("true");
    expect(textFromSql("f", as("boolean"))).toBe("false");
    expect(textFromSql("2024-02-29", as("date"))).toBe("2024-02-29");
    expect(textFromSql("OUT_OF_PRINT", as("enum"))).toBe("OUT_OF_PRINT");
    expect(textFromSql(null, as("text"))).toBe("");
  });

  it("types XLSX cells: numbers a double holds exactly, dates, booleans; the rest as text", () => {
    expect(cellFromSql("17.50", as("decimal", 2))).toBe(17.5);
    expect(cellFromSql("12345678901234567890.12", as("decimal", 2))).toBe("12345678901234567890.12");
    expect(cellFromSql("9007199254740993", as("integer"))).toBe("9007199254740993");
    expect(cellFromSql("42", as("integer"))).toBe(42);
    expect(cellFromSql("t", as("boolean"))).toBe(true);
    expect(cellFromSql("2024-02-29", as("date"))).toEqual(new Date("2024-02-29T00:00:00Z"));
    expect(cellFromSql("2024-01-04 00:07:00.5", as("datetime"))).toEqual(new Date("2024-01-04T00:07:00.500Z"));
    expect((cellFromSql("x".repeat(40_000), as("text")) as string).length).toBe(32_767);
  });
});

describe("values a computed property returns", () => {
  it("are written as the columns' own values are", () => {
    expect(textValue(new Date("2024-01-04T00:07:00Z"), as("text"))).toBe("2024-01-04T00:07:00.000Z");
    expect(textValue(1234567, as("integer"))).toBe("1234567");
    expect(textValue(["Fantasy", null, "Crime"], as("list"))).toBe("Fantasy, Crime");
    expect(textValue({ a: 1 }, as("json"))).toBe('{"a":1}');
    expect(textValue(true, as("boolean"))).toBe("true");
    expect(cellValue("0.10", as("decimal", 2))).toBe(0.1);
  });
});
