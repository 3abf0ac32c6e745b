import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// A selection made under one filter, seen after the filter changed: the bar names the filter it was
// made under and keeps it apart from the list (no bulk action from a list that does not show it),
// "Select all N matching" for the new filter is one click away, and bulk forms state the filter and
// the exact count. Changes nothing in the database.

const bar = (page: Page) => page.locator("#pc-selection-bar");
const modal = (page: Page) => page.locator("#pc-modal");
const rows = (page: Page) => page.locator("#pc-table tbody tr[data-pc-row]");

test.describe.configure({ timeout: 90_000 });

async function totalShown(page: Page): Promise<number> {
  const text = await page.getByTestId("pc-range").innerText();
  return Number(/of\s+([\d,]+)/.exec(text)![1]!.replaceAll(",", ""));
}

test("a selection of one author's books, after the author filter is removed, is named and kept apart", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/books/");
  const everything = await totalShown(page);

  // The author of the first row, chosen in the filter panel as a user would.
  const authorName = (await rows(page).first().locator("td").nth(2).innerText()).trim();
  await page.locator("summary", { hasText: "Filters" }).click();
  await page.getByRole("combobox", { name: "Author: type to search" }).fill(authorName);
  await page.getByRole("listbox", { name: "Author choices" }).getByRole("option", { name: authorName, exact: true }).click();
  await expect(page).toHaveURL(/\/books\/\?author=\d+$/);
  const authorQuery = new URL(page.url()).search;
  await page.locator("summary", { hasText: "Filters" }).click();
  const theirs = await totalShown(page);
  expect(theirs).toBeGreaterThan(0);
  expect(theirs).toBeLessThan(everything);

  await bar(page).getByRole("button", { name: `Select all ${theirs} matching` }).click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", String(theirs));
  await expect(page.getByTestId("pc-selection-count")).toContainText(`${theirs} selected: all matching Author: is ${authorName}`);
  await expect(bar(page).getByRole("link", { name: "Bulk delete" })).toBeVisible();

  // Remove the author filter: the list now shows every book, the selection stays as it was.
  await page.getByRole("list", { name: "Active filters" }).getByRole("link", { name: `Remove filter Author: is ${authorName}` }).click();
  await expect(page).toHaveURL(/\/books\/$/);
  await expect.poll(() => totalShown(page)).toBe(everything);
  await expect(bar(page)).toHaveAttribute("data-pc-selection-apart", "");
  await expect(page.getByTestId("pc-selection-count")).toContainText(`${theirs} selected under Author: is ${authorName}`);
  await expect(page.getByTestId("pc-selection-count")).toContainText("not the filter shown here");
  await expect(bar(page).getByRole("link", { name: "Bulk edit" })).toHaveCount(0);
  await expect(bar(page).getByRole("link", { name: "Bulk delete" })).toHaveCount(0);
  await expect(bar(page).getByRole("button", { name: `Select all ${everything} matching` })).toBeVisible();

  // "Show them" leads back to the filter the selection was made under, where bulk actions return
  // and the delete form states the filter and the exact count.
  await bar(page).getByRole("link", { name: "Show them" }).click();
  await expect(page).toHaveURL(new RegExp(`/books/\\${authorQuery}$`));
  await expect(bar(page)).not.toHaveAttribute("data-pc-selection-apart", "");
  await bar(page).getByRole("link", { name: "Bulk delete" }).click();
  await expect(modal(page).getByRole("heading", { name: `Delete ${theirs} ${theirs === 1 ? "book" : "books"}?` })).toBeVisible();
  await expect(modal(page).getByTestId("pc-bulk-scope")).toContainText(`Acts on ${theirs} ${theirs === 1 ? "book" : "books"}`);
  await expect(modal(page).getByTestId("pc-bulk-scope")).toContainText(`Every book matching Author: is ${authorName}.`);
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await expect(modal(page)).toBeHidden();

  // Back on the unfiltered list, selecting all it shows is one click and replaces the old selection.
  await page.goto("/books/");
  await bar(page).getByRole("button", { name: `Select all ${everything} matching` }).click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", String(everything));
  await expect(page.getByTestId("pc-selection-count")).toContainText(`${everything} selected: all books`);
  await expect(bar(page)).not.toHaveAttribute("data-pc-selection-apart", "");
  await bar(page).getByRole("link", { name: "Bulk edit" }).click();
  await expect(modal(page).getByTestId("pc-bulk-scope")).toContainText(`Acts on ${everything} books: Every book, unfiltered.`);
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await bar(page).getByRole("button", { name: "Clear selection" }).click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "0");
});
