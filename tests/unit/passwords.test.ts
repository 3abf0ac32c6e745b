import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../src/demo/passwords";
import { safeNextPath } from "../../src/demo/auth";

describe("passwords", () => {
  it("hashes with scrypt and a fresh salt, and verifies", async () => {
    const a = await hashPassword("secret");
    const b = await hashPassword("secret");
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("secret", a)).toBe(true);
    expect(await verifyPassword("Secret", a)).toBe(false);
  });

  it("rejects malformed stored hashes instead of throwing", async () => {
    expect(await verifyPassword("x", "")).toBe(false);
    expect(await verifyPassword("x", "md5$abc")).toBe(false);
  });
});

describe("safeNextPath", () => {
  it.each([
    ["/books?page=2", "/books?page=2"],
    ["//evil.example", "/"],
    ["https://evil.example", "/"],
    ["/\\evil.example", "/"],
    [undefined, "/"],
    [["/a"], "/"],
  ])("%j -> %s", (input, expected) => expect(safeNextPath(input)).toBe(expected));
});
