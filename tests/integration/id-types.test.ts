/**
 * Every single-column id type over HTTP in a bare app against the real PostgreSQL: Coupon (String
 * uuid @db.Uuid), Tag (String cuid, plus one hand-made id holding "," and "%") and Ledger (BigInt,
 * its ids beyond 2^53 so no Number could hold them). Selection, "all matching", bulk edit of a
 * scalar, a foreign key and a many-to-many to a String-keyed model, bulk delete with blockers,
 * relation filters by String keys, a background task with its held records, and the mount-time
 * error of a composite key. Every change is checked with SQL of its own.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bareApp, expectNoServerErrors, optionsOf, unescapeHtml } from "../support/bare-app";
import { MODAL, Browser, count, hxTrigger, textOf } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { failures, resetTasks, waitForEnd } from "../support/task-helpers";
import { TestClient } from "../support/test-client";
import type { PowerCrud, WorkerHandle } from "../../src/index";

const db = connect();
let server: TestClient;
let logged: unknown[];
let crud: PowerCrud;
let worker: WorkerHandle | undefined;

/** Past Number.MAX_SAFE_INTEGER: an id read through Number() would change. */
const LEDGER_START = 9_007_199_254_740_993n;
/** A text id that a comma list would split and a percent-decoder would change. */
const ODD_TAG = "odd,tag%2C1";
const COUPONS = 60;
const LEDGERS = 45;

const bar = (base: string) => ({ "HX-Request": "true", "HX-Target": "div#pc-selection-bar", "HX-Current-URL": `http://127.0.0.1${base}/` });

beforeAll(async () => {
  await resetTasks(db.pool);
  await db.pool.query(`DELETE FROM powercrud.selection`);
  await db.pool.query(`DELETE FROM "Ledger"`);
  await db.pool.query(`DELETE FROM "Coupon"`);
  await db.pool.query(`DELETE FROM "Tag"`);
  await db.pool.query(`ALTER SEQUENCE "Ledger_id_seq" RESTART WITH ${LEDGER_START}`);
  // Ids made the way the host's Prisma client makes them (cuid() and uuid() are client-side defaults).
  for (let i = 1; i <= 8; i++) await db.prisma.tag.create({ data: { name: `Tag ${i}` } });
  await db.prisma.tag.create({ data: { id: ODD_TAG, name: "Zz odd tag" } });
  for (let i = 1; i <= COUPONS; i++) await db.prisma.coupon.create({ data: { code: `C${String(i).padStart(3, "0")}`, percent: 10 } });
  await db.pool.query(
    `INSERT INTO "Ledger" (memo, amount, "couponId") SELECT 'entry ' || n, n, (SELECT id FROM "Coupon" ORDER BY code LIMIT 1) FROM generate_series(1, $1::int) n`,
    [LEDGERS],
  );
  const app = bareApp(db, (app, powerCrud) => {
    app.use("/coupons", powerCrud.resource({
      model: "Coupon",
      list: { fields: ["code", "percent", "campaign", "tags"], filters: ["campaign", "tags", "percent"], search: ["code"] },
      bulkFields: ["percent", "campaign", "tags"],
      bulk: { chunkSize: 7, background: { minRecords: 40 } },
    }));
    app.use("/tags", powerCrud.resource({ model: "Tag", list: { fields: ["name"] } }));
    app.use("/ledgers", powerCrud.resource({
      model: "Ledger",
      list: { fields: ["memo", "amount", "coupon"], filters: ["coupon", "amount"] },
      bulkFields: ["amount", "coupon"],
      // Refuses one ledger, so a task records a failure by its id (past 2^53).
      bulk: { chunkSize: 4, background: { minRecords: 30 }, veto: (record, { operation }) => (operation === "update" && record.memo === "entry 2" ? "Locked." : undefined) },
    }));
    app.use("/tasks", powerCrud.tasks());
  }, { tasks: { url: "/tasks", heartbeatMs: 200 } });
  crud = app.crud;
  logged = app.errors;
  server = await TestClient.start(app.app);
});

