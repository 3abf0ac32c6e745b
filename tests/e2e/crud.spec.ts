import { expect, test, type Page } from "@playwright/test";
import { chooseInCombobox, signIn } from "./support";

const modal = (page: Page) => page.locator("#pc-modal");

test("an editor creates a book in the modal and sees it in the table", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  await page.getByRole("link", { name: "New book" }).click();
  await expect(modal(page)).toBeVisible();
  await expect(modal(page).getByRole("heading", { name: "New book" })).toBeVisible();
  await expect(modal(page).getByLabel("Title")).toBeFocused();

  await modal(page).getByLabel("Title").fill("Playwright in Practice");
  await modal(page).getByLabel("ISBN").fill("9990000000011");
  await modal(page).getByLabel("Pages").fill("321");
  await modal(page).getByLabel("Price").fill("24.5");
  await modal(page).getByLabel("Published").fill("2024-03-01");
  await modal(page).getByLabel("Bestseller").check();
  await modal(page).getByLabel("Status").selectOption("PUBLISHED");
  // The author is a combobox over the demo's 300 authors: typed, picked, shown as a chip.
  await chooseInCombobox(modal(page), "Author", "Ada");
  const author = (await modal(page).getByRole("list", { name: "Chosen for Author" }).getByRole("listitem").innerText()).replace("✕", "").trim();
  expect(author).toMatch(/Ada/);
  await modal(page).getByLabel("Genres").selectOption([{ label: "Fantasy" }, { label: "Poetry" }]);
  await page.getByRole("button", { name: "Create" }).click();

  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText("Created book “Playwright in Practice”.");
  const row = page.locator("tbody tr").first();
  await expect(row).toContainText("Playwright in Practice");
  await expect(row).toContainText("24.50");
  await expect(row).toContainText("Fantasy, Poetry");
  await expect(row).toContainText("Yes");
  await expect(row).toContainText(author);
});

test("editing shows validation errors next to their fields, then saves once fixed, keeping the page", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books?page=2");
  const row = page.locator("tbody tr").nth(2);
  const id = await row.getAttribute("data-pc-row");
  const edit = row.getByRole("link", { name: /^Edit / });
  await edit.click();
  await expect(modal(page)).toBeVisible();

  await modal(page).getByLabel("Title").fill("");
  await modal(page).getByLabel("Price").fill("12.345");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(modal(page).getByRole("alert")).toContainText("Some values need attention.");
  await expect(page.locator("#f-title-error")).toHaveText("This field is required.");
  await expect(page.locator("#f-price-error")).toContainText("at most 2 decimal places");
  await expect(modal(page).getByLabel("Title")).toBeFocused();
  await expect(modal(page).getByLabel("Title")).toHaveAttribute("aria-invalid", "true");

  await modal(page).getByLabel("Title").fill("A Corrected Title");
  await modal(page).getByLabel("Price").fill("12.35");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText("Saved book “A Corrected Title”.");
  const updated = page.locator(`tr[data-pc-row="${id}"]`);
  await expect(updated).toContainText("A Corrected Title");
  await expect(updated).toContainText("12.35");
  // Still on page 2, and focus went back to the row's Edit button.
  await expect(page).toHaveURL(/\/books\?page=2$/);
  await expect(page.getByRole("link", { name: "Page 2" })).toHaveCount(0);
  await expect(updated.getByRole("link", { name: /^Edit / })).toBeFocused();
});

test("an admin deletes a book after confirming; Cancel keeps it", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/books");
  const row = page.locator("tbody tr").nth(1);
  const id = await row.getAttribute("data-pc-row");
  const title = (await row.locator("td a.link").first().innerText()).trim();

  await row.getByRole("link", { name: /^Delete / }).click();
  await expect(modal(page).getByRole("heading", { name: "Delete book?" })).toBeVisible();
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await expect(modal(page)).toBeHidden();
  await expect(page.locator(`tr[data-pc-row="${id}"]`)).toBeVisible();

  await row.getByRole("link", { name: /^Delete / }).click();
  await modal(page).getByRole("button", { name: `Delete “${title}”` }).click();
  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText(`Deleted book “${title}”.`);
  await expect(page.locator(`tr[data-pc-row="${id}"]`)).toHaveCount(0);
});

test("deleting an author who still has books explains why it cannot be done", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/authors");
  await page.locator("tbody tr").first().getByRole("link", { name: /^Delete / }).click();
  await expect(modal(page).getByRole("alert")).toContainText(/can't be deleted: it is still the author of \d+ books?\. Reassign or delete those books first\./);
  await expect(modal(page).getByRole("button", { name: /^Delete “/ })).toHaveCount(0);
});

