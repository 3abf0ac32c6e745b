import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// The list screen's controls as a keyboard and mouse user meets them: the Columns popover, a refused
// column choice (with and without JavaScript), and focus kept across sorting and paging. Nothing here
// leaves a saved column choice behind.

const rows = (page: Page) => page.locator("#pc-table tbody tr[data-pc-row]");
const chooser = (page: Page) => page.locator("#pc-columns");
const columnsButton = (page: Page) => page.locator("#pc-columns > summary");
const panel = (page: Page) => page.locator("#pc-columns form");
const currentPage = (page: Page) => page.locator('nav[aria-label="Pagination"] [aria-current="page"]');

test.describe("the Columns popover", () => {
  test("closes on an outside click, on Escape (focus back on its button), on Tab out, and when the table is swapped", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto("/books");

    await columnsButton(page).click();
    await expect(panel(page)).toBeVisible();
    await page.locator("#pc-list-title").click();
    await expect(panel(page)).toBeHidden();

    await columnsButton(page).click();
    await page.getByRole("checkbox", { name: "ISBN" }).focus();
    await page.keyboard.press("Escape");
    await expect(panel(page)).toBeHidden();
    await expect(columnsButton(page)).toBeFocused();

    // Escape closes it when focus is elsewhere too (a mouse user who opened it).
    await columnsButton(page).click();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("Escape");
    await expect(panel(page)).toBeHidden();
    await expect(columnsButton(page)).toBeFocused();

    // Tabbing past its last control leaves it closed behind.
    await columnsButton(page).click();
    await page.getByRole("button", { name: "Show columns" }).focus();
    await page.keyboard.press("Tab");
    await expect(panel(page)).toBeHidden();

    // Paging (a table swap) draws it closed, also when it was opened from the keyboard.
    await columnsButton(page).focus();
    await page.keyboard.press("Enter");
    await expect(panel(page)).toBeVisible();
    await page.evaluate(() => (document.querySelector('a[aria-label="Page 2"]') as HTMLElement).click());
    await expect(page).toHaveURL(/page=2$/);
    await expect(currentPage(page)).toHaveText("2");
    await expect(chooser(page)).not.toHaveAttribute("open");
    await expect(panel(page)).toBeHidden();
  });

  test("never keeps the selection bar's bulk buttons or the row buttons out of reach", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto("/books");
    await rows(page).first().locator("input.pc-select-row").click();
    await expect(page.getByTestId("pc-selection-count")).toContainText("1 selected");

    await columnsButton(page).click();
    await expect(panel(page)).toBeVisible();
    // Ticking another row is an outside click: it closes.
    await rows(page).nth(1).locator("input.pc-select-row").click();
    await expect(page.getByTestId("pc-selection-count")).toContainText("2 selected");
    await expect(panel(page)).toBeHidden();

    await columnsButton(page).click();
    await page.keyboard.press("Escape");
    // Playwright refuses to click an element another one covers: these clicks prove they are reachable.
    await page.getByRole("link", { name: "Bulk edit" }).click();
    await expect(page.locator("#pc-modal")).toBeVisible();
    // The bulk form counts as changed once a Change box is ticked, not before.
    await page.locator("#pc-modal [data-pc-bulk-toggle]").first().check();
    await page.keyboard.press("Escape");
    await page.getByRole("alertdialog", { name: "Discard your changes?" }).getByRole("button", { name: "Keep editing" }).click();
    await page.locator("#pc-modal [data-pc-bulk-toggle]").first().uncheck();
    await page.keyboard.press("Escape");
    await expect(page.locator("#pc-modal")).toBeHidden();
    await columnsButton(page).click();
    await page.locator("#pc-list-title").click();
    await rows(page).first().getByRole("link", { name: /^Delete / }).click();
    await expect(page.locator("#pc-modal").getByRole("heading", { name: "Delete book?" })).toBeVisible();
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Clear selection" }).click();
    await expect(page.getByTestId("pc-selection-count")).toContainText("Select rows");
  });
});