beforeEach(async () => {
  await resetTasks(db.pool);
  await db.pool.query(`DELETE FROM powercrud.selection`);
  await db.pool.query(`DELETE FROM "_CouponToTag"`);
  await db.pool.query(`UPDATE "Coupon" SET percent = 10, "campaignId" = NULL`);
  await db.pool.query(`UPDATE "Ledger" SET amount = 1, "couponId" = (SELECT id FROM "Coupon" ORDER BY code LIMIT 1)`);
});

afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  expectNoServerErrors(logged);
});

afterAll(async () => {
  await server?.close();
  await db.close();
});

// ------------------------------------------------------------------ helpers

async function browser(base: string): Promise<Browser> {
  const b = new Browser(server.fork(), "admin");
  expect((await b.get(`${base}/`)).status).toBe(200);
  return b;
}

/** The values of the row checkboxes, as the page writes them (a "," or "%" inside an id escaped). */
function checkboxValues(html: string): string[] {
  return [...html.matchAll(/<input[^>]*pc-select-row[^>]*value="([^"]*)"/g)].map((match) => unescapeHtml(match[1]!));
}

/** The ids of the rows, as `data-pc-row` holds them. */
function rowIds(html: string): string[] {
  return [...html.matchAll(/data-pc-row="([^"]*)"/g)].map((match) => unescapeHtml(match[1]!));
}

