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

  it.each([
    [undefined, false],
    ["", false],
    ["0", false],
    ["no", false],
    ["1", 1],
    ["2", 2],
    ["loopback", ["loopback"]],
    ["loopback, 10.0.0.0/8, fd00::/8, 192.0.2.7", ["loopback", "10.0.0.0/8", "fd00::/8", "192.0.2.7"]],
  ])("reads TRUST_PROXY=%j as %j", (value, expected) => {
    expect(readSettings(value === undefined ? {} : { TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each(["true", "yes", "everyone", "10.0.0.0/33", "300.1.1.1", "loopback,,"])("refuses TRUST_PROXY=%j and says what it takes", (value) => {
    expect(() => readSettings({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: not a proxy address, range or hop count[\s\S]*use e\.g\. 1, loopback/);
  });

  it("refuses COOKIE_SECURE without TRUST_PROXY, which would make signing in impossible", () => {
    expect(() => readSettings({ COOKIE_SECURE: "1" })).toThrow(/COOKIE_SECURE: COOKIE_SECURE=1 needs TRUST_PROXY/);
    expect(readSettings({ COOKIE_SECURE: "1", TRUST_PROXY: "1" })).toMatchObject({ COOKIE_SECURE: true, TRUST_PROXY: 1 });
  });
});
