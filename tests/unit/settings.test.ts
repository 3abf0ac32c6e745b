import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/demo/settings";

describe("readSettings", () => {
  it("defaults to port 3000, the embedded database and 5,000 books", () => {
    const settings = readSettings({});
    expect(settings.DATABASE_URL).toBeUndefined();
    expect(settings).toMatchObject({ PORT: 3000, SEED_BOOKS: 5000, POWERCRUD_EPHEMERAL_DB: false });
    expect(settings.POWERCRUD_DATA_DIR).toMatch(/\.data\/postgres$/);
  });

  it("treats an empty DATABASE_URL as unset", () => {
    expect(readSettings({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("names every bad variable", () => {
    expect(() => readSettings({ PORT: "eighty", SESSION_SECRET: "short" })).toThrow(/PORT[\s\S]*SESSION_SECRET: SESSION_SECRET must be at least 16/);
  });
});
