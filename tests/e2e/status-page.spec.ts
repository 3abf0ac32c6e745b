import { expect, test, type Browser, type Page } from "@playwright/test";
import { signIn, startDemoServer } from "./support";

// The status page in the demo, live. These tests need background tasks that last seconds, which
// the shared e2e server must not have (its other specs bulk-edit in the request), so this file runs
// a demo server of its own: tasks from 100 books, 25 ms per book, every 50th book refused.

const PORT = Number(process.env.E2E_PORT ?? 3100) + 50;
const BASE = `http://127.0.0.1:${PORT}`;
let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;

test.describe.configure({ mode: "serial", timeout: 120_000 });
test.use({ baseURL: BASE });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startDemoServer(PORT, {
    SEED_BOOKS: "300",
    BULK_MIN_RECORDS: "100",
    DEMO_TASK_DELAY_MS: "25",
    DEMO_BULK_REFUSE_EVERY: "50",
  });
});

test.afterAll(async () => {
  await server?.stop();
});

const modal = (page: Page) => page.locator("#pc-modal");
const bar = (page: Page) => page.locator("#pc-selection-bar");
const processedOf = async (page: Page) => Number(/([\d,]+) of 300 processed/.exec(await page.getByTestId("pc-task-counts").innerText())![1]!.replace(/,/g, ""));

