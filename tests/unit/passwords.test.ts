import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword, verifySignIn } from "../../src/demo/passwords";
import { tryAgain } from "../../src/demo/sign-in-limits";
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

describe("verifySignIn", () => {
  it("checks a stored hash, and refuses without an account after the same work", async () => {
    const stored = await hashPassword("secret");
    expect(await verifySignIn("secret", stored)).toBe(true);
    expect(await verifySignIn("secret", undefined)).toBe(false);
    expect(await verifySignIn("", undefined)).toBe(false);
  });
});

describe("tryAgain", () => {
  const now = new Date("2026-01-02T13:50:00Z");
  it.each([
    [1, "Try again in 1 second (at 13:50 UTC)."],
    [59, "Try again in 59 seconds (at 13:50 UTC)."],
    [60, "Try again in 1 minute (at 13:51 UTC)."],
    [61, "Try again in 2 minutes (at 13:51 UTC)."],
    [900, "Try again in 15 minutes (at 14:05 UTC)."],
  ])("%i s -> %s", (seconds, expected) => expect(tryAgain(seconds, now)).toBe(expected));
});

describe("safeNextPath", () => {
  it.each([
    ["/books?page=2", "/books?page=2"],
    ["//evil.example", "/"],
    ["https://evil.example", "/"],
    ["/\\evil.example", "/"],
    [undefined, "/"],
    [["/a"], "/"],
    ["/\t/evil.example", "/"],
    ["/books\n", "/"],
    ["/\u0000", "/"],
    ["/" + "a".repeat(3_000), "/"],
  ])("%j -> %s", (input, expected) => expect(safeNextPath(input)).toBe(expected));
});
