import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// Dependent form fields in the demo: a book's editor cannot be its author, so choosing an author
// reloads the editor choices without that author, and a chosen editor who is now the author is
// dropped with a message.

const modal = (page: Page) => page.locator("#pc-modal");
const optionValues = (page: Page, select: string) => page.locator(`${select} option`).evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
const optionLabel = (page: Page, select: string, value: string) => page.locator(`${select} option[value="${value}"]`).first().innerText();

/** Picks the record with this id in a form combobox, found by typing its name. */
async function choose(page: Page, label: string, name: string, id: string) {
  await modal(page).getByRole("combobox", { name: `${label}: type to search` }).fill(name);
  await modal(page).getByRole("listbox", { name: `${label} choices` }).locator(`[role="option"][data-value="${id}"]`).click();
}

test("choosing the author reloads the editor choices in the form, and a clash is dropped with a message", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  const row = page.locator("#pc-table tbody tr[data-pc-row]").nth(5);
  await row.getByRole("link", { name: /^Edit / }).click();
  await expect(modal(page).getByLabel("Title")).toBeFocused();

  // Author and editor are comboboxes (the demo has 300 authors); their values live in the selects.
  const author = page.locator("#f-authorId");
  const editor = page.locator("#f-editorId");
  const editorChips = modal(page).getByRole("list", { name: "Chosen for Editor" }).getByRole("listitem");
  // The book's author is not among the editors; choose one who will then be made the author.
  const current = await author.inputValue();
  const currentName = await optionLabel(page, "#f-authorId", current);
  const editors = (await optionValues(page, "#f-editorId")).filter((value) => value !== "");
  expect(editors).not.toContain(current);
  const stored = await editor.inputValue();
  const [first, second] = editors.filter((value) => value !== stored);
  const [firstName, secondName] = [await optionLabel(page, "#f-editorId", first!), await optionLabel(page, "#f-editorId", second!)];
  await choose(page, "Editor", firstName, first!);
  await expect(editor).toHaveValue(first!);

  // The editor's search leaves out the author too.
  await modal(page).getByRole("combobox", { name: "Editor: type to search" }).fill(currentName);
  await expect(modal(page).locator("#f-editorId-status")).toHaveText(/match/);
  await expect(modal(page).locator(`#f-editorId-listbox [data-value="${current}"]`)).toHaveCount(0);
  await modal(page).getByRole("combobox", { name: "Editor: type to search" }).press("Escape");

  let reloaded = page.waitForResponse((response) => response.url().includes("/_choices/editorId") && response.url().includes(`authorId=${first}`));
  await choose(page, "Author", firstName, first!);
  await reloaded;
  await expect(editor.locator(`option[value="${first}"]`)).toHaveCount(0);
  await expect(editor).toHaveValue("");
  await expect(editorChips).toHaveCount(0);
  await expect(page.locator("#pc-toasts")).toContainText("is not available with the new choice");

  // A still-valid editor is kept when the author changes again, and the previous author is back.
  await choose(page, "Editor", secondName, second!);
  reloaded = page.waitForResponse((response) => response.url().includes("/_choices/editorId") && response.url().includes(`authorId=${current}`));
  await choose(page, "Author", currentName, current);
  await reloaded;
  await expect(editor).toHaveValue(second!);
  await expect(editorChips).toHaveCount(1);
  await expect(editorChips.first()).toContainText(secondName);
  await expect(editor.locator(`option[value="${current}"]`)).toHaveCount(0);
  await expect(editor.locator(`option[value="${first}"]`)).toHaveCount(1);

  await page.getByRole("button", { name: "Save" }).click();
  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText("Saved book");
});
