import { createRequire } from "node:module";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// axe-core checks of every screen a user works in, in both themes: 0 serious or critical violations.
// axe is injected from node_modules (@axe-core/playwright wants Node 22). These tests only read: the
// bulk forms are opened and previewed, never applied.

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
// The app's Content-Security-Policy refuses inline scripts, which is how addScriptTag injects axe.
test.use({ bypassCSP: true });
const modal = (page: Page) => page.locator("#pc-modal");
const bar = (page: Page) => page.locator("#pc-selection-bar");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is now and fails with a readable list of serious and critical findings. */
async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  // A modal fades in: measure colours once its transitions have ended (spinners spin forever, so
  // only transitions count), waiting a second at most in case one never advances.
  await page.evaluate(() => {
    const transitions = document.getAnimations().filter((animation) => animation instanceof CSSTransition);
    return Promise.race([Promise.allSettled(transitions.map((animation) => animation.finished)), new Promise((resolve) => setTimeout(resolve, 1000))]);
  });
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = serious.flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}) at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ""}`));
  expect.soft(report, `axe on ${screen}`).toEqual([]);
  expect.soft(await lowContrastText(page), `text contrast on ${screen}`).toEqual([]);
}

/**
 * WCAG AA text contrast measured directly: axe leaves text in the open <dialog> and on buttons with a
 * background image "incomplete", which is where the bulk forms' messages are. The background is the
 * ancestors' background colours composed from the root down; the text colour is faded by the opacity
 * of the element and its ancestors. Colours are resolved to sRGB by painting them on a canvas, so
 * oklch() and color-mix() values read right.
 */
function lowContrastText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const context = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    const rgba = (color: string): number[] => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = color;
      context.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const over = (top: number[], bottom: number[]) => [0, 1, 2].map((i) => top[i]! * top[3]! + bottom[i]! * (1 - top[3]!)).concat(1);
    const luminance = (rgb: number[]) =>
      [0, 1, 2].map((i) => rgb[i]! / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i]!, 0);
    const ratio = (a: number[], b: number[]) => {
      const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (light! + 0.05) / (dark! + 0.05);
    };
    const failures: string[] = [];
    for (const element of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
      const ownText = Array.from(element.childNodes).some((node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim() !== "");
      if (!ownText || ["SCRIPT", "STYLE", "OPTION", "SELECT", "TEXTAREA"].includes(element.tagName)) continue;
      // Decorative, disabled or visually hidden text is exempt from the contrast rule, and so is the
      // faded help of a bulk edit field whose "Change" box is unticked (an inactive component).
      if (element.closest("[aria-hidden=true], :disabled, .btn-disabled, .sr-only") || !element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      if (element.closest(".pc-bulk-input") && element.closest(".pc-bulk-field")?.querySelector("[data-pc-bulk-toggle]:not(:checked)")) continue;
      const box = element.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue;
      const chain: HTMLElement[] = [];
      for (let node: HTMLElement | null = element; node; node = node.parentElement) chain.unshift(node);
      let background = [255, 255, 255, 1];
      let opacity = 1;
      for (const node of chain) {
        const style = getComputedStyle(node);
        background = over(rgba(style.backgroundColor), background);
        opacity *= Number(style.opacity);
      }
      const style = getComputedStyle(element);
      const foreground = rgba(style.color);
      const text = over([foreground[0]!, foreground[1]!, foreground[2]!, foreground[3]! * opacity], background);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const found = ratio(text, background);
      if (found < (large ? 3 : 4.5)) {
        const label = element.textContent!.trim().replace(/\s+/g, " ").slice(0, 50);
        failures.push(`${found.toFixed(2)}:1 "${label}" <${element.tagName.toLowerCase()} class="${element.className}">`);
      }
    }
    return failures;
  });
}

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
