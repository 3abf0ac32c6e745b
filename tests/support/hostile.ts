/**
 * Hostile and random input for property-based tests, and an oracle that says, independently of the
 * code under test, whether PostgreSQL would take a parsed value for a column domain.
 */
import fc from "fast-check";
import type { ColumnDomain } from "../../src/model/column-domain";

/** Fixed seed and a modest number of runs: the same cases every time, in well under a second each. */
export const PROPERTY_RUNS = { seed: 20261129, numRuns: 150 } as const;

const NASTY = [
  "", " ", "\u0000", "a\u0000b", "\u0000\u0000", "0", "-0", "+1", "01", "1.0", "1e3", "1e400", "-1e400", "NaN", "Infinity", "0x10",
  "2147483647", "2147483648", "-2147483648", "-2147483649", "3000000000", "2147483647.0000000001", "-2147483648.5",
  "9007199254740993", "9223372036854775807", "9223372036854775808", "99999999999999999999999999999999",
  "99999999.99", "99999999.999", "100000000", "-99999999.99", "0.001",
  "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "2023-02-29", "2024-02-29", "0000-01-01T00:00", "9999-12-31T23:59:59.999",
  "00000000-0000-0000-0000-000000000000", "not-a-uuid", "0000000000000000000000000000000g", "{00000000-0000-0000-0000-000000000000}",
  "DRAFT", "draft", "PUBLISHED", "on", "off", "true", "yes", "maybe",
  "'; DROP TABLE \"Book\"; --", "%", "_", "\\", "%_\\", "😀", "é", "\u202e", "\ud800", "\uffff",
];

/** One submitted string: random text of every kind, numbers, dates, uuids, huge text and known nasty values. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.tuple(fc.integer({ min: -20_000, max: 20_000 }), fc.nat(99_999)).map(([whole, fraction]) => `${whole}.${String(fraction).padStart(5, "0")}`),
  fc.tuple(fc.integer({ min: 0, max: 10_999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`),
  fc.uuid().map(String),
  fc.uuid().map((uuid) => uuid.toUpperCase()),
  // Long text: up to 100 KB of one character, or repeated multi-byte characters.
  fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom("a", "é", "😀", "9", "\u0000")).map(([n, c]) => c.repeat(c.length > 1 ? n >> 1 : n)),
);

/** A form or query value: absent, one string, or a repeated key. */
export const hostileValue: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  fc.constant(undefined),
  hostileText,
  fc.array(hostileText, { maxLength: 4 }),
);

/** Whether PostgreSQL would store `value` in a column of this domain (the oracle the properties check against). */
export function domainAccepts(domain: ColumnDomain, value: unknown): boolean {
  switch (domain.kind) {
    case "integer": {
      if (typeof value !== "number" && typeof value !== "bigint") return false;
      if (typeof value === "number" && !Number.isSafeInteger(value)) return false;
      const big = BigInt(value);
      return big >= domain.min && big <= domain.max;
    }
    case "float":
      return typeof value === "number" && Number.isFinite(value);
    case "decimal": {
      if (typeof value !== "string" || !/^-?\d+(\.\d+)?$/.test(value)) return false;
      const [whole = "", fraction = ""] = value.replace("-", "").split(".");
      return fraction.length <= domain.scale && whole.replace(/^0+/, "").length <= domain.precision - domain.scale;
    }
    case "boolean":
      return typeof value === "boolean";
    case "date":
    case "timestamp":
      return value instanceof Date && !Number.isNaN(value.getTime()) && value.getUTCFullYear() >= 1 && value.getUTCFullYear() <= 9999;
    case "text":
      return typeof value === "string" && !value.includes("\u0000") && [...value].length <= domain.maxLength
        && (domain.maxBytes === undefined || Buffer.byteLength(value) <= domain.maxBytes);
    case "uuid":
      return typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
    case "enum":
      return typeof value === "string" && domain.values.includes(value);
    case "other":
      return false;
  }
}
