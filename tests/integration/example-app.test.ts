/**
 * examples/shop as a stranger runs it: the packed tarball next to a copy of the example (its
 * package.json names `file:../../powercrud-<version>.tgz`), `npm install` (whose postinstall runs
 * `prisma generate` with the powercrud-metadata generator), the example's own `tsc`, and `npm start`'s
 * command against a fresh database of the test PostgreSQL. The example applies its Prisma migrations
 * and PowerCRUD its own schema. Then it is driven over HTTP like a browser without JavaScript (and
 * with htmx's headers where the modal is meant): sign-in, lists, filters, create, edit, delete, bulk
 * edit of uuid and BigInt ids, the permission hooks, and a bulk edit that runs in the background until
 * the status page shows it done. Every change is checked with SQL of its own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths";
import { withDatabase } from "../../src/db/connection-fields";
import { unescapeHtml } from "../support/bare-app";
import { hxTrigger, MODAL, summaryOf, textOf } from "../support/bulk-fixture";
import { databaseUrl } from "../support/database";
import { commandEnv, packedPackage, runCommand } from "../support/packed-package";
import { TestClient, type TestResponse } from "../support/test-client";

const SLOW = 300_000;
const EXAMPLE = path.join(packageRoot, "examples", "shop");
const PRODUCTS = 60;

let folder = "";
let app: ChildProcess | undefined;
let output = "";
let origin = "";
let project = "";
const databases: string[] = [];
let pool: pg.Pool;

beforeAll(async () => {
  const { tarball } = packedPackage();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "powercrud-example-"));
  project = path.join(folder, "examples", "shop");
  fs.cpSync(EXAMPLE, project, { recursive: true, filter: (source) => !/[/\\](node_modules|\.data|generated)$/.test(source) });
  const dependency = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8")).dependencies.powercrud;
  expect(dependency, "examples/shop/package.json names the tarball npm pack makes").toBe(`file:../../${path.basename(tarball)}`);
  fs.copyFileSync(tarball, path.join(folder, path.basename(tarball)));
  runCommand("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], project, { CHECKPOINT_DISABLE: "1" });

  const url = await freshDatabase();
  pool = new pg.Pool({ connectionString: url, max: 2 });
  origin = await start(project, url);
}, SLOW);

afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app!.once("exit", resolve));
    app.kill("SIGTERM");
    await exited;
  }
  await pool?.end();
  for (const name of databases) await administer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
}, 60_000);

/** A new, empty database in the run's test PostgreSQL; dropped after the file. */
async function freshDatabase(): Promise<string> {
  const name = `example_shop_${randomUUID().slice(0, 8)}`;
  await administer(`CREATE DATABASE ${name}`);
  databases.push(name);
  return withDatabase(databaseUrl(), name);
}

