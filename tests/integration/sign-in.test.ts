import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoApp, type DemoAppOptions } from "../../src/demo/app";
import { hashPassword } from "../../src/demo/passwords";
import { connect } from "../support/database";
import { TestClient, type TestResponse } from "../support/test-client";

const db = connect();
const servers: TestClient[] = [];
const PASSWORD = "correct horse";
let nextAddress = 1;

/** The demo app behind a proxy on loopback, so each test can come from its own client address. */
async function startApp(options: Partial<DemoAppOptions> = {}): Promise<TestClient> {
  const server = await TestClient.start(
    createDemoApp({ pool: db.pool, prisma: db.prisma, sessionSecret: "test-secret-test-secret", trustProxy: ["loopback"], ...options }),
  );
  servers.push(server);
  return server;
}

/** A browser at its own documentation address (RFC 5737), so no two tests share a per-address count. */
function visitor(server: TestClient, extra: Record<string, string> = {}) {
  const client = server.fork();
  const headers = { "x-forwarded-for": `203.0.113.${nextAddress++}`, ...extra };
  return {
    client,
    get: (path: string, more: Record<string, string> = {}) => client.get(path, { ...headers, ...more }),
    post: (path: string, form: Record<string, string | string[]>) => client.post(path, form, headers),
    async signIn(email: string, password: string): Promise<TestResponse> {
      await client.get("/login", headers);
      return client.post("/login", { email, password }, headers);
    },
  };
}

async function createUser(email: string): Promise<void> {
  await db.pool.query(
    `INSERT INTO "User" (email, name, "passwordHash", role) VALUES ($1, 'Test User', $2, 'VIEWER')
     ON CONFLICT (email) DO UPDATE SET "passwordHash" = EXCLUDED."passwordHash"`,
    [email, await hashPassword(PASSWORD)],
  );
}

async function sessionRows(): Promise<number> {
  const { rows } = await db.pool.query<{ count: string }>(`SELECT count(*) FROM session`);
  return Number(rows[0]!.count);
}

let app: TestClient;

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await db.pool.query(`DELETE FROM sign_in_limit`);
  await db.pool.query(`DELETE FROM "User" WHERE email LIKE '%@limits.test'`);
  await db.close();
});

