import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool } from "../../src/db/clients";
import { freePort } from "../../src/db/embedded-postgres";
import { createDemoApp } from "../../src/demo/app";
import { seedUsers } from "../../src/demo/seed";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let browser: TestClient;

beforeAll(async () => {
  await seedUsers(db.pool);
  browser = await TestClient.start(
    createDemoApp({ pool: db.pool, prisma: db.prisma, sessionSecret: "test-secret-test-secret", workerStatus: () => "running" }),
  );
});

afterAll(async () => {
  await browser.close();
  await db.close();
});

async function signIn(client: TestClient, email: string, password: string) {
  await client.get("/login");
  return client.post("/login", { email, password });
}

describe("sign-in", () => {
  it("sends anonymous visitors to the login page, remembering where they were going", async () => {
    const client = browser.fork();
    const response = await client.get("/");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?next=%2F");
  });

  it("rejects a wrong password with a 401 and a message, and keeps the email", async () => {
    const client = browser.fork();
    const response = await signIn(client, "admin@example.com", "wrong");
    expect(response.status).toBe(401);
    expect(response.text).toContain("That email and password do not match an account");
    expect(response.text).toContain('value="admin@example.com"');
    expect((await client.get("/")).status).toBe(302);
  });

  it("rejects an empty form with a 400 that says what is missing", async () => {
    const client = browser.fork();
    await client.get("/login");
    const response = await client.post("/login", { email: "", password: "" });
    expect(response.status).toBe(400);
    expect(response.text).toContain("Enter your email address.");
  });

  it("refuses a POST without a valid CSRF token with the 403 page", async () => {
    const client = browser.fork();
    await client.get("/login");
    const missing = await client.post("/login", { _csrf: "", email: "admin@example.com", password: "admin" });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain("Form expired");
    const forged = await client.post("/login", { _csrf: "f".repeat(64), email: "admin@example.com", password: "admin" });
    expect(forged.status).toBe(403);
    expect((await client.get("/")).status).toBe(302);
  });

  it.each([
    ["admin@example.com", "admin", "Ada Admin", "admin"],
    ["editor@example.com", "editor", "Ed Editor", "editor"],
    ["viewer@example.com", "viewer", "Vi Viewer", "viewer"],
    ["ops@example.com", "ops", "Oz Ops", "ops"],
  ])("signs in %s and shows the home page with the role", async (email, password, name, role) => {
    const client = browser.fork();
    await client.get("/login");
    const anonymousCookie = client.cookie("powercrud.sid");
    const response = await client.post("/login", { email: email.toUpperCase(), password });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
    // The session id changes on sign-in (no fixation).
    expect(client.cookie("powercrud.sid")).not.toBe(anonymousCookie);
    const home = await client.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Welcome, ${name}`);
    expect(home.text).toContain(`<strong>${role}</strong> role`);
  });

  it("keeps sessions in Postgres and ends them on sign-out", async () => {
    const client = browser.fork();
    await signIn(client, "editor@example.com", "editor");
    const sid = decodeURIComponent(client.cookie("powercrud.sid") ?? "").slice(2).split(".")[0];
    const stored = await db.pool.query(`SELECT sess FROM "session" WHERE sid = $1`, [sid]);
    expect(stored.rows[0]?.sess.userId).toBeTypeOf("number");
    await client.get("/");
    const out = await client.post("/logout");
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/login");
    expect((await db.pool.query(`SELECT 1 FROM "session" WHERE sid = $1`, [sid])).rowCount).toBe(0);
    expect((await client.get("/")).status).toBe(302);
  });

  it("only follows same-site next paths after signing in", async () => {
    const client = browser.fork();
    await client.get("/login");
    const response = await client.post("/login", { email: "viewer@example.com", password: "viewer", next: "//evil.example/x" });
    expect(response.headers.get("location")).toBe("/");
    const other = browser.fork();
    await other.get("/login?next=%2Fhealthz");
    const ok = await other.post("/login", { email: "viewer@example.com", password: "viewer", next: "/healthz" });
    expect(ok.headers.get("location")).toBe("/healthz");
  });
});

describe("pages and headers", () => {
  it("answers unknown paths with a friendly 404 page", async () => {
    const response = await browser.get("/no/such/page");
    expect(response.status).toBe(404);
    expect(response.text).toContain("There is no page at /no/such/page.");
    expect(response.text).not.toContain("at Layer");
  });

  it("sends security headers with a strict script policy", async () => {
    const response = await browser.get("/login");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("serves the CSS, htmx and its own script", async () => {
    for (const asset of ["/assets/powercrud.css", "/assets/htmx/htmx.min.js", "/assets/powercrud.js", "/assets/theme.js"]) {
      expect((await browser.get(asset)).status, asset).toBe(200);
    }
  });
});

describe("/healthz", () => {
  it("answers 200 with the database and worker status", async () => {
    const response = await browser.get("/healthz", { accept: "application/json" });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ status: "ok", database: "ok", worker: "running" });
  });

  it("answers 503 when the database cannot be reached", async () => {
    const deadPool = createPool(`postgresql://postgres:x@127.0.0.1:${await freePort()}/nothing`);
    const client = await TestClient.start(createDemoApp({ pool: deadPool, prisma: db.prisma, sessionSecret: "test-secret-test-secret" }));
    try {
      const response = await client.get("/healthz", { accept: "application/json" });
      expect(response.status).toBe(503);
      const body = JSON.parse(response.text);
      expect(body).toMatchObject({ status: "degraded", database: "unreachable", worker: "disabled" });
    } finally {
      await client.close();
      await deadPool.end();
    }
  });
});
