/**
 * The shop's own tests, the way an app that mounts PowerCRUD tests itself: the real app on a real
 * PostgreSQL (TEST_DATABASE_URL, else a throwaway embedded one), driven over HTTP as a browser without
 * JavaScript would: a session cookie, the CSRF token from the page, form posts and redirects.
 * `npm test` runs them with Node's test runner.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type pg from "pg";
import { createApp } from "../src/app.js";
import { shopCrud, type ShopCrud } from "../src/crud.js";
import { connect, migrate, openDatabase, type Database } from "../src/database.js";
import type { PrismaClient } from "../src/generated/prisma/client.js";
import { seedIfEmpty } from "../src/seed.js";

let database: Database;
let pool: pg.Pool;
let prisma: PrismaClient;
let shop: ShopCrud;
let server: Server;
let origin = "";

before(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-test-"));
  database = await openDatabase({ url: process.env.TEST_DATABASE_URL, dataDir, persistent: false });
  await migrate(database.url);
  ({ pool, prisma } = connect(database.url));
  await seedIfEmpty(prisma);
  shop = shopCrud({ prisma, pool });
  server = createApp(shop, { sessionSecret: "a-secret-for-tests-only" }).listen(0, "127.0.0.1");
  await once(server, "listening");
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  server.close();
  await shop.crud.close();
  await prisma.$disconnect();
  await pool.end();
  await database.stop();
});

/** Keeps the session cookie, and posts forms with the CSRF token of the last page it loaded. */
class Browser {
  private cookie = "";
  private csrf = "";

  async get(url: string) {
    return this.send(url, { method: "GET" });
  }

  async post(url: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams({ _csrf: this.csrf });
    for (const [name, value] of Object.entries(form)) for (const item of [value].flat()) body.append(name, item);
    return this.send(url, { method: "POST", body });
  }

  private async send(url: string, init: RequestInit) {
    const response = await fetch(origin + url, { ...init, redirect: "manual", headers: { cookie: this.cookie } });
    const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith("shop.sid="));
    if (session) this.cookie = session.split(";")[0]!;
    const text = await response.text();
    this.csrf = /name="csrf-token" content="([^"]+)"/.exec(text)?.[1] ?? this.csrf;
    return { status: response.status, location: response.headers.get("location"), text };
  }
}

async function signIn(email: string, password: string): Promise<Browser> {
  const browser = new Browser();
  await browser.get("/login");
  const signedIn = await browser.post("/login", { email, password, next: "/products" });
  assert.equal(signedIn.status, 303);
  assert.equal((await browser.get("/products/")).status, 200);
  return browser;
}

const firstProduct = (where: object = {}) => prisma.product.findFirstOrThrow({ where, orderBy: { sku: "asc" }, include: { tags: true } });

test("a clerk changes a product's price and stock", async () => {
  const clerk = await signIn("clerk@example.com", "clerk");
  const product = await firstProduct({ status: "ACTIVE" });
  const saved = await clerk.post(`/products/${product.id}`, {
    name: product.name, sku: product.sku, price: "19.90", stock: "3", status: product.status,
    categoryId: String(product.categoryId ?? ""), tags: product.tags.map((tag) => String(tag.id)), description: "",
  });
  assert.equal(saved.status, 303);
  const stored = await prisma.product.findUniqueOrThrow({ where: { id: product.id } });
  assert.equal(stored.price.toString(), "19.9");
  assert.equal(stored.stock, 3);
});

test("a viewer may read products but not edit them", async () => {
  const viewer = await signIn("viewer@example.com", "viewer");
  const product = await firstProduct();
  assert.equal((await viewer.get(`/products/${product.id}`)).status, 200);
  const refused = await viewer.get(`/products/${product.id}/edit`);
  assert.equal(refused.status, 403);
  assert.match(refused.text, /Only clerks and managers edit records\./);
});

test("a clerk bulk edits the products they ticked", async () => {
  const clerk = await signIn("clerk@example.com", "clerk");
  const picked = await prisma.product.findMany({ where: { status: "ACTIVE" }, orderBy: { sku: "desc" }, take: 2 });
  const ids = picked.map((product) => product.id);
  // The list's row checkboxes without JavaScript: a form that posts the ticked ids.
  assert.equal((await clerk.post("/products/_selection", { op: "rows", ids: ids.join(","), selected: "1", _return: "/products/" })).status, 303);
  const form = await clerk.get("/products/_bulk/edit");
  const selection = /name="selection" value="([^"]+)"/.exec(form.text)![1]!;
  const applied = await clerk.post("/products/_bulk/apply", { selection, _change: "status", status: "DRAFT" });
  assert.equal(applied.status, 303);
  const drafts = await prisma.product.findMany({ where: { id: { in: ids }, status: "DRAFT" } });
  assert.equal(drafts.length, 2);
});
