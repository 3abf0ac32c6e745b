import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousViolations } from "./axe";
import { signIn } from "./support";

// axe-core checks of every screen a user works in, in both themes: 0 serious or critical violations.
// axe is injected from node_modules (@axe-core/playwright wants Node 22). These tests only read: the
// bulk forms are opened and previewed, never applied.

// The app's Content-Security-Policy refuses inline scripts, which is how addScriptTag injects axe.
test.use({ bypassCSP: true });
const modal = (page: Page) => page.locator("#pc-modal");
const bar = (page: Page) => page.locator("#pc-selection-bar");

for (const theme of ["light", "dark"] as const) {
  test.describe(`${theme} theme`, () => {
    test.describe.configure({ timeout: 90_000 });

    test.beforeEach(async ({ page }) => {
      await page.addInitScript((chosen) => localStorage.setItem("powercrud-theme", chosen), theme);
    });

    /** The page really is in the theme under test (theme.js reads the stored choice before paint). */
    const expectTheme = (page: Page) => expect(page.locator("html")).toHaveAttribute("data-theme", theme);

    test("sign-in, with and without an error", async ({ page }) => {
      await page.goto("/login");
      await expectTheme(page);
      await expectNoSeriousViolations(page, "sign-in");
      await page.getByLabel("Email").fill("admin@example.com");
      await page.getByLabel("Password").fill("wrong password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.locator("#login-error")).toBeVisible();
      await expectNoSeriousViolations(page, "sign-in with an error");
    });

    test("the book list with a selection, a record's detail, its edit form with errors and its delete confirmation", async ({ page }) => {
      await signIn(page, "admin");
      await page.goto("/books");
      await expectTheme(page);
      await page.locator("#pc-table input.pc-select-row").first().click();
      await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "1");
      await page.locator("summary", { hasText: "Filters" }).click();
      await expectNoSeriousViolations(page, "book list with a selection and the Filters panel open");
      const authors = page.getByRole("combobox", { name: "Author: type to search" });
      await authors.focus();
      await authors.press("ArrowDown");
      await expect(page.getByRole("listbox", { name: "Author choices" }).getByRole("option").first()).toBeVisible();
      await authors.press("ArrowDown");
      await expectNoSeriousViolations(page, "the Filters panel with the author combobox's choices open");
      await authors.press("Escape");
      await page.locator("summary", { hasText: "Filters" }).click();
      await page.locator("#pc-views > summary").click();
      await expectNoSeriousViolations(page, "the saved views menu");
      await page.locator("#pc-views > summary").click();

      const row = page.locator("#pc-table tbody tr[data-pc-row]").first();
      await row.locator("a.link").first().click();
      await expect(modal(page).locator("dl")).toBeVisible();
      await expectNoSeriousViolations(page, "record detail modal");
      await page.keyboard.press("Escape");
      await expect(modal(page)).toBeHidden();

      await row.getByRole("link", { name: /^Edit / }).click();
      await expect(modal(page).getByLabel("Title")).toBeVisible();
      await expectNoSeriousViolations(page, "record edit modal");
      await modal(page).getByLabel("Title").fill("");
      await modal(page).getByLabel("Price").fill("12.345");
      await modal(page).getByRole("button", { name: "Save" }).click();
      await expect(page.locator("#f-title-error")).toBeVisible();
      await expectNoSeriousViolations(page, "record edit modal with errors");
      await modal(page).getByRole("button", { name: "Cancel" }).click();
      // The form has unsaved edits: closing asks first.
      await expectNoSeriousViolations(page, "discard-changes prompt");
      await modal(page).getByRole("button", { name: "Discard changes" }).click();
      await expect(modal(page)).toBeHidden();

      await row.getByRole("link", { name: /^Delete / }).click();
      await expect(modal(page).getByRole("button", { name: /^Delete “/ })).toBeVisible();
      await expectNoSeriousViolations(page, "record delete confirmation");
    });

    test("bulk edit, its preview, and bulk delete", async ({ page }) => {
      await signIn(page, "admin");
      await page.goto("/books?size=10");
      await expectTheme(page);
      await page.locator("#pc-table input.pc-select-page").click();
      await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "10");

      await bar(page).getByRole("link", { name: "Bulk edit" }).click();
      await expect(modal(page).getByRole("heading", { name: /^Edit 10 books/ })).toBeVisible();
      await expectNoSeriousViolations(page, "bulk edit modal");
      await modal(page).getByRole("checkbox", { name: "Change Bestseller" }).check();
      await modal(page).getByRole("button", { name: "Review changes" }).click();
      await expect(page.getByTestId("pc-bulk-summary")).toBeVisible();
      await expectNoSeriousViolations(page, "bulk edit preview");
      await page.keyboard.press("Escape");
      await expect(modal(page)).toBeHidden();

      await bar(page).getByRole("link", { name: "Bulk delete" }).click();
      await expect(modal(page).getByRole("button", { name: /^Delete 10 books/ })).toBeVisible();
      await expectNoSeriousViolations(page, "bulk delete modal");
    });

    test("the Export menu with a selection, and an export's task page with its download", async ({ page }) => {
      await signIn(page, "admin");
      await page.goto("/books");
      await expectTheme(page);
      await page.locator("#pc-table input.pc-select-row").first().click();
      await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "1");
      await page.locator("#pc-export summary").click();
      await expect(page.getByRole("radio", { name: "Selected (1)" })).toBeEnabled();
      await expectNoSeriousViolations(page, "the Export menu");
      // The whole list is over the demo's background threshold here: the file is prepared as a task.
      await page.locator("#pc-export").getByRole("button", { name: "Download" }).click();
      await expect(page.getByTestId("pc-export-download")).toBeVisible({ timeout: 30_000 });
      await expectNoSeriousViolations(page, "an export's task page");
    });

    test("a bulk delete that is blocked, on the authors list", async ({ page }) => {
      await signIn(page, "admin");
      await page.goto("/authors");
      await expectTheme(page);
      await page.locator("#pc-table input.pc-select-page").click();
      await bar(page).getByRole("link", { name: "Bulk delete" }).click();
      await expect(modal(page).getByRole("alert")).toBeVisible();
      await expectNoSeriousViolations(page, "blocked bulk delete");
    });
  });
}
