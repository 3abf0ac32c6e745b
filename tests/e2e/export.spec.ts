import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// The demo here sends exports of 150 rows or more to the background (BULK_MIN_RECORDS=150): a
// filtered list downloads at once, the whole list is prepared as a task whose page offers the file.

const menu = (page: Page) => page.locator("#pc-export");

/** The list's count as the Export menu states it ("This list (N rows)"). */
async function listCount(page: Page): Promise<number> {
  return Number((await menu(page).getByTestId("pc-export-list-count").textContent())!.replace(/[^\d]/g, ""));
}

test("a filtered list downloads as CSV at once: the visible columns, every matching row", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/books?status=OUT_OF_PRINT&sort=title");
  await menu(page).getByText("Export", { exact: true }).click();
  const rows = await listCount(page);
  expect(rows).toBeGreaterThan(0);
  expect(rows).toBeLessThan(150);
  await expect(menu(page).getByLabel("CSV (UTF-8)")).toBeChecked();

  const downloading = page.waitForEvent("download");
  await menu(page).getByRole("button", { name: "Download" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^books-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = fs.readFileSync((await download.path())!, "utf8");
  const lines = text.replace(/^\uFEFF/, "").trimEnd().split("\n");
  expect(lines[0]).toBe("ID,Title,Author,Genres,Status,Price,Pages,Published,Bestseller");
  expect(lines.length).toBe(rows + 1);
  expect(lines.slice(1).every((line) => line.includes(",OUT_OF_PRINT,"))).toBe(true);
  // The page stays as it was, the menu closed.
  await expect(page).toHaveURL(/status=OUT_OF_PRINT/);
  await expect(menu(page)).not.toHaveAttribute("open", "");
});

test("the whole list is prepared in the background: its task page shows progress, then the download", async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, "viewer");
  await page.goto("/books");
  await menu(page).getByText("Export", { exact: true }).click();
  const rows = await listCount(page);
  expect(rows).toBeGreaterThanOrEqual(150);
  await menu(page).getByLabel("CSV (UTF-8)").check();
  await menu(page).getByRole("button", { name: "Download" }).click();

  await expect(page).toHaveURL(/\/tasks\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Export #\d+$/);
  await expect(page.getByText("it is prepared in the background")).toBeVisible();
  const link = page.getByTestId("pc-export-download");
  await expect(link).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("pc-task-status")).toHaveText("Done");
  await expect(page.getByTestId("pc-task-counts")).toHaveText(`${rows.toLocaleString("en")} of ${rows.toLocaleString("en")} rows written`);

  const downloading = page.waitForEvent("download");
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^books-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = fs.readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "").trimEnd().split("\n");
  expect(lines[0]).toBe("ID,Title,Author,Genres,Status,Price,Pages,Published,Bestseller");
  expect(lines.length).toBe(rows + 1);
});
