/**
 * Row selection in the browser for a model keyed by a UUID and one keyed by text ids holding "," and
 * "%": clicks and shift-click ranges post the ids the page holds, and a bulk edit changes exactly
 * those rows. The demo has no such model, so this spec mounts them in a bare Express app of its own
 * against its own throwaway PostgreSQL.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Server } from "node:http";
import express from "express";
import { expect, test, type Page } from "@playwright/test";
import { createPool, createPrisma } from "../../src/db/clients";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../src/db/embedded-postgres";
import { migrateDatabase } from "../../src/db/migrate";
import { dataModel } from "../../src/generated/powercrud";
import { createPowerCrud } from "../../src/index";
import { sessionMiddleware } from "../../src/web/session";

test.describe.configure({ mode: "serial" });

let database: EmbeddedDatabase;
let pool: ReturnType<typeof createPool>;
let prisma: ReturnType<typeof createPrisma>;
let server: Server;
let base = "";

test.beforeAll(async () => {
  test.setTimeout(120_000);
  database = await startEmbeddedPostgres({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "powercrud-e2e-ids-")), database: "powercrud_e2e_ids", persistent: false });
  await migrateDatabase(database.url);
  pool = createPool(database.url);
  prisma = createPrisma(database.url);
  for (let i = 1; i <= 8; i++) await prisma.coupon.create({ data: { code: `C${i}`, percent: 10 } });
  for (const [id, name] of [["a,1", "Tag a,1"], ["b%2C2", "Tag b%2C2"], ["c,3%", "Tag c,3%"], ["d4", "Tag d4"]]) await prisma.tag.create({ data: { id: id!, name: name! } });

  const crud = createPowerCrud({ prisma, pool, dataModel, getUser: () => ({ name: "Tester" }) });
  const app = express();
  app.use("/powercrud-assets", crud.assets());
  app.use(express.urlencoded({ extended: false }));
  app.use(sessionMiddleware({ pool, secret: "e2e-id-types-secret-0123456789" }));
  app.use(crud.protect());
  app.use("/coupons", crud.resource({ model: "Coupon", list: { fields: ["code", "percent"], defaultSort: ["code"] }, bulkFields: ["percent"] }));
  app.use("/tags", crud.resource({ model: "Tag", list: { fields: ["name"], defaultSort: ["name"] } }));
  app.use(crud.errorHandler());
  server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

test.afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await prisma?.$disconnect();
  await pool?.end();
  await database?.stop();
});

const rows = (page: Page) => page.locator("tbody tr[data-pc-row]");
const bar = (page: Page) => page.locator("#pc-selection-bar");

async function selectedIds(): Promise<string[]> {
  const { rows: items } = await pool.query<{ id: string }>(`SELECT "recordId" AS id FROM powercrud.selection_item WHERE included ORDER BY 1`);
  return items.map((item) => item.id);
}

test("a click and a shift-click select a range of uuid rows, and a bulk edit changes exactly them", async ({ page }) => {
  await page.goto(`${base}/coupons/`);
  await expect(rows(page)).toHaveCount(8);
  const ids = await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-pc-row")!));
  expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);

  await rows(page).nth(1).locator(".pc-select-row").click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "1");
  await rows(page).nth(4).locator(".pc-select-row").click({ modifiers: ["Shift"] });
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "4");
  expect(await selectedIds()).toEqual(ids.slice(1, 5).sort());

  await bar(page).getByRole("link", { name: "Bulk edit" }).click();
  const modal = page.locator("#pc-modal-content");
  await expect(modal.getByRole("heading", { name: "Edit 4 coupons" })).toBeVisible();
  await modal.getByRole("checkbox", { name: "Change Percent" }).check();
  await modal.getByLabel("Percent", { exact: true }).fill("77");
  await modal.getByRole("button", { name: "Review changes" }).click();
  await modal.getByRole("button", { name: "Apply changes" }).click();
  await expect(page.locator("#pc-toasts")).toContainText("Updated 4 coupons.");
  const { rows: changed } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "Coupon" WHERE percent = 77 ORDER BY id`);
  expect(changed.map((row) => row.id)).toEqual(ids.slice(1, 5).sort());
});

test("text ids holding commas and percent signs are selected as themselves, by click, range and page box", async ({ page }) => {
  await pool.query(`DELETE FROM powercrud.selection`);
  await page.goto(`${base}/tags/`);
  await expect(rows(page)).toHaveCount(4);
  await rows(page).nth(0).locator(".pc-select-row").click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "1");
  await rows(page).nth(2).locator(".pc-select-row").click({ modifiers: ["Shift"] });
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "3");
  expect(await selectedIds()).toEqual(["a,1", "b%2C2", "c,3%"]);

  await page.locator(".pc-select-page").click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "4");
  expect(await selectedIds()).toEqual(["a,1", "b%2C2", "c,3%", "d4"]);
});
