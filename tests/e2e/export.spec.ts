import fs from "node:fs";
import ExcelJS from "exceljs";
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

test("the selected rows download as XLSX: the menu counts the rows ticked since the page loaded", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books?sort=title");
  await menu(page).getByText("Export", { exact: true }).click();
  // Nothing selected yet: the option is there, and off.
  await expect(menu(page).getByRole("radio", { name: "Selected (0)" })).toBeDisabled();
  await menu(page).getByText("Export", { exact: true }).click();

  const rows = page.locator("#pc-table tbody tr[data-pc-row]");
  const ids: string[] = [];
  for (const index of [0, 2, 4]) {
    await rows.nth(index).locator("input.pc-select-row").click();
    ids.push((await rows.nth(index).getAttribute("data-pc-row"))!);
    await expect(page.locator("#pc-selection-bar")).toHaveAttribute("data-pc-selection-size", String(ids.length));
  }
  await menu(page).getByText("Export", { exact: true }).click();
  await menu(page).getByRole("radio", { name: "Selected (3)" }).check();
  await menu(page).getByLabel("Excel workbook (.xlsx)").check();
  const downloading = page.waitForEvent("download");
  await menu(page).getByRole("button", { name: "Download" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^books-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile((await download.path())!);
  const sheet = workbook.worksheets[0]!;
  expect(sheet.getRow(1).getCell(1).value).toBe("ID");
  // The list's order (by title): the ticked rows, in the order they were shown.
  expect(sheet.getColumn(1).values.slice(2).map(String)).toEqual(ids);
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
