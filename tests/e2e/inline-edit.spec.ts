import { expect, test, type Locator, type Page } from "@playwright/test";
import { signIn } from "./support";

// Inline row editing by keyboard alone: Quick edit turns the row into inputs, Enter saves, Escape
// cancels, messages sit next to their inputs, and focus always lands somewhere sensible.

const rowOf = (page: Page, id: string) => page.locator(`#pc-table tr[data-pc-row="${id}"]`);
const quickEdit = (row: Locator) => row.getByRole("link", { name: /^Quick edit / });

/** Presses Tab until `target` has focus, at most `presses` times. */
async function tabTo(page: Page, target: Locator, presses: number): Promise<void> {
  for (let pressed = 0; pressed < presses && !(await target.evaluate((element) => element === document.activeElement)); pressed++) {
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

async function firstRow(page: Page): Promise<{ id: string; row: Locator }> {
  const row = page.locator("#pc-table tbody tr[data-pc-row]").first();
  const id = (await row.getAttribute("data-pc-row"))!;
  return { id, row: rowOf(page, id) };
}

test("an editor changes a title and a price in place by keyboard, then cancels another edit with Escape", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  const { id, row } = await firstRow(page);

  // Quick edit, reached and pressed by keyboard: the row's inputs appear, the first one focused.
  await quickEdit(row).focus();
  await page.keyboard.press("Enter");
  const title = row.getByRole("textbox", { name: "Title" });
  await expect(title).toBeFocused();
  await expect(row.getByRole("button", { name: /^Save / })).toBeVisible();
  await title.fill("Edited in the Row");
  // On to the price with Tab (past the author's search box and select, maybe a cut-off genre list, the status).
  await tabTo(page, row.getByRole("textbox", { name: "Price" }), 6);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("21.5");
  await page.keyboard.press("Enter");

  // Saved: the row is back, shows the values, the save is read out, focus is on Quick edit again.
  await expect(row.getByRole("textbox")).toHaveCount(0);
  await expect(row).toContainText("Edited in the Row");
  await expect(row).toContainText("21.50");
  await expect(page.locator("#pc-toasts")).toContainText("Saved book “Edited in the Row”.");
  await expect(quickEdit(row)).toBeFocused();
  // The save reached the database: a fresh page shows it.
  await page.reload();
  await expect(rowOf(page, id)).toContainText("Edited in the Row");

  // A refused value: its message is next to its input, which is focused and described by it.
  await quickEdit(rowOf(page, id)).focus();
  await page.keyboard.press("Enter");
  const price = rowOf(page, id).getByRole("textbox", { name: "Price" });
  await price.fill("12.345");
  await page.keyboard.press("Enter");
  const message = page.locator(`#pc-${id}-f-price-error`);
  await expect(message).toContainText("at most 2 decimal places");
  await expect(price).toHaveAttribute("aria-invalid", "true");
  await expect(price).toHaveAttribute("aria-describedby", new RegExp(`^pc-${id}-f-price-error\\b`));
  await expect(price).toHaveAccessibleDescription(/at most 2 decimal places/);
  await expect(price).toBeFocused();

  // Escape: the row as it was, nothing saved, focus back on Quick edit.
  await page.keyboard.press("Escape");
  await expect(rowOf(page, id).getByRole("textbox")).toHaveCount(0);
  await expect(rowOf(page, id)).toContainText("21.50");
  await expect(quickEdit(rowOf(page, id))).toBeFocused();
});

test("choosing an author in the row takes that author off the editor choices", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  // Show the Editor column, which the demo edits in place too (and put the columns back at the end:
  // the choice is saved for the user).
  await page.locator("#pc-columns-button").click();
  await page.getByRole("checkbox", { name: "Editor" }).check();
  await page.getByRole("button", { name: "Show columns" }).click();
  await expect(page.locator("#pc-table thead")).toContainText("Editor");
  const { id, row } = await firstRow(page);
  await quickEdit(row).click();
  // Both are comboboxes in the row (the demo has 300 authors), their values in hidden selects.
  const author = row.locator("select[name=authorId]");
  const editor = row.locator("select[name=editorId]");
  await expect(row.getByRole("combobox", { name: "Editor: type to search" })).toBeVisible();
  const next = (await author.locator("option").nth(2).getAttribute("value"))!;
  const name = await author.locator("option").nth(2).innerText();
  const reload = page.waitForResponse((response) => response.url().includes("/_choices/editorId") && response.url().includes(`authorId=${next}`));
  await row.getByRole("combobox", { name: "Author: type to search" }).fill(name);
  await row.getByRole("listbox", { name: "Author choices" }).locator(`[role="option"][data-value="${next}"]`).click();
  await reload;
  await expect(author).toHaveValue(next);
  await expect(editor.locator(`option[value="${next}"]`)).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(rowOf(page, id).getByRole("combobox")).toHaveCount(0);
  await page.locator("#pc-columns-button").click();
  await page.getByRole("button", { name: "Reset" }).click();
  await expect(page.locator("#pc-table thead")).not.toContainText("Editor");
});

test("a refusal (a record a bulk task holds) opens in the modal, and closing it returns focus to Quick edit", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  const { id, row } = await firstRow(page);
  // The server's answer for a held record, as the integration tests check it.
  await page.route(`**/books/${id}/inline`, (route) =>
    route.fulfill({
      status: 409,
      contentType: "text/html",
      body: `<div role="alert" class="alert alert-error alert-soft" data-status="409"><div><p class="font-semibold">Record is busy</p><p>This book is being changed by bulk task #7. Try again when the task has finished.</p></div></div>`,
    }),
  );
  await quickEdit(row).focus();
  await page.keyboard.press("Enter");
  const dialog = page.locator("#pc-modal");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("alert")).toContainText("bulk task #7");
  await expect(row.getByRole("textbox")).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(quickEdit(row)).toBeFocused();
});

test("a viewer sees no Quick edit, and without JavaScript Quick edit is the edit form", async ({ browser }) => {
  const viewerPage = await browser.newPage();
  await signIn(viewerPage, "viewer");
  await viewerPage.goto("/books");
  await expect(viewerPage.locator("#pc-table tbody tr[data-pc-row]").first()).toBeVisible();
  await expect(viewerPage.getByRole("link", { name: /^Quick edit / })).toHaveCount(0);
  await viewerPage.close();

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, "editor");
  await page.goto("/books");
  const { id, row } = await firstRow(page);
  await quickEdit(row).click();
  // From the plain list the link needs no _return: the edit form returns there anyway.
  await expect(page).toHaveURL(new RegExp(`/books/${id}/edit$`));
  await expect(page.getByLabel("Title")).toBeVisible();
  await context.close();
});
