import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatValue } from "../../src/list/format";

const as = (format: string, scale?: number) => ({ format, scale }) as Parameters<typeof formatValue>[1];

describe("formatValue: dates and times (UTC)", () => {
  it.each([
    ["2024-01-04T00:00:00Z", "2024-01-04 00:00 UTC"],
    ["2024-01-04T00:07:59Z", "2024-01-04 00:07 UTC"],
    ["2024-01-04T00:59:00Z", "2024-01-04 00:59 UTC"],
    ["2024-01-04T01:00:00Z", "2024-01-04 01:00 UTC"],
    ["2024-01-04T12:30:00Z", "2024-01-04 12:30 UTC"],
    ["2024-01-04T23:59:59.999Z", "2024-01-04 23:59 UTC"],
    ["2024-12-31T23:59:00Z", "2024-12-31 23:59 UTC"],
    ["0005-03-04T00:05:00Z", "0005-03-04 00:05 UTC"],
    ["9999-12-31T23:59:00Z", "9999-12-31 23:59 UTC"],
  ])("datetime %s → %s", (iso, shown) => {
    expect(formatValue(new Date(iso), as("datetime"))).toBe(shown);
  });

  it.each([
    ["2024-01-04T00:00:00Z", "2024-01-04"],
    ["2024-02-29T00:00:00Z", "2024-02-29"],
    ["0099-07-01T00:00:00Z", "0099-07-01"],
    ["1970-01-01T00:00:00Z", "1970-01-01"],
  ])("date %s → %s", (iso, shown) => {
    expect(formatValue(new Date(iso), as("date"))).toBe(shown);
  });

  it("every minute of a day shows hours 00 to 23, never 24", () => {
    const start = Date.UTC(2024, 0, 4);
    for (let minute = 0; minute < 24 * 60; minute++) {
      const shown = formatValue(new Date(start + minute * 60_000), as("datetime"));
      expect(shown).toBe(`2024-01-04 ${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")} UTC`);
    }
  });

  it("agrees with the ISO string for any instant from year 1 to 9999", () => {
    const instants = fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true });
    fc.assert(fc.property(instants, (date) => {
      const iso = date.toISOString();
      expect(formatValue(date, as("datetime"))).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`);
      expect(formatValue(date, as("date"))).toBe(iso.slice(0, 10));
    }));
  });

  it("years before 1 keep a sign; an invalid date and a non-date are shown as text, never thrown", () => {
    expect(formatValue(new Date(Date.UTC(-1, 0, 2, 0, 5)), as("datetime"))).toBe("-0001-01-02 00:05 UTC");
    expect(formatValue(new Date(Number.NaN), as("datetime"))).toBe("Invalid Date");
    expect(formatValue(new Date(Number.NaN), as("date"))).toBe("Invalid Date");
    expect(formatValue("2024-01-04", as("date"))).toBe("2024-01-04");
  });
});

describe("formatValue: other formats", () => {
  it("empty values are empty strings", () => {
    for (const format of ["text", "datetime", "date", "integer", "boolean"]) {
      expect(formatValue(null, as(format))).toBe("");
      expect(formatValue(undefined, as(format))).toBe("");
      expect(formatValue("", as(format))).toBe("");
    }
  });

  it("booleans, integers, decimals, enums, lists and JSON", () => {
    expect(formatValue(true, as("boolean"))).toBe("Yes");
    expect(formatValue(false, as("boolean"))).toBe("No");
    expect(formatValue(1234567, as("integer"))).toBe("1,234,567");
    expect(formatValue(12345678901234567890n, as("integer"))).toBe("12,345,678,901,234,567,890");
    expect(formatValue("12.5", as("decimal", 2))).toBe("12.50");
    expect(formatValue("12.345", as("decimal", 2))).toBe("12.35");
    expect(formatValue("7", as("decimal", 0))).toBe("7");
    expect(formatValue("OUT_OF_PRINT", as("enum"))).toBe("Out of print");
    expect(formatValue(["a", null, "b"], as("list"))).toBe("a, b");
    expect(formatValue({ a: 1 }, as("json"))).toBe('{"a":1}');
  });
});