describe("sign-in limits", () => {
  it("locks an account after five failures with a 429, Retry-After and when to try again; the right password waits too", async () => {
    await createUser("locked@limits.test");
    const browser = visitor(app);
    await browser.client.get("/login");
    for (let failure = 0; failure < 5; failure++) {
      expect((await browser.post("/login", { email: "locked@limits.test", password: "wrong" })).status).toBe(401);
    }
    const locked = await browser.post("/login", { email: "locked@limits.test", password: "wrong" });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("900");
    expect(locked.text).toMatch(/Too many failed sign-ins for this account\. Try again in 15 minutes \(at \d\d:\d\d UTC\)\./);
    expect(locked.text).toContain('value="locked@limits.test"');

    const right = await browser.post("/login", { email: "locked@limits.test", password: PASSWORD });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(890);
    // Another client address does not get around an account's lockout.
    expect((await visitor(app).signIn("locked@limits.test", PASSWORD)).status).toBe(429);
  });

  it("counts parallel guesses before checking them, so a burst gets five tries and no more", async () => {
    await createUser("burst@limits.test");
    const browser = visitor(app);
    await browser.client.get("/login");
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => browser.post("/login", { email: "burst@limits.test", password: "wrong" })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(25);
    expect((await browser.post("/login", { email: "burst@limits.test", password: PASSWORD })).status).toBe(429);
  });

  it("limits an email that has no account exactly like one that has", async () => {
    const browser = visitor(app);
    await browser.client.get("/login");
    const statuses = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      statuses.push((await browser.post("/login", { email: "nobody@limits.test", password: "wrong" })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("starts an account afresh after a successful sign-in", async () => {
    await createUser("reset@limits.test");
    const browser = visitor(app);
    await browser.client.get("/login");
    for (let failure = 0; failure < 4; failure++) {
      expect((await browser.post("/login", { email: "reset@limits.test", password: "wrong" })).status).toBe(401);
    }
    expect((await browser.post("/login", { email: "reset@limits.test", password: PASSWORD })).status).toBe(303);
    const again = visitor(app);
    await again.client.get("/login");
    for (let failure = 0; failure < 5; failure++) {
      expect((await again.post("/login", { email: "reset@limits.test", password: "wrong" })).status).toBe(401);
    }
    expect((await again.post("/login", { email: "reset@limits.test", password: "wrong" })).status).toBe(429);
  });

  it("doubles each further lockout of an account up to the maximum", async () => {
    const strict = await startApp({ signInLimits: { accountFailures: 1, lockoutSeconds: 60, maxLockoutSeconds: 240 } });
    const browser = visitor(strict);
    await browser.client.get("/login");
    const retryAfter: string[] = [];
    for (let lockout = 0; lockout < 4; lockout++) {
      expect((await browser.post("/login", { email: "repeat@limits.test", password: "wrong" })).status).toBe(401);
      const locked = await browser.post("/login", { email: "repeat@limits.test", password: "wrong" });
      expect(locked.status).toBe(429);
      retryAfter.push(locked.headers.get("retry-after")!);
      // The lockout runs out (its end moved into the past); the count of lockouts is kept for a day.
      await db.pool.query(`UPDATE sign_in_limit SET expire = 0 WHERE key LIKE 'account:%'`);
    }
    expect(retryAfter).toEqual(["60", "120", "240", "240"]);
  });

  it("limits failures per client address across accounts", async () => {
    const strict = await startApp({ signInLimits: { addressFailures: 3, addressWindowSeconds: 600 } });
    const browser = visitor(strict);
    await browser.client.get("/login");
    for (let failure = 0; failure < 3; failure++) {
      expect((await browser.post("/login", { email: `spray${failure}@limits.test`, password: "wrong" })).status).toBe(401);
    }
    const blocked = await browser.post("/login", { email: "spray9@limits.test", password: "wrong" });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("600");
    expect(blocked.text).toContain("Too many failed sign-ins from your network. Try again in 10 minutes");
    // A different address is not affected.
    expect((await visitor(strict).signIn("spray9@limits.test", "wrong")).status).toBe(401);
  });

  it("takes as long to refuse an unknown email as a wrong password", async () => {
    await createUser("timing@limits.test");
    const relaxed = await startApp({ signInLimits: { accountFailures: 1_000, addressFailures: 1_000 } });
    const browser = visitor(relaxed);
    await browser.client.get("/login");
    const time = async (email: string) => {
      const started = performance.now();
      const response = await browser.post("/login", { email, password: "wrong" });
      expect(response.status).toBe(401);
      return performance.now() - started;
    };
    await time("timing@limits.test");
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so a busy moment of the machine slows both kinds alike.
    for (let round = 0; round < 7; round++) {
      known.push(await time("timing@limits.test"));
      unknown.push(await time(`missing${round}@limits.test`));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = median(known) / median(unknown);
    // Before the dummy hash it was about 15 (60 ms against 4 ms).
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });
});

describe("sign-in input", () => {
  it.each([
    [{ email: "admin\u0000@example.com", password: "x" }, "Enter an email address like name@example.com."],
    [{ email: "\u0000", password: "x" }, "Enter an email address like name@example.com."],
    [{ email: `${"a".repeat(300)}@example.com`, password: "x" }, "An email address has at most 254 characters."],
    [{ email: ["a@example.com", "b@example.com"], password: "x" }, "Enter your email address."],
    [{ email: "a@example.com", password: ["x", "y"] }, "Enter your password."],
    [{ email: "a@example.com", password: "x".repeat(1_025) }, "A password has at most 1,024 characters."],
    [{ password: "x" }, "Enter your email address."],
  ])("refuses %j with a 400 and a message", async (form, message) => {
    const browser = visitor(app);
    await browser.client.get("/login");
    const response = await browser.post("/login", form);
    expect(response.status).toBe(400);
    expect(response.text).toContain(message);
  });

  it("keeps the email in the form without the control characters that made it invalid", async () => {
    const browser = visitor(app);
    await browser.client.get("/login");
    const response = await browser.post("/login", { email: "admin\u0000@example.com", password: "x" });
    expect(response.text).toContain('value="admin@example.com"');
  });

  it("ignores a next that is no path on this site, whatever its shape", async () => {
    await createUser("next@limits.test");
    for (const next of [["/a", "/b"], "/\t/evil.example", "/\u0000", "//evil.example"]) {
      const browser = visitor(app);
      await browser.client.get("/login");
      const response = await browser.post("/login", { email: "next@limits.test", password: PASSWORD, next });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/");
    }
  });
});

describe("behind an HTTPS proxy", () => {
  it("sets the Secure cookie and signs in when the proxy is trusted and says https", async () => {
    await createUser("secure@limits.test");
    const secure = await startApp({ secureCookie: true, trustProxy: ["loopback"] });
    const browser = visitor(secure, { "x-forwarded-proto": "https" });
    const page = await browser.get("/login");
    expect(page.headers.get("set-cookie")).toMatch(/^powercrud\.sid=.*; Secure/);
    const response = await browser.post("/login", { email: "secure@limits.test", password: PASSWORD });
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toMatch(/; Secure/);
    expect((await browser.get("/")).status).toBe(200);
  });

  it("sends no cookie, so nobody can sign in, when the proxy is not trusted", async () => {
    const untrusting = await startApp({ secureCookie: true, trustProxy: false });
    const browser = visitor(untrusting, { "x-forwarded-proto": "https" });
    const page = await browser.get("/login");
    expect(page.headers.get("set-cookie")).toBeNull();
    expect((await browser.post("/login", { email: "secure@limits.test", password: PASSWORD })).status).toBe(403);
  });
});

describe("sessions", () => {
  it("stores no session for visitors who only look around", async () => {
    const before = await sessionRows();
    const browser = visitor(app);
    const answers = await Promise.all([
      browser.get("/"),
      browser.get("/books/"),
      browser.get("/books/1"),
      browser.get("/authors/?page=2"),
      browser.get("/no-such-page"),
      browser.get("/healthz"),
      browser.get("/logout"),
      browser.get("/assets/powercrud.css"),
      browser.get("/books/", { "hx-request": "true", "hx-current-url": `${browser.client.origin}/books/` }),
      browser.post("/books/_selection", { op: "clear" }),
      browser.post("/login", { email: "admin@example.com", password: "admin" }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([302, 302, 302, 302, 404, 200, 302, 200, 401, 403, 403]);
    for (let request = 0; request < 10; request++) await browser.client.fork().get("/");
    expect(await sessionRows()).toBe(before);
    expect(browser.client.cookie("powercrud.sid")).toBeUndefined();
  });

  it("stores one when the sign-in page issues its form's token, and signing in still works", async () => {
    await createUser("session@limits.test");
    const before = await sessionRows();
    const browser = visitor(app);
    const page = await browser.get("/login");
    expect(page.text).toMatch(/name="_csrf" value="[0-9a-f]{64,}"/);
    expect(await sessionRows()).toBe(before + 1);
    expect((await browser.post("/login", { email: "session@limits.test", password: PASSWORD })).status).toBe(303);
    expect((await browser.get("/")).status).toBe(200);
  });

  it("saves the new session's form token with the sign-in, so a form posted from the first page before it has fully loaded is accepted", async () => {
    await createUser("quick@limits.test");
    const browser = visitor(app);
    await browser.get("/login");
    expect((await browser.post("/login", { email: "quick@limits.test", password: PASSWORD })).status).toBe(303);
    const sid = /^s%3A([^.]+)\./.exec(browser.client.cookie("powercrud.sid") ?? "")?.[1];
    const { rows } = await db.pool.query<{ sess: { csrfToken?: string; userId?: number } }>(`SELECT sess FROM session WHERE sid = $1`, [sid]);
    // Stored before the redirect: the first page only reads it, so it has nothing left to save.
    expect(rows[0]?.sess.userId).toBeGreaterThan(0);
    expect(rows[0]?.sess.csrfToken).toMatch(/^[0-9a-f]{64,}$/);
    const home = await browser.get("/");
    expect(home.text).toContain(`name="_csrf" value="${rows[0]!.sess.csrfToken}"`);
  });

  it("still refuses a POST without the token, with or without a session", async () => {
    const stranger = visitor(app);
    expect((await stranger.post("/login", { _csrf: "", email: "admin@example.com", password: "admin" })).status).toBe(403);
    const browser = visitor(app);
    await browser.get("/login");
    const missing = await browser.post("/login", { _csrf: "", email: "admin@example.com", password: "admin" });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain("Form expired");
  });
});

describe("an htmx request after the session expired", () => {
  it("sends the user back to the page they were on after signing in", async () => {
    await createUser("htmx@limits.test");
    const browser = visitor(app);
    const current = `${browser.client.origin}/books/?page=2&sort=title`;
    const answer = await browser.get("/books/_selection/count", { "hx-request": "true", "hx-current-url": current });
    expect(answer.status).toBe(401);
    const redirect = answer.headers.get("hx-redirect")!;
    expect(redirect).toBe(`/login?next=${encodeURIComponent("/books/?page=2&sort=title")}`);
    const page = await browser.get(redirect);
    expect(page.text).toContain('name="next" value="/books/?page=2&amp;sort=title"');
    const signedIn = await browser.post("/login", { email: "htmx@limits.test", password: PASSWORD, next: "/books/?page=2&sort=title" });
    expect(signedIn.headers.get("location")).toBe("/books/?page=2&sort=title");
  });

  it.each(["https://evil.example/books/?page=2", "http://[bad", "/books/?page=2"])(
    "does not take the page from a current URL of %s",
    async (current) => {
      const browser = visitor(app);
      const answer = await browser.get("/books/?page=3", { "hx-request": "true", "hx-current-url": current });
      expect(answer.status).toBe(401);
      expect(answer.headers.get("hx-redirect")).toBe(`/login?next=${encodeURIComponent("/books/?page=3")}`);
    },
  );
});

describe("/healthz", () => {
  it("is served with the security headers", async () => {
    const response = await visitor(app).get("/healthz");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });
});
