import { describe, expect, it } from "vitest";
import { connectionFields, connectionUrl, withDatabase } from "../../src/db/connection-fields";

describe("connectionFields", () => {
  it("splits a URL into discrete fields, decoding escapes", () => {
    expect(connectionFields("postgresql://app%40x:p%2Fw@db.internal:6543/my%20db")).toEqual({
      host: "db.internal", port: 6543, database: "my db", user: "app@x", password: "p/w",
    });
  });

  it("fills in Postgres defaults", () => {
    expect(connectionFields("postgres://localhost")).toEqual({ host: "localhost", port: 5432, database: "postgres", user: "postgres", password: "" });
  });

  it("names the problem with a missing or foreign URL", () => {
    expect(() => connectionFields("")).toThrow("DATABASE_URL is not set");
    expect(() => connectionFields("mysql://x/y")).toThrow("must start with postgres://");
  });

  it("round-trips and swaps the database", () => {
    const url = "postgresql://u:p%3Aw@h:1/a";
    expect(connectionFields(connectionUrl(connectionFields(url)))).toEqual(connectionFields(url));
    expect(connectionFields(withDatabase(url, "postgres")).database).toBe("postgres");
  });
});
