import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousViolations } from "./axe";
import { signIn } from "./support";

// Undo a finished bulk edit (issue #12): an editor edits three published books in bulk, reverts the
// edit from the status page, finds the old values back in the list, and reads both changes in a
// book's History panel. The revert puts every value back, so the specs after this one see the seed.

const modal = (page: Page) => page.locator("#pc-modal");
const bar = (page: Page) => page.locator("#pc-selection-bar");
const rows = (page: Page) => page.locator("#pc-table tbody tr[data-pc-row]");

test.describe.configure({ timeout: 90_000 });
// axe is injected as an inline script, which the app's Content-Security-Policy refuses otherwise.
test.use({ bypassCSP: true });

/** The Price cell of each row on the page, by record id. */
async function prices(page: Page): Promise<Record<string, string>> {
  return page.locator("#pc-table table").evaluate((table) => {
    const labels = Array.from(table.querySelectorAll("thead th"), (th) => (th.textContent ?? "").replace(/[▲▼↕]|\(sorted \w+\)/g, "").trim());
    const column = labels.indexOf("Price");
    return Object.fromEntries(Array.from(table.querySelectorAll("tbody tr[data-pc-row]"), (tr) => [
      tr.getAttribute("data-pc-row")!,
      (tr.querySelectorAll(":scope > td")[column] as HTMLElement).innerText.trim(),
    ]));
  });
}

test("an editor reverts a bulk edit from the status page; the list shows the old values and the History panel both changes", async ({ page }) => {
  await signIn(page, "editor");
  const listUrl = "/books?status=PUBLISHED&size=10";
  await page.goto(listUrl);
  await expect(rows(page)).toHaveCount(10);
  const before = await prices(page);
  const picked = Object.keys(before).slice(0, 3);
  for (const id of picked) await page.locator(`#pc-table tr[data-pc-row="${id}"] input.pc-select-row`).click();
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", "3");

  await bar(page).getByRole("link", { name: "Bulk edit" }).click();
  await modal(page).getByRole("checkbox", { name: "Change Price" }).check();
  await modal(page).getByLabel("Price", { exact: true }).fill("1.23");
  await modal(page).getByRole("button", { name: "Review changes" }).click();
  await modal(page).getByRole("button", { name: "Apply changes" }).click();
  const toast = page.locator("#pc-toasts");
  await expect(toast).toContainText(/Updated 3 books\. Revert bulk task #\d+ to undo it\./);
  const editId = /bulk task #(\d+)/.exec(await toast.innerText())![1]!;
  await expect(modal(page)).toBeHidden();
  const edited = await prices(page);
  for (const id of picked) expect(edited[id]).toBe("1.23");

  // The edit ran in the request; it is on the status page all the same, and offers "Revert…".
  await page.goto("/tasks/");
  const row = page.locator(`#pc-task-row-${editId}`);
  await expect(row).toContainText("Set Price to 1.23");
  await expectNoSeriousViolations(page, "the status list with a revertable task");
  await row.getByRole("link", { name: `Revert bulk task #${editId}…` }).click();
  await expect(page.getByRole("heading", { name: `Revert bulk task #${editId}?` })).toBeVisible();
  await expect(page.locator("#pc-task-revert")).toContainText("Each record it changed gets back its values from before: Price.");
  // Overwriting records changed since is for admins in the demo: an editor is not offered it.
  await expect(page.getByTestId("pc-revert-force")).toHaveCount(0);
  await expectNoSeriousViolations(page, "the revert confirmation");
  await page.getByRole("button", { name: `Revert task #${editId}` }).click();

  await expect(page.getByRole("heading", { name: /^Bulk task #\d+$/ })).toBeVisible();
  const revertId = /#(\d+)/.exec(await page.getByRole("heading", { name: /^Bulk task #\d+$/ }).innerText())![1]!;
  expect(Number(revertId)).toBeGreaterThan(Number(editId));
  await expect(page.getByTestId("pc-task-status")).toHaveText("Done", { timeout: 30_000 });
  await expect(page.getByText("None: every record was put back.")).toBeVisible();
  await expectNoSeriousViolations(page, "the revert task's page");

  await page.goto(listUrl);
  const after = await prices(page);
  for (const id of picked) expect(after[id]).toBe(before[id]);

  // A book's detail view: the revert on top, the bulk edit under it, each linking to its task.
  const title = page.locator(`#pc-table tr[data-pc-row="${picked[0]}"] td a`).first();
  await title.click();
  const history = modal(page).locator("#pc-record-history");
  await expect(history.getByRole("heading", { name: "History" })).toBeVisible();
  const entries = history.getByTestId("pc-history-entry");
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText(`Reverted by a revert of bulk task #${editId}`);
  // "→" is read out as "changed to".
  const change = (from: string, to: string) => new RegExp(`Price: ${from.replace(".", "\\.")} → changed to ${to.replace(".", "\\.")}`);
  await expect(entries.nth(0)).toContainText(change("1.23", before[picked[0]!]!));
  await expect(entries.nth(0).getByRole("link", { name: `Bulk task #${revertId}` })).toBeVisible();
  await expect(entries.nth(1)).toContainText("Bulk edit");
  await expect(entries.nth(1)).toContainText(change(before[picked[0]!]!, "1.23"));
  await expect(entries.nth(1).getByRole("link", { name: `Bulk task #${editId}` })).toBeVisible();
  await expectNoSeriousViolations(page, "a record's detail with its History panel");
});