/** Selects all 300 books and applies "Bestseller" = yes or no in the background; returns the task number. */
async function startBulkEdit(page: Page, bestseller: boolean): Promise<number> {
  await page.goto("/books/");
  await bar(page).getByRole("button", { name: "Select all 300 matching" }).click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "300");
  await bar(page).getByRole("link", { name: "Bulk edit" }).click();
  await modal(page).getByRole("checkbox", { name: "Change Bestseller" }).check();
  await modal(page).getByLabel("New bestseller").selectOption(bestseller ? "true" : "false");
  await modal(page).getByRole("button", { name: "Review changes" }).click();
  await modal(page).getByRole("button", { name: "Apply changes" }).click();
  await expect(modal(page)).toContainText("Processing 300 books in the background");
  const link = modal(page).getByRole("link", { name: /^Open task #\d+$/ });
  return Number(/#(\d+)/.exec((await link.innerText()))![1]);
}

async function managerPage(browser: Browser, path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  await signIn(page, "ops", path);
  return page;
}

let firstTask = 0;

test("a background bulk edit: its page advances live, the navbar counts it, and a toast says when it is done", async ({ page }) => {
  await signIn(page, "admin", "/books/");
  firstTask = await startBulkEdit(page, true);
  const indicator = page.locator("#pc-task-indicator");
  await expect(indicator).toBeVisible();
  await expect(indicator.locator("[data-pc-running-count]")).toHaveText("1");

  await modal(page).getByRole("link", { name: `Open task #${firstTask}` }).click();
  await expect(page.getByRole("heading", { name: `Bulk task #${firstTask}` })).toBeVisible();
  // The page is never reloaded: a marker set on it now must survive every update.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  const bar = page.getByRole("progressbar", { name: `Progress of bulk task #${firstTask}` });
  const first = await processedOf(page);
  await expect.poll(() => processedOf(page), { timeout: 15_000 }).toBeGreaterThan(first);
  const later = await processedOf(page);
  expect(Number(await bar.getAttribute("aria-valuenow"))).toBeGreaterThanOrEqual(Math.floor((first / 300) * 100));
  await expect.poll(() => processedOf(page), { timeout: 15_000 }).toBeGreaterThan(later);

  await expect(page.getByTestId("pc-task-status")).toHaveText("Done with failures", { timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
  const toast = page.locator("#pc-toasts .alert", { hasText: `Bulk task #${firstTask}` });
  await expect(toast).toBeVisible();
  await expect(toast.getByRole("link", { name: "Open task" })).toHaveAttribute("href", `/tasks/${firstTask}`);
  await expect(indicator).toBeHidden();
  await expect(page.locator("[data-pc-announcer]")).toContainText(`Bulk task #${firstTask} done with failures`);
  // The end reloads the task's body once: failures, CSV and retry appear.
  await expect(page.getByTestId("pc-task-failures").locator("tbody tr")).toHaveCount(6);
  await expect(page.getByTestId("pc-task-failures-csv")).toBeVisible();
  await expect(page.getByRole("button", { name: "Retry 6 failed" })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
});

test("a manager watches the list live and cancels another user's task mid-run", async ({ page, browser }) => {
  await signIn(page, "admin", "/books/");
  const ops = await managerPage(browser, "/tasks/");
  await expect(ops.getByRole("heading", { level: 1, name: "Background tasks" })).toBeVisible();
  await expect(ops).toHaveTitle(/^Background tasks/);
  await ops.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  const taskId = await startBulkEdit(page, false);

  const row = ops.locator(`#pc-task-row-${taskId}`);
  await expect(row).toBeVisible({ timeout: 10_000 });
  await expect(row.getByTestId("pc-task-row-status")).toHaveText("Running", { timeout: 10_000 });
  await expect.poll(async () => Number(/^([\d,]+)/.exec(await row.getByTestId("pc-task-row-counts").innerText())![1]), { timeout: 15_000 }).toBeGreaterThan(0);
  expect(await ops.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(7);

  await row.getByRole("link", { name: `#${taskId}` }).click();
  await expect(ops.getByRole("heading", { name: `Bulk task #${taskId}` })).toBeVisible();
  await expect(ops.getByRole("link", { name: "Background tasks", exact: true })).toHaveAttribute("href", "/tasks/");
  await expect(ops.getByText("Ada Admin")).toBeVisible();
  ops.once("dialog", (dialog) => void dialog.accept());
  await ops.getByRole("button", { name: "Cancel task" }).click();
  await expect(ops.getByTestId("pc-task-status")).toHaveText("Cancelled", { timeout: 15_000 });
  const stopped = await processedOf(ops);
  expect(stopped).toBeLessThan(300);
  await ops.waitForTimeout(1_500);
  expect(await processedOf(ops)).toBe(stopped);
  await expect(ops.getByRole("button", { name: "Cancel task" })).toHaveCount(0);
  await ops.context().close();
  // The owner, still on the books list with the modal open, hears of it there.
  await expect(page.locator("#pc-toasts .alert", { hasText: `Bulk task #${taskId}` })).toBeVisible();
  await expect(page.locator("#pc-task-indicator")).toBeHidden();
  await expect(modal(page).getByTestId("pc-task-status")).toHaveText("Cancelled");
});

test("retrying a task's failed records runs them again as a new task", async ({ page }) => {
  expect(firstTask).toBeGreaterThan(0);
  await signIn(page, "admin", `/tasks/${firstTask}`);
  await page.getByRole("button", { name: "Retry 6 failed" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/tasks/${firstTask}$`));
  await expect(page.getByText(`task #${firstTask}`, { exact: true })).toBeVisible();
  await expect(page.getByTestId("pc-task-counts")).toContainText("of 6 processed");
  // The demo's rule refuses the same six books again.
  await expect(page.getByTestId("pc-task-status")).toHaveText("Failed", { timeout: 15_000 });
  await expect(page.getByTestId("pc-task-failures").locator("tbody tr")).toHaveCount(6);
});

test("the list filters by status in the URL, and fits a phone in both themes", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "ops", "/tasks/");
  await page.getByLabel("Status").selectOption("cancelled");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\/tasks\/\?status=cancelled$/);
  await expect(page.locator("[id^=pc-task-row-]")).toHaveCount(1);
  for (const theme of ["light", "dark"]) {
    await page.evaluate((value) => document.documentElement.setAttribute("data-theme", value), theme);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }
  await page.goto(`/tasks/${firstTask}`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // Keyboard: the failures CSV and the retry button are reachable with Tab.
  const csv = page.getByTestId("pc-task-failures-csv");
  for (let presses = 0; presses < 40 && !(await csv.evaluate((element) => element === document.activeElement)); presses++) await page.keyboard.press("Tab");
  await expect(csv).toBeFocused();
});
