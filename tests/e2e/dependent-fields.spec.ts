import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// Dependent form fields in the demo: a book's editor cannot be its author, so choosing an author
// reloads the editor choices without that author, and a chosen editor who is now the author is
// dropped with a message.

const modal = (page: Page) => page.locator("#pc-modal");
const optionValues = (page: Page, select: string) => page.locator(`${select} option`).evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));

test("choosing the author reloads the editor choices in the form, and a clash is dropped with a message", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  const row = page.locator("#pc-table tbody tr[data-pc-row]").nth(5);
  await row.getByRole("link", { name: /^Edit / }).click();
  await expect(modal(page).getByLabel("Title")).toBeFocused();

  const author = page.locator("#f-authorId");
  const editor = page.locator("#f-editorId");
  // The book's author is not among the editors; choose one who will then be made the author.
  const current = await author.inputValue();
  const editors = (await optionValues(page, "#f-editorId")).filter((value) => value !== "");
  expect(editors).not.toContain(current);
  // Both lists show the first authors by name (plus each one's current choice): take two in both.
  const authors = await optionValues(page, "#f-authorId");
  const stored = await editor.inputValue();
  const [first, second] = editors.filter((value) => authors.includes(value) && value !== stored);
  await editor.selectOption(first!);

  let reloaded = page.waitForResponse((response) => response.url().includes("/_choices/editorId") && response.url().includes(`authorId=${first}`));
  await author.selectOption(first!);
  await reloaded;
  await expect(editor.locator(`option[value="${first}"]`)).toHaveCount(0);
  await expect(editor).toHaveValue("");
  await expect(page.locator("#pc-toasts")).toContainText("is not available with the new choice");

  // A still-valid editor is kept when the author changes again, and the previous author is back.
  await editor.selectOption(second!);
  reloaded = page.waitForResponse((response) => response.url().includes("/_choices/editorId") && response.url().includes(`authorId=${current}`));
  await author.selectOption(current);
  await reloaded;
  await expect(editor).toHaveValue(second!);
  await expect(editor.locator(`option[value="${current}"]`)).toHaveCount(0);
  await expect(editor.locator(`option[value="${first}"]`)).toHaveCount(1);

  await page.getByRole("button", { name: "Save" }).click();
  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText("Saved book");
});