async function ticked(b: Browser, base: string): Promise<string[]> {
  const page = await b.get(`${base}/?size=100`);
  return [...page.text.matchAll(/<input[^>]*pc-select-row[^>]*>/g)]
    .filter((match) => match[0].endsWith(" checked>"))
    .map((match) => rowIds(page.text)[checkboxValues(page.text).indexOf(unescapeHtml(/value="([^"]*)"/.exec(match[0])![1]!))]!);
}

async function storedItems(b: Browser, base: string): Promise<Array<{ id: string; included: boolean }>> {
  const { rows } = await db.pool.query<{ id: string; included: boolean }>(
    `SELECT i."recordId" AS id, i.included FROM powercrud.selection_item i JOIN powercrud.selection s USING (token)
     WHERE s."sessionId" = $1 AND s.resource = $2 ORDER BY i."recordId"`,
    [b.sessionId, base],
  );
  return rows;
}

/** Selects rows (or all matching `list`) as the page does, and returns the token the bulk forms post. */
async function select(b: Browser, base: string, ids: string[] | "all", list = ""): Promise<string> {
  const response = ids === "all"
    ? await b.post(`${base}/_selection`, { op: "all", _list: list }, bar(base))
    : await b.post(`${base}/_selection`, { op: "rows", ids: ids.join(","), selected: "1" }, bar(base));
  expect(response.status, textOf(response.text).slice(0, 300)).toBe(200);
  const { rows } = await db.pool.query<{ token: string }>(`SELECT token FROM powercrud.selection WHERE "sessionId" = $1 AND resource = $2`, [b.sessionId, base]);
  return rows[0]!.token;
}

const texts = async (sql: string, params: unknown[] = []) => (await db.pool.query<{ v: string }>(sql, params)).rows.map((row) => row.v);
const couponIds = () => texts(`SELECT id::text AS v FROM "Coupon" ORDER BY code`);
const tagIds = () => texts(`SELECT id AS v FROM "Tag" ORDER BY name`);
const ledgerIds = () => texts(`SELECT id::text AS v FROM "Ledger" ORDER BY id`);
const taskIdIn = (html: string) => Number(/Open task #(\d+)/.exec(html)?.[1] ?? NaN);

// ------------------------------------------------------------------ selection

describe.each([
  ["uuid", "/coupons", couponIds],
  ["cuid and text", "/tags", tagIds],
  ["BigInt", "/ledgers", ledgerIds],
] as const)("selection of %s ids", (_kind, base, allIds) => {
  it("shows a checkbox for every row and selects and unselects rows by the ids the page holds", async () => {
    const b = await browser(base);
    const page = await b.get(`${base}/?size=100`);
    const shown = rowIds(page.text);
    expect(shown.length).toBeGreaterThan(5);
    expect(new Set(shown)).toEqual(new Set(await allIds()));
    expect(checkboxValues(page.text)).toHaveLength(shown.length);

    // What the browser posts: the checkbox values joined by commas (powercrud.js postSelection).
    const values = checkboxValues(page.text).slice(0, 4);
    const picked = rowIds(page.text).slice(0, 4);
    const tick = await b.post(`${base}/_selection`, { op: "rows", ids: values.join(","), selected: "1" }, bar(base));
    expect(tick.status, textOf(tick.text)).toBe(200);
    expect(textOf(tick.text)).toContain("4 selected");
    expect((await storedItems(b, base)).map((item) => item.id).sort()).toEqual([...picked].sort());
    expect((await ticked(b, base)).sort()).toEqual([...picked].sort());

    const untick = await b.post(`${base}/_selection`, { op: "rows", ids: values[0]!, selected: "0" }, bar(base));
    expect(textOf(untick.text)).toContain("3 selected");
    expect((await ticked(b, base)).sort()).toEqual(picked.slice(1).sort());
  });

  it("selects all matching, counts them exactly, and keeps an unticked row out", async () => {
    const b = await browser(base);
    await b.post(`${base}/_selection`, { op: "all", _list: "" }, bar(base));
    const counted = await b.get(`${base}/_selection/count`, bar(base));
    const all = await allIds();
    expect(textOf(counted.text)).toContain(`${all.length} selected`);
    const page = await b.get(`${base}/?size=100`);
    const [first] = checkboxValues(page.text);
    const untick = await b.post(`${base}/_selection`, { op: "rows", ids: first!, selected: "0" }, bar(base));
    expect(textOf(untick.text)).toContain(`${all.length - 1} selected`);
    expect(await storedItems(b, base)).toEqual([{ id: rowIds(page.text)[0], included: false }]);
  });

  it("takes the page form without JavaScript: ticked rows selected, the rest of the page not", async () => {
    const b = await browser(base);
    const page = await b.get(`${base}/?size=100`);
    const pageIds = /name="page_ids" value="([^"]*)"/.exec(page.text)![1]!;
    const values = checkboxValues(page.text);
    const response = await b.post(`${base}/_selection`, { op: "page", page_ids: unescapeHtml(pageIds), ids: [values[1]!, values[2]!], _return: `${base}/` });
    expect(response.status).toBe(303);
    expect((await ticked(b, base)).sort()).toEqual([rowIds(page.text)[1]!, rowIds(page.text)[2]!].sort());
  });
});

describe("ids the id column could not hold", () => {
  it.each([
    ["/coupons", "not-a-uuid"],
    ["/coupons", "0"],
    ["/ledgers", "1.5"],
    ["/ledgers", "9223372036854775808"],
    ["/ledgers", "-3"],
    ["/tags", "x".repeat(501)],
    ["/tags", "nul\u0000byte"],
  ])("%s answers %j with 400 and stores nothing", async (base, value) => {
    const b = await browser(base);
    const response = await b.post(`${base}/_selection`, { op: "rows", ids: value, selected: "1" }, bar(base));
    expect(response.status).toBe(400);
    expect(textOf(response.text)).toContain("is not a record id");
    expect(await storedItems(b, base)).toEqual([]);
  });

  it("reads a uuid in any case and a BigInt id past 2^53 exactly", async () => {
    const coupons = await browser("/coupons");
    const [coupon] = await couponIds();
    await select(coupons, "/coupons", [coupon!.toUpperCase()]);
    expect(await storedItems(coupons, "/coupons")).toEqual([{ id: coupon, included: true }]);

    const ledgers = await browser("/ledgers");
    await select(ledgers, "/ledgers", [String(LEDGER_START), `00${LEDGER_START + 1n}`]);
    expect((await storedItems(ledgers, "/ledgers")).map((item) => item.id)).toEqual([String(LEDGER_START), String(LEDGER_START + 1n)]);
  });

  it("selects the text id holding a comma and a percent sign as itself", async () => {
    const b = await browser("/tags");
    const page = await b.get("/tags/?size=100");
    const index = rowIds(page.text).indexOf(ODD_TAG);
    expect(checkboxValues(page.text)[index]).toBe("odd%2Ctag%252C1");
    await select(b, "/tags", [checkboxValues(page.text)[index]!]);
    expect(await storedItems(b, "/tags")).toEqual([{ id: ODD_TAG, included: true }]);
  });
});

// ------------------------------------------------------------------ bulk edit

async function apply(b: Browser, base: string, token: string, changes: Record<string, string | string[]>) {
  const preview = await b.post(`${base}/_bulk/preview`, { selection: token, ...changes }, MODAL);
  expect(preview.status, textOf(preview.text).slice(0, 400)).toBe(200);
  const response = await b.post(`${base}/_bulk/apply`, { selection: token, ...changes }, MODAL);
  expect(response.status, textOf(response.text).slice(0, 400)).toBe(200);
  return { preview, response };
}

describe("bulk edit of uuid-keyed coupons", () => {
  it("sets a scalar and a foreign key to a cuid-keyed tag on exactly the selected coupons", async () => {
    const b = await browser("/coupons");
    const picked = (await couponIds()).slice(10, 15);
    const [campaign] = await tagIds();
    const { preview, response } = await apply(b, "/coupons", await select(b, "/coupons", picked), { _change: ["percent", "campaign", "campaignId"], percent: "35", campaignId: campaign! });
    expect(textOf(preview.text)).toContain("Set Percent to 35 and set Campaign to Tag 1 on 5 coupons");
    expect(hxTrigger(response.headers)["pc:saved"]).toEqual({ message: expect.stringMatching(/^Updated 5 coupons\. Revert bulk task #\d+ to undo it\.$/) });
    expect(await texts(`SELECT id::text AS v FROM "Coupon" WHERE percent = 35 AND "campaignId" = $1 ORDER BY code`, [campaign])).toEqual(picked);
    expect(await count(db, `SELECT count(*) AS n FROM "Coupon" WHERE percent = 35 OR "campaignId" IS NOT NULL`)).toBe(5);
  });

  it("adds, removes and replaces many-to-many tags (text keys, one holding a comma)", async () => {
    const b = await browser("/coupons");
    const picked = (await couponIds()).slice(0, 6);
    const [t1, t2, t3] = await tagIds();
    const links = () => texts(`SELECT c.code || ':' || string_agg(l."B", '|' ORDER BY l."B") AS v FROM "_CouponToTag" l JOIN "Coupon" c ON c.id = l."A" GROUP BY c.code ORDER BY c.code`);
    const codes = await texts(`SELECT code AS v FROM "Coupon" WHERE id = ANY($1::uuid[]) ORDER BY code`, [picked]);
    const each = (ids: string[]) => codes.map((code) => `${code}:${[...ids].sort().join("|")}`);

    // The form offers the tags by their text ids, the odd one as itself.
    await select(b, "/coupons", picked);
    const form = await b.get("/coupons/_bulk/edit", MODAL);
    expect(textOf(form.text)).toContain("Edit 6 coupons");
    expect(optionsOf(form.text)).toEqual(expect.arrayContaining([{ value: t1, label: "Tag 1", selected: false }, { value: ODD_TAG, label: "Zz odd tag", selected: false }]));

    await apply(b, "/coupons", await select(b, "/coupons", picked), { _change: "tags", "tags._mode": "add", tags: [t1!, ODD_TAG] });
    expect(await links()).toEqual(each([t1!, ODD_TAG]));
    await apply(b, "/coupons", await select(b, "/coupons", picked), { _change: "tags", "tags._mode": "remove", tags: ODD_TAG });
    expect(await links()).toEqual(each([t1!]));
    await apply(b, "/coupons", await select(b, "/coupons", picked), { _change: "tags", "tags._mode": "replace", tags: [t2!, t3!] });
    expect(await links()).toEqual(each([t2!, t3!]));
  });

  it("refuses a tag id that names no tag with a message on the field", async () => {
    const b = await browser("/coupons");
    const token = await select(b, "/coupons", (await couponIds()).slice(0, 2));
    const preview = await b.post("/coupons/_bulk/preview", { selection: token, _change: "tags", "tags._mode": "add", tags: "no-such-tag" }, MODAL);
    expect(preview.status).toBe(422);
    expect(await count(db, `SELECT count(*) AS n FROM "_CouponToTag"`)).toBe(0);
  });
});

describe("bulk edit of BigInt-keyed ledgers", () => {
  it("sets the amount and a uuid foreign key on the rows a relation filter by uuid matched", async () => {
    const [first, second] = await couponIds();
    await db.pool.query(`UPDATE "Ledger" SET "couponId" = $1 WHERE id % 2 = 0`, [second]);
    const matched = await texts(`SELECT id::text AS v FROM "Ledger" WHERE "couponId" = $1 ORDER BY id`, [first]);
    const b = await browser("/ledgers");
    const list = await b.get(`/ledgers/?coupon=${first}&size=100`);
    expect(rowIds(list.text).sort()).toEqual([...matched].sort());
    const token = await select(b, "/ledgers", "all", `coupon=${first}`);
    const { response } = await apply(b, "/ledgers", token, { _change: ["amount", "couponId"], amount: "-7", couponId: second! });
    expect(hxTrigger(response.headers)["pc:saved"]).toEqual({ message: expect.stringMatching(new RegExp(`^Updated ${matched.length} ledgers\\. Revert bulk task #\\d+ to undo it\\.$`)) });
    expect(await texts(`SELECT id::text AS v FROM "Ledger" WHERE amount = -7 AND "couponId" = $1 ORDER BY id`, [second])).toEqual(matched);
    expect(await count(db, `SELECT count(*) AS n FROM "Ledger" WHERE amount = -7`)).toBe(matched.length);
  });
});

// ------------------------------------------------------------------ relation filters

describe("relation filters by String keys", () => {
  it("filters coupons by a cuid to-one relation and by cuid many-to-many tags, and names the filter of a selection", async () => {
    const [t1, t2, t3] = await tagIds();
    const all = await couponIds();
    await db.pool.query(`UPDATE "Coupon" SET "campaignId" = $1 WHERE id = ANY($2::uuid[])`, [t1, all.slice(0, 3)]);
    await db.pool.query(`INSERT INTO "_CouponToTag" ("A", "B") SELECT unnest($1::uuid[]), $2`, [all.slice(2, 6), t3]);
    await db.pool.query(`INSERT INTO "_CouponToTag" ("A", "B") SELECT unnest($1::uuid[]), $2`, [all.slice(5, 7), t2]);
    const b = await browser("/coupons");
    expect(rowIds((await b.get(`/coupons/?campaign=${t1}`)).text).sort()).toEqual(all.slice(0, 3).sort());
    expect(rowIds((await b.get(`/coupons/?tags=${t2}&tags=${t3}`)).text).sort()).toEqual(all.slice(2, 7).sort());
    expect(rowIds((await b.get(`/coupons/?tags=${t2},${t3}&tags.all=1`)).text)).toEqual([all[5]]);

    await b.post("/coupons/_selection", { op: "all", _list: `campaign=${t1}` }, bar("/coupons"));
    const counted = await b.get("/coupons/_selection/count", { ...bar("/coupons"), "HX-Current-URL": `http://127.0.0.1/coupons/?campaign=${t1}` });
    expect(textOf(counted.text)).toContain("3 selected: all matching Campaign: is Tag 1");
  });
});

// ------------------------------------------------------------------ bulk delete

describe("bulk delete", () => {
  it("deletes selected BigInt ledgers and uuid coupons, and names the cuid tags other rows still refer to", async () => {
    const ledgers = await browser("/ledgers");
    const goners = (await ledgerIds()).slice(-3);
    const token = await select(ledgers, "/ledgers", goners);
    const deleted = await ledgers.post("/ledgers/_bulk/delete", { selection: token, confirm: "yes" }, MODAL);
    expect(deleted.status, textOf(deleted.text)).toBe(200);
    expect(await count(db, `SELECT count(*) AS n FROM "Ledger" WHERE id = ANY($1::bigint[])`, [goners])).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM "Ledger"`)).toBe(LEDGERS - 3);

    const coupons = await browser("/coupons");
    const [doomed] = (await couponIds()).slice(-1);
    await db.pool.query(`INSERT INTO "_CouponToTag" ("A", "B") SELECT $1, id FROM "Tag"`, [doomed]);
    const gone = await coupons.post("/coupons/_bulk/delete", { selection: await select(coupons, "/coupons", [doomed!]), confirm: "yes" }, MODAL);
    expect(gone.status, textOf(gone.text)).toBe(200);
    expect(await count(db, `SELECT count(*) AS n FROM "Coupon" WHERE id = $1`, [doomed])).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM "_CouponToTag" WHERE "A" = $1`, [doomed])).toBe(0);

    const tags = await browser("/tags");
    const [used, free] = await tagIds();
    await db.pool.query(`UPDATE "Coupon" SET "campaignId" = $1 WHERE code IN ('C001', 'C002')`, [used]);
    const both = await select(tags, "/tags", [used!, free!]);
    const confirm = await tags.get("/tags/_bulk/delete", MODAL);
    expect(textOf(confirm.text)).toContain("1 of the selected tags is still the campaign of 2 coupons: Tag 1 (2 coupons)");
    const blocked = await tags.post("/tags/_bulk/delete", { selection: both, confirm: "yes" }, MODAL);
    expect(blocked.status).toBe(409);
    expect(await count(db, `SELECT count(*) AS n FROM "Tag" WHERE id = ANY($1::text[])`, [[used, free]])).toBe(2);
    await tags.post("/tags/_selection", { op: "rows", ids: used!, selected: "0" }, bar("/tags"));
    const freed = await tags.post("/tags/_bulk/delete", { selection: both, confirm: "yes" }, MODAL);
    expect(freed.status, textOf(freed.text)).toBe(200);
    expect(await tagIds()).not.toContain(free);
    expect(await tagIds()).toContain(used);
  });
});

// ------------------------------------------------------------------ background tasks

describe("background tasks", () => {
  it("runs a bulk edit of every uuid coupon in the background, holding them (409) until it ends", async () => {
    const b = await browser("/coupons");
    const all = await couponIds();
    const [t1] = await tagIds();
    const queued = await b.post("/coupons/_bulk/apply", { selection: await select(b, "/coupons", "all"), _change: ["percent", "tags"], percent: "55", tags: t1!, "tags._mode": "add" }, MODAL);
    expect(queued.status, textOf(queued.text)).toBe(200);
    expect(textOf(queued.text)).toContain(`Processing ${all.length} coupons in the background`);
    const taskId = taskIdIn(queued.text);
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.task_target WHERE "taskId" = $1 AND "recordId" = ANY($2::text[])`, [taskId, all])).toBe(all.length);

    // No worker yet: the task is PENDING and holds every coupon.
    const held = await b.get(`/coupons/${all[3]}/edit`, MODAL);
    expect(held.status).toBe(409);
    expect(textOf(held.text)).toContain(`#${taskId}`);
    expect((await b.post(`/coupons/${all[4]}/delete`, {})).status).toBe(409);
    expect((await b.get("/coupons/?size=100")).text).toContain(`data-pc-held="${taskId}"`);

    worker = await crud.runWorker({ concurrency: 2 });
    const { final } = await waitForEnd(db.pool, taskId);
    expect(final).toMatchObject({ status: "SUCCESS", total: all.length, processed: all.length, succeeded: all.length, failed: 0 });
    expect(await count(db, `SELECT count(*) AS n FROM "Coupon" WHERE percent = 55`)).toBe(all.length);
    expect(await count(db, `SELECT count(*) AS n FROM "_CouponToTag" WHERE "B" = $1`, [t1])).toBe(all.length);
    expect((await b.get(`/coupons/${all[3]}/edit`, MODAL)).status).toBe(200);

    // Its revert puts back the percent and the cuid links of each uuid-keyed coupon.
    const revertId = Number(/\/tasks\/(\d+)/.exec((await b.post(`/tasks/${taskId}/revert`, {})).headers.get("location") ?? "")?.[1]);
    expect((await waitForEnd(db.pool, revertId)).final).toMatchObject({ status: "SUCCESS", succeeded: all.length });
    expect(await count(db, `SELECT count(*) AS n FROM "Coupon" WHERE percent = 10`)).toBe(all.length);
    expect(await count(db, `SELECT count(*) AS n FROM "_CouponToTag"`)).toBe(0);
  });

  it("runs a bulk edit of BigInt ledgers in the background, holding them, and records the refused one by its exact id", async () => {
    const b = await browser("/ledgers");
    const all = await ledgerIds();
    const refused = String(LEDGER_START + 1n);
    expect(await texts(`SELECT id::text AS v FROM "Ledger" WHERE memo = 'entry 2'`)).toEqual([refused]);
    const [, second] = await couponIds();
    const queued = await b.post("/ledgers/_bulk/apply", { selection: await select(b, "/ledgers", "all"), _change: ["amount", "couponId"], amount: "99", couponId: second! }, MODAL);
    const taskId = taskIdIn(queued.text);
    expect(taskId, textOf(queued.text)).toBeGreaterThan(0);
    expect(await texts(`SELECT "recordId" AS v FROM powercrud.task_target WHERE "taskId" = $1 ORDER BY "recordId"::bigint`, [taskId])).toEqual(all);
    const held = await b.get(`/ledgers/${all.at(-1)}/edit`, MODAL);
    expect(held.status).toBe(409);
    expect(textOf(held.text)).toContain(`#${taskId}`);

    worker = await crud.runWorker({ concurrency: 1 });
    const { final } = await waitForEnd(db.pool, taskId);
    expect(final).toMatchObject({ status: "PARTIAL", total: all.length, succeeded: all.length - 1, failed: 1 });
    expect(await failures(db.pool, taskId)).toEqual([{ recordId: refused, reason: "Locked." }]);
    expect(await texts(`SELECT id::text AS v FROM "Ledger" WHERE amount = 99 AND "couponId" = $1 ORDER BY id`, [second])).toEqual(all.filter((id) => id !== refused));
    expect((await b.get(`/ledgers/${all.at(-1)}/edit`, MODAL)).status).toBe(200);

    // Its revert puts back the ledgers it changed, found by their exact ids, and leaves the refused one alone.
    await db.pool.query(`UPDATE "Ledger" SET amount = 5 WHERE id = $1`, [refused]);
    const revertId = Number(/\/tasks\/(\d+)/.exec((await b.post(`/tasks/${taskId}/revert`, {})).headers.get("location") ?? "")?.[1]);
    expect((await waitForEnd(db.pool, revertId)).final).toMatchObject({ status: "SUCCESS", total: all.length - 1, succeeded: all.length - 1 });
    const [first] = await couponIds();
    expect(await texts(`SELECT id::text AS v FROM "Ledger" WHERE amount = 1 AND "couponId" = $1 ORDER BY id`, [first])).toEqual(all.filter((id) => id !== refused));
    expect(await texts(`SELECT amount::text AS v FROM "Ledger" WHERE id = $1`, [refused])).toEqual(["5"]);
  });
});

// ------------------------------------------------------------------ composite keys

describe("a model with a composite primary key", () => {
  it("is refused at mount, naming its key columns and what needs a single id", () => {
    expect(() => crud.resource({ model: "ExchangeRate", bulkFields: ["rate"] })).toThrow(
      /resource\("ExchangeRate"\)[\s\S]*model: ExchangeRate's primary key spans several columns \(currency, day\); PowerCRUD addresses each record by one id column \(record pages, selection, bulk edit, bulk delete and background tasks need it\)\. Add a single-column id/,
    );
  });
});
