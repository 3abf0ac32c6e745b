import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

const rows = (page: Page) => page.locator("#pc-table tbody tr[data-pc-row]");

test("filter, page, sort and a modal edit all keep the list state; back restores the previous list", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");

  await page.locator("summary", { hasText: "Filters" }).click();
  await page.getByRole("group", { name: "Status is any of" }).getByLabel("Published").check();
  await expect(page).toHaveURL(/\/books\/\?status=PUBLISHED$/);
  await expect(page.getByRole("link", { name: "Remove filter Status: is Published" })).toBeVisible();
  for (const status of await rows(page).locator("td:nth-child(5)").allInnerTexts()) expect(status.trim()).toBe("Published");

  await page.getByRole("link", { name: "Page 2" }).click();
  await expect(page).toHaveURL(/status=PUBLISHED&page=2$/);
  await page.getByRole("link", { name: /^Price/ }).click();
  // A sort change goes back to page 1 and keeps the filter.
  await expect(page).toHaveURL(/status=PUBLISHED&sort=price$/);
  await page.getByRole("link", { name: "Page 2" }).click();
  await expect(page).toHaveURL(/status=PUBLISHED&sort=price&page=2$/);
  const prices = (await rows(page).locator("td:nth-child(6)").allInnerTexts()).map(Number);
  expect(prices.length).toBeGreaterThan(0);
  expect(prices.every(Number.isFinite)).toBe(true);
  expect(prices).toEqual([...prices].sort((a, b) => a - b));

  const row = rows(page).nth(3);
  const id = await row.getAttribute("data-pc-row");
  await row.getByRole("link", { name: /^Edit / }).click();
  await page.locator("#pc-modal").getByLabel("Title").fill("Kept In Place");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#pc-modal")).toBeHidden();
  await expect(page.locator(`tr[data-pc-row="${id}"]`)).toContainText("Kept In Place");
  await expect(page).toHaveURL(/status=PUBLISHED&sort=price&page=2$/);
  await expect(page.getByRole("link", { name: "Remove filter Status: is Published" })).toBeVisible();
  await expect(page.locator('[aria-current="page"]', { hasText: "2" })).toBeVisible();
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText("Price");

  await page.goBack();
  await expect(page).toHaveURL(/status=PUBLISHED&sort=price$/);
  await expect(page.locator('[aria-current="page"]', { hasText: "1" })).toBeVisible();
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText("Price");
  await page.goBack();
  await expect(page).toHaveURL(/status=PUBLISHED&page=2$/);
  await expect(page.locator('th[aria-sort="ascending"]')).toHaveCount(0);
  await page.goForward();
  await expect(page).toHaveURL(/status=PUBLISHED&sort=price$/);
});

test("search narrows the list as you type and keeps focus in the box", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/books");
  const search = page.getByPlaceholder("Search books…");
  await search.click();
  await search.pressSequentially("harbour", { delay: 30 });
  await expect(page).toHaveURL(/\?q=harbour$/);
  await expect(search).toBeFocused();
  for (const title of await rows(page).locator("td:first-child").allInnerTexts()) expect(title.toLowerCase()).toContain("harbour");
  await page.getByRole("link", { name: "Clear all" }).click();
  await expect(page).toHaveURL(/\/books\/$/);
  await expect(search).toHaveValue("");
});

test("the column chooser persists across reloads and can be reset", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/books");
  await expect(page.locator("th", { hasText: "ISBN" })).toHaveCount(0);
  await page.locator("summary", { hasText: "Columns" }).click();
  await page.getByRole("checkbox", { name: "ISBN" }).check();
  await page.getByRole("checkbox", { name: "Pages", exact: true }).uncheck();
  await page.getByRole("button", { name: "Show columns" }).click();
  await expect(page.locator("th", { hasText: "ISBN" })).toBeVisible();
  await expect(page.locator("th", { hasText: /^\s*Pages/ })).toHaveCount(0);

  await page.reload();
  await expect(page.locator("th", { hasText: "ISBN" })).toBeVisible();
  await expect(page.locator("th", { hasText: /^\s*Pages/ })).toHaveCount(0);

  await page.locator("summary", { hasText: "Columns" }).click();
  await page.getByRole("button", { name: "Reset" }).click();
  await expect(page.locator("th", { hasText: "ISBN" })).toHaveCount(0);
  await expect(page.locator("th", { hasText: /^\s*Pages/ })).toBeVisible();
});

test("page size and jump to page keep the filters", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/books?bestseller=no");
  await page.getByLabel("Rows per page").selectOption("10");
  await expect(page).toHaveURL(/bestseller=no&size=10$/);
  await expect(rows(page)).toHaveCount(10);
  await page.getByLabel("Go to page").fill("3");
  await page.getByRole("button", { name: "Go" }).click();
  await expect(page).toHaveURL(/bestseller=no&size=10&page=3$/);
  await expect(page.getByTestId("pc-range")).toContainText("Showing 21–30 of");
});
