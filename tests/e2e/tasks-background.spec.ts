import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// A bulk edit of every book runs in the background (the demo here queues 150 books or more): the
// modal follows its progress to 100 %, a toast says it finished, and the list shows the change.
// The spec runs after the others (files run in name order) because it changes every book.

const modal = (page: Page) => page.locator("#pc-modal");
const bar = (page: Page) => page.locator("#pc-selection-bar");

test.describe.configure({ timeout: 90_000 });

test("an editor queues a bulk edit of every book, watches it finish, and finds the changed rows", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  // Other specs delete some books first: every book left is well above the background threshold.
  const total = Number(await bar(page).getAttribute("data-pc-matching"));
  expect(total).toBeGreaterThanOrEqual(200);
  await bar(page).getByRole("button", { name: /^Select all .* matching$/ }).click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", String(total));

  await bar(page).getByRole("link", { name: "Bulk edit" }).click();
  await modal(page).getByRole("checkbox", { name: "Change Published" }).check();
  await modal(page).getByLabel("Published", { exact: true }).fill("2001-02-03");
  await modal(page).getByRole("button", { name: "Review changes" }).click();
  await expect(modal(page).getByTestId("pc-bulk-mode")).toContainText("This runs in the background");

  // A double click sends one request: the button is disabled while the first is in flight.
  const applied = page.waitForResponse((response) => response.url().endsWith("/books/_bulk/apply"));
  await modal(page).getByRole("button", { name: "Apply changes" }).dblclick();
  await applied;
  await expect(modal(page).getByRole("heading", { name: `Processing ${total} books in the background` })).toBeVisible();

  const progress = modal(page).getByRole("progressbar");
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("aria-valuenow", "100", { timeout: 30_000 });
  await expect(modal(page).getByTestId("pc-task-status")).toHaveText("Done");
  // One toast, though both the live stream and the modal's progress poll report the end.
  const toast = page.locator("#pc-toasts .alert", { hasText: /Bulk task #\d+ finished: Set Published to 2001-02-03/ });
  await expect(toast).toHaveCount(1);
  await expect(toast.getByRole("link", { name: "Open task" })).toBeVisible();
  await page.waitForTimeout(1_500);
  await expect(toast).toHaveCount(1);

  const taskLink = modal(page).getByRole("link", { name: /^Open task #\d+$/ });
  const taskUrl = await taskLink.getAttribute("href");
  await modal(page).getByRole("button", { name: "Keep working" }).click();
  await expect(modal(page)).toBeHidden();

  await page.goto("/books?publishedDate.min=2001-02-03&publishedDate.max=2001-02-03");
  await expect(page.getByTestId("pc-range")).toContainText(`of ${total}`);

  await page.goto(taskUrl!);
  await expect(page.getByRole("heading", { name: /^Bulk task #\d+$/ })).toBeVisible();
  await expect(page.getByTestId("pc-task-counts")).toHaveText(`${total} of ${total} processed · ${total} succeeded`);
  await expect(page.getByText("None: every processed record was changed.")).toBeVisible();
});
