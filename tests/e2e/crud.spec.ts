import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

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
  const searched = page.waitForResponse((response) => response.url().includes("/_choices/authorId?") && response.url().includes("q=Ada"));
  await modal(page).getByRole("searchbox", { name: "Search author" }).fill("Ada");
  await searched;
  await expect(page.locator("#f-authorId option", { hasText: "Ada" }).first()).toBeAttached();
  const adaValue = await page.locator("#f-authorId option", { hasText: "Ada" }).first().getAttribute("value");
  await page.locator("#f-authorId").selectOption(adaValue!);
  await modal(page).getByLabel("Genres").selectOption([{ label: "Fantasy" }, { label: "Poetry" }]);
  await page.getByRole("button", { name: "Create" }).click();

  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText("Created book “Playwright in Practice”.");
  const row = page.locator("tbody tr").first();
  await expect(row).toContainText("Playwright in Practice");
  await expect(row).toContainText("24.50");
  await expect(row).toContainText("Fantasy, Poetry");
  await expect(row).toContainText("Yes");
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
});

test("a choice made while a relation search is on its way survives the search's answer", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  await page.getByRole("link", { name: "New book" }).click();
  const select = modal(page).locator("#f-authorId");
  const firstAuthor = await select.locator("option").nth(1).getAttribute("value");
  // Hold the search's answer back until the user has chosen.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/_choices/authorId?*", async (route) => {
    await held;
    await route.continue();
  });
  const answered = page.waitForResponse((response) => response.url().includes("/_choices/authorId?"));
  await modal(page).getByRole("searchbox", { name: "Search author" }).fill("Zhang");
  await page.waitForTimeout(400); // past the search box's debounce, so the request is on its way
  await select.selectOption(firstAuthor!);
  release();
  await answered;
  await expect(select.locator("option", { hasText: "Zhang" }).first()).toBeAttached();
  await expect(select).toHaveValue(firstAuthor!);
});
