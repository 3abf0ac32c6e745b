/**
 * The rolling session's stored expiry is written at most once a minute: page views in between cost
 * no UPDATE of the session row, while the cookie still rolls and a changed session is still saved.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import express from "express";
import { sessionMiddleware } from "../../src/web/session";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";

const db = connect();
let browser: TestClient;

beforeAll(async () => {
  const app = express();
  app.use(sessionMiddleware({ pool: db.pool, secret: "session-touch-test-secret-0123456789" }));
  app.get("/remember/:value", (req, res) => {
    (req.session as unknown as Record<string, unknown>).value = req.params.value;
    res.send("kept");
  });
  app.get("/read", (req, res) => void res.send(String((req.session as unknown as Record<string, unknown>).value ?? "")));
  browser = await TestClient.start(app);
});
afterAll(async () => {
  await browser.close();
  await db.close();
});

const stored = async (sid: string) =>
  (await db.pool.query<{ expire: Date; sess: { value?: string } }>(`SELECT expire, sess FROM "session" WHERE sid = $1`, [sid])).rows[0];

const sidOf = (cookie: string | undefined) => decodeURIComponent(cookie ?? "").replace(/^s:/, "").split(".")[0]!;

describe("session touch", () => {
  it("reads without writing the session row again within a minute, and still rolls the cookie", async () => {
    await browser.get("/remember/first");
    const sid = sidOf(browser.cookie("powercrud.sid"));
    const saved = await stored(sid);
    expect(saved?.sess.value).toBe("first");
    // Backdate the stored expiry: a touch would move it forward again.
    await db.pool.query(`UPDATE "session" SET expire = expire - interval '1 hour' WHERE sid = $1`, [sid]);
    const backdated = (await stored(sid))!.expire;
    for (let view = 0; view < 3; view++) {
      const response = await browser.get("/read");
      expect(response.text).toBe("first");
      expect(response.headers.get("set-cookie")).toMatch(/^powercrud\.sid=.*Expires=/);
    }
    expect((await stored(sid))!.expire).toEqual(backdated);
  });

  it("saves a changed session at once", async () => {
    await browser.get("/remember/second");
    const sid = sidOf(browser.cookie("powercrud.sid"));
    await browser.get("/remember/third");
    expect((await stored(sid))?.sess.value).toBe("third");
    expect((await browser.get("/read")).text).toBe("third");
  });
});
