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
  await page.getByRole("link", { name: "New book" }).click();
  await expect(modal(page).getByLabel("Title")).toBeFocused();

  const author = page.locator("#f-authorId");
  const editor = page.locator("#f-editorId");
  const [, first, second] = await optionValues(page, "#f-authorId");
  // No author yet: every author may edit. Choose the one who will then be made the author.
  expect(await optionValues(page, "#f-editorId")).toContain(first);
  await editor.selectOption(first!);

  let reloaded = page.waitForResponse((response) => response.url().includes("/_choices/editorId") && response.url().includes(`authorId=${first}`));
  await author.selectOption(first!);
  await reloaded;
  await expect(editor.locator(`option[value="${first}"]`)).toHaveCount(0);
  await expect(editor).toHaveValue("");
  await expect(page.locator("#pc-toasts")).toContainText("is not available with the new choice");

  // A still-valid editor is kept when the author changes again.
  await editor.selectOption(second!);
  const third = (await optionValues(page, "#f-authorId"))[3]!;
  reloaded = page.waitForResponse((response) => response.url().includes("/_choices/editorId") && response.url().includes(`authorId=${third}`));
  await author.selectOption(third);
  await reloaded;
  await expect(editor).toHaveValue(second!);
  await expect(editor.locator(`option[value="${third}"]`)).toHaveCount(0);
  await expect(editor.locator(`option[value="${first}"]`)).toHaveCount(1);

  await modal(page).getByLabel("Title").fill("A Book With an Editor");
  await modal(page).getByLabel("ISBN").fill("9990000000424");
  await modal(page).getByLabel("Pages").fill("200");
  await modal(page).getByLabel("Price").fill("15");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText("Created book “A Book With an Editor”.");
});
