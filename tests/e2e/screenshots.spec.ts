import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn, startDemoServer } from "./support";

// The screenshot tour of the docs (docs/getting-started.md), in the light and the dark theme: the
// list with filters, the edit form in the modal, the bulk edit form and its preview, a background
// task's progress on the status page and the finished task's page. Every run walks the tour and
// checks each screen renders in the right theme without a console error; with SCREENSHOTS=1 it also
// writes the PNGs into docs/assets/screenshots/ (`SCREENSHOTS=1 npx playwright test screenshots`).
// Its own demo server makes background tasks slow enough to be caught mid-run.

const PORT = Number(process.env.E2E_PORT ?? 3100) + 55;
const BASE = `http://127.0.0.1:${PORT}`;
const OUT = path.join("docs", "assets", "screenshots");
const WRITE = process.env.SCREENSHOTS === "1";
let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;

test.describe.configure({ mode: "serial", timeout: 120_000 });
test.use({ baseURL: BASE, viewport: { width: 1280, height: 800 } });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  if (WRITE) fs.mkdirSync(OUT, { recursive: true });
  server = await startDemoServer(PORT, {
    SEED_BOOKS: "1000",
    BULK_MIN_RECORDS: "100",
    DEMO_TASK_DELAY_MS: "25",
    DEMO_BULK_REFUSE_EVERY: "40",
  });
});

test.afterAll(async () => {
  await server?.stop();
});

const modal = (page: Page) => page.locator("#pc-modal");
const bar = (page: Page) => page.locator("#pc-selection-bar");
const rows = (page: Page) => page.locator("#pc-table tbody tr[data-pc-row]");

for (const theme of ["dark", "light"] as const) {
  test(`the tour in the ${theme} theme`, async ({ browser }) => {
    const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 800 }, colorScheme: theme });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));

    /** Checks the screen (its theme, no errors so far) and, with SCREENSHOTS=1, saves it (its top `height` pixels). */
    const shot = async (name: string, height = 800) => {
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      // Settled: no htmx request in flight, no transition half-way.
      await expect(page.locator(".htmx-request")).toHaveCount(0);
      await page.waitForTimeout(300);
      expect(problems, `before the ${name} screenshot`).toEqual([]);
      if (WRITE) await page.screenshot({ path: path.join(OUT, `${name}-${theme}.png`), clip: { x: 0, y: 0, width: 1280, height } });
    };

    await signIn(page, "editor", "/books/");

    // The list, filtered by status, bestseller and price, with the Filters panel open.
    await page.goto("/books/?status=PUBLISHED&price.max=30&sort=-price");
    await page.locator("summary", { hasText: "Filters" }).click();
    await expect(page.getByLabel("Price to")).toHaveValue("30");
    await expect(page.getByTestId("pc-range")).toContainText("of");
    await shot("list");
    await page.locator("summary", { hasText: "Filters" }).click();

    // A record's edit form in the modal.
    await rows(page).first().getByRole("link", { name: /^Edit / }).click();
    await expect(modal(page).getByRole("heading", { name: /^Edit / })).toBeVisible();
    await shot("edit-modal");
    await page.keyboard.press("Escape");
    await expect(modal(page)).toBeHidden();

    // Bulk edit of five rows (a click and a shift-click), then its preview.
    await rows(page).nth(0).locator("input.pc-select-row").click();
    await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "1");
    await rows(page).nth(4).locator("input.pc-select-row").click({ modifiers: ["Shift"] });
    await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "5");
    await bar(page).getByRole("link", { name: "Bulk edit" }).click();
    await modal(page).getByRole("checkbox", { name: "Change Bestseller" }).check();
    await modal(page).getByLabel("New bestseller").selectOption({ label: "Yes" });
    await modal(page).getByRole("checkbox", { name: "Change Status" }).check();
    await modal(page).getByRole("combobox", { name: "Status", exact: true }).selectOption({ label: "Out of print" });
    await modal(page).locator("#pc-modal-title").scrollIntoViewIfNeeded();
    await shot("bulk-edit");
    await modal(page).getByRole("button", { name: "Review changes" }).click();
    await expect(modal(page).getByTestId("pc-bulk-summary")).toContainText("on 5 books");
    await shot("bulk-preview");
    await page.keyboard.press("Escape");
    await expect(modal(page)).toBeHidden();

    // Every matching book in the background: the status page while it runs, then the task's page.
    await bar(page).getByRole("button", { name: /^Select all .* matching$/ }).click();
    await bar(page).getByRole("link", { name: "Bulk edit" }).click();
    await modal(page).getByRole("checkbox", { name: "Change Bestseller" }).check();
    await modal(page).getByLabel("New bestseller").selectOption({ label: theme === "light" ? "Yes" : "No" });
    await modal(page).getByRole("button", { name: "Review changes" }).click();
    await expect(modal(page).getByTestId("pc-bulk-mode")).toContainText("This runs in the background");
    await modal(page).getByRole("button", { name: "Apply changes" }).click();
    const taskLink = modal(page).getByRole("link", { name: /^Open task #\d+$/ });
    const taskId = Number(/#(\d+)/.exec(await taskLink.innerText())![1]);

    await page.goto("/tasks/");
    const row = page.locator(`#pc-task-row-${taskId}`);
    await expect(row.getByTestId("pc-task-row-status")).toHaveText("Running", { timeout: 10_000 });
    await expect.poll(async () => Number(/^([\d,]+)/.exec(await row.getByTestId("pc-task-row-counts").innerText())![1]!.replace(/,/g, "")), { timeout: 15_000 }).toBeGreaterThan(20);
    await shot("task-progress", 480);

    await page.goto(`/tasks/${taskId}`);
    await expect(page.getByTestId("pc-task-status")).toHaveText("Done with failures", { timeout: 60_000 });
    await expect(page.getByTestId("pc-task-failures").locator("tbody tr").first()).toBeVisible();
    await shot("task-detail");
    await context.close();
  });
}
