import { expect, test, type Locator, type Page } from "@playwright/test";
import { signIn } from "./support";

// The row checkbox and the row actions stay reachable at every width: on wide screens the table
// scrolls sideways inside its own box, its checkbox and actions columns pinned to its edges with an
// opaque background; on phones each row is a card (table-layout.spec.ts); the page itself never
// scrolls sideways.

const modal = (page: Page) => page.locator("#pc-modal");
const bar = (page: Page) => page.locator("#pc-selection-bar");
const scroller = (page: Page) => page.locator("#pc-table table").locator("xpath=..");

test.describe.configure({ timeout: 90_000 });

/** Long genre names (created through the UI) on one book, so the list is wider than a laptop screen. */
async function bookWithLongGenres(page: Page): Promise<{ id: string; title: string }> {
  const suffix = Date.now().toString(36);
  const names = ["Speculative", "Historical", "Experimental"].map((word) => `${word} fiction with a deliberately long genre name ${suffix}`);
  await page.goto("/genres");
  for (const name of names) {
    await page.getByRole("link", { name: "New genre" }).click();
    await modal(page).getByLabel("Name").fill(name);
    await modal(page).getByRole("button", { name: "Create" }).click();
    await expect(modal(page)).toBeHidden();
  }
  await page.goto("/books");
  const row = page.locator("#pc-table tbody tr[data-pc-row]").first();
  const id = (await row.getAttribute("data-pc-row"))!;
  await row.getByRole("link", { name: /^Edit / }).click();
  const title = await modal(page).getByLabel("Title").inputValue();
  await modal(page).getByLabel("Genres").selectOption(names.map((label) => ({ label })));
  await modal(page).getByRole("button", { name: "Save" }).click();
  await expect(modal(page)).toBeHidden();
  return { id, title };
}

/** The element lies wholly inside the viewport and inside the table's visible box. */
async function expectInView(page: Page, element: Locator): Promise<void> {
  const box = (await element.boundingBox())!;
  const frame = (await scroller(page).boundingBox())!;
  const width = page.viewportSize()!.width;
  expect(box.x, "left edge inside the viewport").toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, "right edge inside the viewport").toBeLessThanOrEqual(width);
  expect(box.x, "left edge inside the table box").toBeGreaterThanOrEqual(frame.x - 0.5);
  expect(box.x + box.width, "right edge inside the table box").toBeLessThanOrEqual(frame.x + frame.width + 0.5);
}

/** The page itself does not scroll sideways; only the table's box may. */
async function expectNoPageScroll(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "page width").toBeLessThanOrEqual(page.viewportSize()!.width);
}

/** A sticky cell's background hides what passes under it: painted over white and over black, it looks the same. */
async function expectOpaque(cell: Locator): Promise<void> {
  const seen = await cell.evaluate((element) => {
    const color = getComputedStyle(element).backgroundColor;
    const context = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    return ["#fff", "#000"].map((base) => {
      context.fillStyle = base;
      context.fillRect(0, 0, 1, 1);
      context.fillStyle = color;
      context.fillRect(0, 0, 1, 1);
      return Array.from(context.getImageData(0, 0, 1, 1).data).join(",");
    });
  });
  expect(seen[0], "the same colour over white and over black").toBe(seen[1]);
}

/** Checkbox, Edit and Delete of the row, in view and working, as one line of a card. */
async function expectCardControlsReachable(page: Page, rowId: string): Promise<void> {
  const row = page.locator(`#pc-table tr[data-pc-row="${rowId}"]`);
  const controls = [row.locator("input.pc-select-row"), row.getByRole("link", { name: /^Edit / }), row.getByRole("link", { name: /^Delete / })];
  await row.scrollIntoViewIfNeeded();
  for (const control of controls) await expectInView(page, control);
  await expectNoPageScroll(page);
  await controls[0]!.click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "1");
  await controls[1]!.click();
  await expect(modal(page).getByLabel("Title")).toBeVisible();
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await expect(modal(page)).toBeHidden();
  await controls[2]!.click();
  await expect(modal(page).getByRole("button", { name: /^Delete “/ })).toBeVisible();
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await expect(modal(page)).toBeHidden();
}

/** Checkbox, Edit and Delete of the row are in view, on top and working, wherever the table is scrolled. */
async function expectRowControlsReachable(page: Page, rowId: string): Promise<void> {
  const row = page.locator(`#pc-table tr[data-pc-row="${rowId}"]`);
  const box = row.locator("input.pc-select-row");
  const edit = row.getByRole("link", { name: /^Edit / });
  const remove = row.getByRole("link", { name: /^Delete / });
  const overflow = await scroller(page).evaluate((element) => element.scrollWidth - element.clientWidth);
  expect(overflow, "the table is wider than its box, so this test means something").toBeGreaterThan(0);

  for (const position of [0, Math.round(overflow / 2), overflow]) {
    await scroller(page).evaluate((element, left) => { element.scrollLeft = left; }, position);
    await row.scrollIntoViewIfNeeded();
    for (const control of [box, edit, remove]) await expectInView(page, control);
    await expectOpaque(row.locator("td:first-child"));
    await expectOpaque(row.locator("td:last-child"));
  }
  await expectNoPageScroll(page);

  // Clicks land on the controls themselves (Playwright refuses a click on a covered element).
  await scroller(page).evaluate((element) => { element.scrollLeft = element.scrollWidth / 2; });
  await box.click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "1");
  await edit.click();
  await expect(modal(page).getByLabel("Title")).toBeVisible();
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await expect(modal(page)).toBeHidden();
  await remove.click();
  await expect(modal(page).getByRole("button", { name: /^Delete “/ })).toBeVisible();
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await expect(modal(page)).toBeHidden();
}

for (const theme of ["light", "dark"] as const) {
  test(`at 1366×768 with long genre names, every row's checkbox and actions stay in view (${theme} theme)`, async ({ page }) => {
    await page.addInitScript((chosen) => localStorage.setItem("powercrud-theme", chosen), theme);
    await page.setViewportSize({ width: 1366, height: 768 });
    await signIn(page, "admin");
    const book = await bookWithLongGenres(page);
    await page.goto(`/books?q=${encodeURIComponent(book.title)}`);
    await expect(page.locator(`#pc-table tr[data-pc-row="${book.id}"]`)).toContainText("deliberately long genre name");
    await expectRowControlsReachable(page, book.id);
  });
}

test("at phone width 390×844 the row's checkbox and actions are in view and the page does not scroll sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "admin");
  await expectNoPageScroll(page);
  await page.goto("/books");
  await expectNoPageScroll(page);
  const rows = page.locator("#pc-table tbody tr[data-pc-row]");
  await expect(rows.first()).toBeVisible();
  await expectCardControlsReachable(page, (await rows.nth(1).getAttribute("data-pc-row"))!);
  // Selecting shows the bulk buttons: they wrap within the screen too.
  await expect(bar(page).getByRole("link", { name: "Bulk delete" })).toBeVisible();
  await expectNoPageScroll(page);
  for (const path of ["/authors", "/genres", "/login"]) {
    await page.goto(path);
    await expectNoPageScroll(page);
  }
});