test("a viewer sees no edit affordances and is refused when posting directly", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/books");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "New book" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /^Edit / })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /^Delete / })).toHaveCount(0);

  const id = await page.locator("tbody tr").first().getAttribute("data-pc-row");
  await page.locator("tbody tr").first().locator("a.link").click();
  await expect(modal(page).getByRole("link", { name: "Edit" })).toHaveCount(0);

  const token = await page.locator('meta[name="csrf-token"]').getAttribute("content");
  const response = await page.request.post(`/books/${id}`, { form: { _csrf: token!, title: "Hacked" } });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain("Only editors and admins can edit records.");
  const remove = await page.request.post(`/books/${id}/delete`, { form: { _csrf: token! } });
  expect(remove.status()).toBe(403);
  await page.reload();
  await expect(page.locator(`tr[data-pc-row="${id}"]`)).not.toContainText("Hacked");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("create and edit work as plain pages with redirects back to the list", async ({ page }) => {
    await signIn(page, "editor");
    await page.goto("/genres?sort=name");
    await page.getByRole("link", { name: "New genre" }).click();
    await expect(page).toHaveURL(/\/genres\/new\?_return=/);
    await page.getByLabel("Name").fill("Nature Writing");
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/genres\/\?sort=name$/);
    await expect(page.locator("#pc-flash")).toContainText("Created genre “Nature Writing”.");
    await expect(page.locator("tbody tr").first()).toContainText("Biography");

    await page.getByRole("link", { name: "New genre" }).click();
    await page.getByLabel("Name").fill("Nature Writing");
    await page.getByRole("button", { name: "Create" }).click();
    await expect(page.locator("#f-name-error")).toHaveText("Another genre already has this name.");
  });

  test("a book's author, one of 300, is chosen in the plain select under the combobox and saved", async ({ page }) => {
    await signIn(page, "editor");
    await page.goto("/books");
    const edit = page.locator("#pc-table tbody tr[data-pc-row]").first().getByRole("link", { name: /^Edit / });
    await edit.click();
    await expect(page.getByRole("combobox", { name: "Author: type to search" })).toBeHidden();
    const select = page.getByRole("listbox", { name: "Author" }).or(page.getByRole("combobox", { name: "Author", exact: true }));
    // Another author who is not the book's editor (the demo's rule: an editor never edits their own book).
    const current = await page.locator("#f-authorId").inputValue();
    const editor = await page.locator("#f-editorId").inputValue();
    const other = page.locator(`#f-authorId option:not([value=""]):not([value="${current}"]):not([value="${editor}"])`).first();
    const [value, name] = [(await other.getAttribute("value"))!, (await other.innerText()).trim()];
    await select.selectOption(value);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.locator("#pc-flash")).toContainText("Saved book");
    await page.goto("/books");
    await expect(page.locator("#pc-table tbody tr[data-pc-row]").first()).toContainText(name);
  });
});

test("a form's relation combobox by keyboard: search, arrows, Enter, Backspace, Escape, and its empty state", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  await page.getByRole("link", { name: "New book" }).click();
  const box = modal(page).getByRole("combobox", { name: "Author: type to search" });
  const listbox = modal(page).getByRole("listbox", { name: "Author choices" });
  const chips = modal(page).getByRole("list", { name: "Chosen for Author" }).getByRole("listitem");
  const select = modal(page).locator("#f-authorId");
  // The real select is there for the form, hidden behind the combobox.
  await expect(select).toBeHidden();
  await expect(chips).toHaveCount(0);

  await box.fill("zh");
  await expect(listbox).toBeVisible();
  await expect(box).toHaveAttribute("aria-expanded", "true");
  await expect(modal(page).locator("#f-authorId-status")).toHaveText(/\d+ authors? match/);
  await box.press("ArrowDown");
  const first = listbox.getByRole("option").first();
  await expect(box).toHaveAttribute("aria-activedescendant", (await first.getAttribute("id"))!);
  const firstName = (await first.innerText()).trim();
  await box.press("Enter");
  await expect(listbox).toBeHidden();
  await expect(chips).toHaveCount(1);
  await expect(chips.first()).toContainText(firstName);
  expect(await select.evaluate((element) => (element as HTMLSelectElement).selectedOptions[0]!.text)).toBe(firstName);

  // One author only: another pick replaces the first.
  await box.fill("a");
  await expect(listbox).toBeVisible();
  await box.press("ArrowDown");
  await box.press("ArrowDown");
  const secondName = (await listbox.locator("[data-pc-active]").innerText()).trim();
  expect(secondName).not.toBe(firstName);
  await box.press("Enter");
  await expect(chips).toHaveCount(1);
  await expect(chips.first()).toContainText(secondName);

  // Backspace in the empty box removes the chip; the select is back on "— choose —".
  await box.press("Backspace");
  await expect(chips).toHaveCount(0);
  await expect(select).toHaveValue("");

  // Nothing matches: the list says so, and Escape closes it without closing the modal.
  await box.fill("zzzz-nobody");
  const empty = modal(page).locator("[data-pc-combobox]", { has: page.locator("#f-authorId-search") }).getByText("No matches");
  await expect(empty).toBeVisible();
  await expect(modal(page).locator("#f-authorId-status")).toHaveText("No authors match.");
  await box.press("Escape");
  await expect(empty).toBeHidden();
  await expect(modal(page)).toBeVisible();
});