test.describe("a column choice with no column", () => {
  test("with JavaScript: Show is disabled and says why; a refused post keeps the whole list and shows the message in the chooser", async ({ page }) => {
    await signIn(page, "viewer");
    await page.goto("/books?q=the&sort=title");
    const headersBefore = await page.locator("#pc-table thead th").count();
    const idsBefore = await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-pc-row")));

    await columnsButton(page).click();
    const boxes = panel(page).getByRole("checkbox");
    for (const box of await boxes.all()) await box.uncheck();
    const show = page.getByRole("button", { name: "Show columns" });
    await expect(show).toBeDisabled();
    await expect(page.getByTestId("pc-columns-error")).toHaveText("Choose at least one column to show.");
    await boxes.first().check();
    await expect(show).toBeEnabled();
    await expect(page.getByTestId("pc-columns-error")).toBeHidden();
    await boxes.first().uncheck();

    // A post that gets past the button anyway (an older page, a script): the server's 422 answer.
    const refused = page.waitForResponse((response) => response.url().endsWith("/books/_columns"));
    await panel(page).evaluate((form) => (form as HTMLFormElement).requestSubmit());
    expect((await refused).status()).toBe(422);
    await expect(page.getByTestId("pc-columns-error")).toHaveText("Choose at least one column to show.");
    await expect(panel(page)).toBeVisible();
    await expect(boxes.first()).toBeFocused();
    // The list is still there, in the same state: search, table, pagination.
    await expect(page.getByPlaceholder("Search books…")).toHaveValue("the");
    await expect(page.locator("#pc-table thead th")).toHaveCount(headersBefore);
    expect(await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-pc-row")))).toEqual(idsBefore);
    await expect(page.getByTestId("pc-range")).toContainText("Showing 1–");
    await expect(page).toHaveURL(/\/books\?q=the&sort=title$/);

    // And it recovers without a reload: pressing Escape, then Reset, works.
    await page.keyboard.press("Escape");
    await expect(panel(page)).toBeHidden();
    await columnsButton(page).click();
    await page.getByRole("button", { name: "Reset" }).click();
    await expect(panel(page)).toBeHidden();
    await expect(page.locator("#pc-table thead th")).toHaveCount(headersBefore);
  });

  test.describe("without JavaScript", () => {
    test.use({ javaScriptEnabled: false });

    test("the refused choice answers with the list page, the chooser open with the message", async ({ page }) => {
      await signIn(page, "viewer");
      await page.goto("/books?status=PUBLISHED&page=2");
      const idsBefore = await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-pc-row")));
      await columnsButton(page).click();
      for (const box of await panel(page).getByRole("checkbox").all()) await box.uncheck();
      const refused = page.waitForResponse((response) => response.url().endsWith("/books/_columns"));
      await page.getByRole("button", { name: "Show columns" }).click();
      expect((await refused).status()).toBe(422);
      await expect(panel(page)).toBeVisible();
      await expect(page.getByTestId("pc-columns-error")).toHaveText("Choose at least one column to show.");
      await expect(page.getByRole("search")).toBeVisible();
      expect(await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-pc-row")))).toEqual(idsBefore);
      await expect(currentPage(page)).toHaveText("2");

      // Choosing a column from here saves it and returns to the list it came from.
      await panel(page).getByRole("checkbox", { name: "Title" }).check();
      await page.getByRole("button", { name: "Show columns" }).click();
      await expect(page).toHaveURL(/\/books\/\?status=PUBLISHED&page=2$/);
      await expect(page.locator("#pc-table thead th[scope=col]")).toHaveCount(1);
      await columnsButton(page).click();
      await page.getByRole("button", { name: "Reset" }).click();
      await expect(page.locator("#pc-table thead th[scope=col]").first()).toContainText("Title");
      expect(await page.locator("#pc-table thead th[scope=col]").count()).toBeGreaterThan(1);
    });
  });
});

test.describe("keyboard focus across sorting and paging", () => {
  test("Enter on a sort header keeps focus on that header", async ({ page }) => {
    await signIn(page, "viewer");
    await page.goto("/books");
    const price = page.getByRole("link", { name: /^Price/ });
    await price.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/sort=price$/);
    await expect(page.getByRole("link", { name: /^Price/ })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/sort=-price$/);
    await expect(page.locator('th[aria-sort="descending"]')).toContainText("Price");
    await expect(page.getByRole("link", { name: /^Price/ })).toBeFocused();
  });

  test("Enter on a page link focuses that page's marker; Next stays on Next, and on the last page falls back to the current page", async ({ page }) => {
    await signIn(page, "viewer");
    await page.goto("/books?size=100");
    await page.getByRole("link", { name: "Page 2" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/size=100&page=2$/);
    const current = currentPage(page);
    await expect(current).toHaveText("2");
    await expect(current).toBeFocused();

    await page.getByRole("link", { name: "Previous page" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/size=100$/);
    // Page 1 has no Previous link: the current page takes focus.
    await expect(current).toHaveText("1");
    await expect(current).toBeFocused();

    await page.getByRole("link", { name: "Next page" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/size=100&page=2$/);
    await expect(page.getByRole("link", { name: "Next page" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/size=100&page=3$/);
    await expect(current).toHaveText("3");
    await expect(current).toBeFocused();
    // Focus is in the pagination, so Shift+Tab reaches the previous page's link.
    await page.keyboard.press("Shift+Tab");
    await expect(page.getByRole("link", { name: "Page 2" })).toBeFocused();
  });
});

test.describe("closing the record modal with unsaved changes", () => {
  const modal = (page: Page) => page.locator("#pc-modal");
  const prompt = (page: Page) => page.getByRole("alertdialog", { name: "Discard your changes?" });

  async function openEdit(page: Page): Promise<{ id: string; title: string }> {
    await signIn(page, "editor");
    await page.goto("/books?sort=title");
    const row = rows(page).nth(4);
    const id = (await row.getAttribute("data-pc-row"))!;
    const title = (await row.locator("td a.link").first().innerText()).trim();
    await row.getByRole("link", { name: /^Edit / }).click();
    await expect(modal(page).getByLabel("Title")).toBeFocused();
    return { id, title };
  }

  test("Escape, the backdrop, ✕ and Cancel ask first; Keep editing keeps the edits, Discard closes without saving", async ({ page }) => {
    const { id, title } = await openEdit(page);
    const field = modal(page).getByLabel("Title");
    await field.fill("Not Saved Yet");

    await page.keyboard.press("Escape");
    await expect(modal(page)).toBeVisible();
    await expect(prompt(page)).toBeVisible();
    await expect(prompt(page).getByRole("button", { name: "Keep editing" })).toBeFocused();
    // A second Escape answers "keep editing": focus goes back to where it was.
    await page.keyboard.press("Escape");
    await expect(prompt(page)).toBeHidden();
    await expect(modal(page)).toBeVisible();
    await expect(field).toBeFocused();
    await expect(field).toHaveValue("Not Saved Yet");

    // The backdrop (outside the box).
    await page.mouse.click(5, 5);
    await expect(prompt(page)).toBeVisible();
    await prompt(page).getByRole("button", { name: "Keep editing" }).click();
    await expect(prompt(page)).toBeHidden();
    await expect(field).toHaveValue("Not Saved Yet");

    await modal(page).getByRole("button", { name: "Cancel" }).click();
    await expect(prompt(page)).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(prompt(page)).toBeHidden();

    await modal(page).getByRole("button", { name: "Close" }).click();
    await expect(prompt(page)).toBeVisible();
    await prompt(page).getByRole("button", { name: "Discard changes" }).click();
    await expect(modal(page)).toBeHidden();
    await expect(page.locator(`tr[data-pc-row="${id}"]`)).toContainText(title);
    await expect(page.locator(`tr[data-pc-row="${id}"]`).getByRole("link", { name: /^Edit / })).toBeFocused();

    // Opened again, the form is fresh and closes at once.
    await page.locator(`tr[data-pc-row="${id}"]`).getByRole("link", { name: /^Edit / }).click();
    await expect(modal(page).getByLabel("Title")).toHaveValue(title);
    await page.keyboard.press("Escape");
    await expect(modal(page)).toBeHidden();
    await expect(prompt(page)).toBeHidden();
  });

  test("a form without changes (or with its changes undone) closes at once; a form rejected with errors still asks", async ({ page }) => {
    const { title } = await openEdit(page);
    const field = modal(page).getByLabel("Title");
    await field.fill("Changed");
    await field.fill(title);
    await page.mouse.click(5, 5);
    await expect(modal(page)).toBeHidden();

    await rows(page).nth(4).getByRole("link", { name: /^Edit / }).click();
    await modal(page).getByLabel("Title").fill("");
    await modal(page).getByRole("button", { name: "Save" }).click();
    await expect(page.locator("#f-title-error")).toHaveText("This field is required.");
    await page.keyboard.press("Escape");
    await expect(prompt(page)).toBeVisible();
    await prompt(page).getByRole("button", { name: "Discard changes" }).click();
    await expect(modal(page)).toBeHidden();
    await expect(rows(page).nth(4)).toContainText(title);

    // A record's detail view has nothing to lose.
    await rows(page).nth(4).locator("td a.link").first().click();
    await expect(modal(page)).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(modal(page)).toBeHidden();
  });
});