async function administer(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(databaseUrl(), "postgres") });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** `npm start`'s command (tsx src/main.ts); resolves with the address it prints once it listens. */
function start(project: string, url: string): Promise<string> {
  const child = spawn(path.join(project, "node_modules", ".bin", "tsx"), ["src/main.ts"], {
    cwd: project,
    env: { ...commandEnv(), DATABASE_URL: url, PORT: "0", HOST: "127.0.0.1", SESSION_SECRET: "example-test-secret-0123456789", CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  app = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start within 90 s:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const address = /Shop admin running at (http:\/\/\S+?)\/?\s/.exec(output)?.[1];
      if (address) {
        clearTimeout(timer);
        resolve(address.replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited with ${code}:\n${output}`));
    });
  });
}

// ------------------------------------------------------------------ helpers

async function signIn(email: string, password = email.split("@")[0]!): Promise<TestClient> {
  const browser = TestClient.at(origin);
  const page = await browser.get("/login?next=/products");
  expect(page.status).toBe(200);
  const response = await browser.post("/login", { email, password, next: "/products" });
  expect(response.status, textOf(response.text)).toBe(303);
  expect(response.headers.get("location")).toBe("/products");
  // A page of the signed-in user: it carries the CSRF token the next post needs.
  expect((await browser.get("/products/")).status).toBe(200);
  return browser;
}

const texts = async (sql: string, params: unknown[] = []) => (await pool.query<{ v: string }>(sql, params)).rows.map((row) => row.v);
const count = async (sql: string, params: unknown[] = []) => Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);

/** The ids of the table rows, in page order, as `data-pc-row` holds them. */
const rowIds = (html: string) => [...html.matchAll(/data-pc-row="([^"]*)"/g)].map((match) => unescapeHtml(match[1]!));
const flashOf = (html: string) => textOf(/id="pc-flash"[\s\S]*?<\/div>\s*<\/div>/.exec(html)?.[0] ?? "");
const BAR = (list: string) => ({ "HX-Request": "true", "HX-Target": "div#pc-selection-bar", "HX-Current-URL": `${origin}${list}/` });

/** Selects rows (or all matching `filter`) as the list page does; returns the token the bulk forms post. */
async function select(browser: TestClient, list: string, ids: string[] | "all", filter = ""): Promise<string> {
  const response = ids === "all"
    ? await browser.post(`${list}/_selection`, { op: "all", _list: filter }, BAR(list))
    : await browser.post(`${list}/_selection`, { op: "rows", ids: ids.join(","), selected: "1" }, BAR(list));
  expect(response.status, textOf(response.text).slice(0, 300)).toBe(200);
  const form = await browser.get(`${list}/_bulk/edit`, MODAL);
  expect(form.status, textOf(form.text).slice(0, 300)).toBe(200);
  return /name="selection" value="([^"]*)"/.exec(form.text)![1]!;
}

function expectStatus(response: TestResponse, status: number): void {
  expect(response.status, textOf(response.text).slice(0, 400)).toBe(status);
}

// ------------------------------------------------------------------ tests

describe("examples/shop installed from the packed tarball", () => {
  it("type-checks with its own tsc against the package's declarations", () => {
    expect(runCommand(path.join(project, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "."], project)).toBe("");
  }, SLOW);

  it("passes its own tests (npm test: Node's test runner, the app in-process on a database of its own)", async () => {
    const report = runCommand("npm", ["test"], project, { TEST_DATABASE_URL: await freshDatabase(), CHECKPOINT_DISABLE: "1" });
    expect(report).toMatch(/^# pass 3$/m);
    expect(report).toMatch(/^# fail 0$/m);
  }, SLOW);

  it("keeps its own tables in public and PowerCRUD's in the powercrud schema, and seeded the catalogue", async () => {
    expect(await texts(`SELECT table_name AS v FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`))
      .toEqual(["Category", "Product", "StockMovement", "Tag", "_ProductToTag"]);
    expect(await texts(`SELECT table_name AS v FROM information_schema.tables WHERE table_schema = 'powercrud' ORDER BY 1`))
      .toEqual(expect.arrayContaining(["list_preference", "selection", "selection_item", "task", "task_target"]));
    expect(await count(`SELECT count(*) AS n FROM "Product"`)).toBe(PRODUCTS);
    expect(output).toContain("manager@example.com");
  });

  it("sends visitors to its own sign-in page in its own layout and refuses a wrong password", async () => {
    const visitor = TestClient.at(origin);
    const redirected = await visitor.get("/products/");
    expectStatus(redirected, 302);
    expect(redirected.headers.get("location")).toBe("/login?next=%2Fproducts%2F");
    const page = await visitor.get("/login");
    expect(page.text).toContain("<title>Sign in · Shop admin</title>");
    expect(page.text).toContain('href="/assets/powercrud.css');
    expect((await visitor.get(/href="(\/assets\/powercrud\.css[^"]*)"/.exec(page.text)![1]!)).status).toBe(200);
    const wrong = await visitor.post("/login", { email: "clerk@example.com", password: "nope" });
    expectStatus(wrong, 401);
    expect(textOf(wrong.text)).toContain("That email and password do not match an account.");
    expectStatus(await visitor.post("/login", { email: "clerk@example.com", password: "clerk", _csrf: "forged" }), 403);
  });

  it("lists products with search, filters on a relation, a many-to-many, an enum and a range", async () => {
    const clerk = await signIn("clerk@example.com");
    const all = await clerk.get("/products/?size=100");
    expect(textOf(all.text)).toContain(`of ${PRODUCTS}`);
    expect(rowIds(all.text).sort()).toEqual((await texts(`SELECT id::text AS v FROM "Product"`)).sort());
    expect(textOf((await clerk.get("/stock-movements/")).text)).toContain(`of ${PRODUCTS * 2}`);

    const kenya = await clerk.get("/products/?q=kenya");
    expect(rowIds(kenya.text).sort()).toEqual((await texts(`SELECT id::text AS v FROM "Product" WHERE name ILIKE '%kenya%'`)).sort());
    const [tea] = await texts(`SELECT id::text AS v FROM "Category" WHERE name = 'Tea'`);
    const [organic] = await texts(`SELECT id::text AS v FROM "Tag" WHERE name = 'organic'`);
    const filtered = await clerk.get(`/products/?category=${tea}&tags=${organic}&status=ACTIVE&price.min=10&size=100`);
    const expected = await texts(
      `SELECT p.id::text AS v FROM "Product" p JOIN "_ProductToTag" l ON l."A" = p.id
       WHERE p."categoryId" = $1 AND l."B" = $2 AND p.status = 'ACTIVE' AND p.price >= 10`, [tea, organic]);
    expect(expected.length).toBeGreaterThan(0);
    expect(rowIds(filtered.text).sort()).toEqual(expected.sort());
  });

  it("creates, edits and deletes a product by its uuid, with the example's own validation", async () => {
    const clerk = await signIn("clerk@example.com");
    const [coffee] = await texts(`SELECT id::text AS v FROM "Category" WHERE name = 'Coffee'`);
    const tags = await texts(`SELECT id::text AS v FROM "Tag" WHERE name IN ('new', 'vegan') ORDER BY name`);
    const form = { name: "Test Roast", sku: "test-roast", price: "12.50", stock: "7", status: "DRAFT", categoryId: coffee!, tags, description: "" };

    const refused = await clerk.post("/products/", form);
    expectStatus(refused, 422);
    expect(textOf(refused.text)).toContain("Use capital letters, digits and dashes.");
    expect(await count(`SELECT count(*) AS n FROM "Product" WHERE name = 'Test Roast'`)).toBe(0);

    const created = await clerk.post("/products/", { ...form, sku: "TEST-ROAST" });
    expectStatus(created, 303);
    const [id] = await texts(`SELECT id::text AS v FROM "Product" WHERE sku = 'TEST-ROAST'`);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await texts(`SELECT t.name AS v FROM "_ProductToTag" l JOIN "Tag" t ON t.id = l."B" WHERE l."A" = $1 ORDER BY 1`, [id])).toEqual(["new", "vegan"]);
    expect(flashOf((await clerk.get(created.headers.get("location")!)).text)).toContain("Test Roast");

    const detail = await clerk.get(`/products/${id!.toUpperCase()}`);
    expectStatus(detail, 200);
    expect(textOf(detail.text)).toContain("TEST-ROAST");
    expectStatus(await clerk.post(`/products/${id}`, { ...form, sku: "TEST-ROAST", price: "-1" }), 422);
    expectStatus(await clerk.post(`/products/${id}`, { ...form, sku: "TEST-ROAST", price: "13.75", stock: "9", tags: [tags[0]!] }), 303);
    expect((await pool.query(`SELECT price::text, stock FROM "Product" WHERE id = $1`, [id])).rows).toEqual([{ price: "13.75", stock: 9 }]);
    expect(await count(`SELECT count(*) AS n FROM "_ProductToTag" WHERE "A" = $1`, [id])).toBe(1);

    // Clerks may not delete (the example's permission hook); managers may.
    const forbidden = await clerk.post(`/products/${id}/delete`, {});
    expectStatus(forbidden, 403);
    expect(textOf(forbidden.text)).toContain("Only managers delete records.");
    const manager = await signIn("manager@example.com");
    expectStatus(await manager.get(`/products/${id}/delete`), 200);
    expectStatus(await manager.post(`/products/${id}/delete`, {}), 303);
    expect(await count(`SELECT count(*) AS n FROM "Product" WHERE id = $1`, [id])).toBe(0);
    expectStatus(await manager.get(`/products/${id}`), 404);
    expectStatus(await manager.get("/products/not-a-uuid"), 404);
  });

  it("applies its permission hooks: viewers only read, discontinued products are for managers", async () => {
    const viewer = await signIn("viewer@example.com");
    const [product] = await texts(`SELECT id::text AS v FROM "Product" WHERE status = 'ACTIVE' ORDER BY sku LIMIT 1`);
    expectStatus(await viewer.get(`/products/${product}`), 200);
    expectStatus(await viewer.get(`/products/${product}/edit`), 403);
    expect((await viewer.get("/products/")).text).not.toContain("pc-select-row");

    const clerk = await signIn("clerk@example.com");
    const [discontinued] = await texts(`SELECT id::text AS v FROM "Product" WHERE status = 'DISCONTINUED' ORDER BY sku LIMIT 1`);
    const refused = await clerk.get(`/products/${discontinued}/edit`);
    expectStatus(refused, 403);
    expect(textOf(refused.text)).toContain("Only managers change discontinued products.");
  });

  it("bulk edits chosen products by their uuids in the request, through the preview", async () => {
    const clerk = await signIn("clerk@example.com");
    const picked = await texts(`SELECT id::text AS v FROM "Product" WHERE status <> 'DISCONTINUED' ORDER BY sku LIMIT 3`);
    const [gifts] = await texts(`SELECT id::text AS v FROM "Category" WHERE name = 'Gifts'`);
    const token = await select(clerk, "/products", picked);
    const changes = { selection: token, _change: ["category", "categoryId", "price"], categoryId: gifts!, price: "9.99" };
    const preview = await clerk.post("/products/_bulk/preview", changes, MODAL);
    expectStatus(preview, 200);
    expect(summaryOf(preview.text)).toBe("Set Category to Gifts and set Price to 9.99 on 3 products.");
    const applied = await clerk.post("/products/_bulk/apply", changes, MODAL);
    expectStatus(applied, 200);
    // Recorded as a finished task with its journal: the message names the task that can undo it.
    expect(hxTrigger(applied.headers)["pc:saved"]).toEqual({ message: expect.stringMatching(/^Updated 3 products\. Revert bulk task #\d+ to undo it\.$/) });
    expect((await texts(`SELECT id::text AS v FROM "Product" WHERE "categoryId" = $1 AND price = 9.99`, [gifts])).sort()).toEqual([...picked].sort());
  });

  it("bulk edits stock movements by their BigInt ids", async () => {
    const clerk = await signIn("clerk@example.com");
    const picked = await texts(`SELECT id::text AS v FROM "StockMovement" ORDER BY id DESC LIMIT 4`);
    expectStatus(await clerk.get(`/stock-movements/${picked[0]}`), 200);
    const changes = { selection: await select(clerk, "/stock-movements", picked), _change: "note", note: "Counted again" };
    expectStatus(await clerk.post("/stock-movements/_bulk/apply", changes, MODAL), 200);
    expect(await texts(`SELECT id::text AS v FROM "StockMovement" WHERE note = 'Counted again' ORDER BY id DESC`)).toEqual(picked);
  });

  it("runs a bulk edit of every matching product in the background and shows it done on the status page", async () => {
    const clerk = await signIn("clerk@example.com");
    const matching = await texts(`SELECT id::text AS v FROM "Product" WHERE status = 'ACTIVE'`);
    expect(matching.length).toBeGreaterThanOrEqual(25);
    const [limited] = await texts(`SELECT id::text AS v FROM "Tag" WHERE name = 'limited'`);
    const token = await select(clerk, "/products", "all", "status=ACTIVE");
    const changes = { selection: token, _change: "tags", "tags._mode": "add", tags: limited! };
    const preview = await clerk.post("/products/_bulk/preview", changes, MODAL);
    expect(textOf(preview.text)).toContain("This runs in the background");
    const queued = await clerk.post("/products/_bulk/apply", changes, MODAL);
    expectStatus(queued, 200);
    expect(textOf(queued.text)).toContain(`Processing ${matching.length} products in the background`);
    const taskUrl = /href="(\/tasks\/\d+)"/.exec(queued.text)![1]!;

    let page = await clerk.get(taskUrl);
    for (let waited = 0; waited < 30_000 && !textOf(page.text).includes(`${matching.length} of ${matching.length} processed`); waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      page = await clerk.get(taskUrl);
    }
    expectStatus(page, 200);
    expect(textOf(page.text)).toContain(`${matching.length} of ${matching.length} processed · ${matching.length} succeeded`);
    expect(textOf(page.text)).toContain("Done");
    expect((await texts(`SELECT "A"::text AS v FROM "_ProductToTag" WHERE "B" = $1`, [limited])).sort()).toEqual(expect.arrayContaining(matching));
    expect(await count(`SELECT count(*) AS n FROM "_ProductToTag" WHERE "B" = $1 AND "A" = ANY($2::uuid[])`, [limited, matching])).toBe(matching.length);
    expect(textOf((await clerk.get("/tasks/")).text)).toContain(`#${taskUrl.split("/").at(-1)}`);
  });
});
