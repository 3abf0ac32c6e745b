import { expect, test, type Locator, type Page } from "@playwright/test";
import { signIn } from "./support";

// Server-side selection, bulk edit and bulk delete on the demo's books. The tests share the seeded
// database with the other specs, so each works on its own slice of it: bulk edit on "Out of print"
// books, bulk delete on cheap drafts, and the keyboard and viewer tests change nothing.

const modal = (page: Page) => page.locator("#pc-modal");
const bar = (page: Page) => page.locator("#pc-selection-bar");
const rows = (page: Page) => page.locator("#pc-table tbody tr[data-pc-row]");
const rowById = (page: Page, id: string) => page.locator(`#pc-table tr[data-pc-row="${id}"]`);
const rowBox = (row: Locator) => row.locator("input.pc-select-row");

// Each test is a long flow of server round trips; give it room on a slow machine.
test.describe.configure({ timeout: 90_000 });

/** The bar's count, from its data attribute and its visible text. */
async function expectSelected(page: Page, count: number): Promise<void> {
  await expect(bar(page)).toHaveAttribute("data-pc-selection-size", String(count));
  if (count === 0) {
    await expect(page.getByTestId("pc-selection-count")).toHaveText("Select rows to edit or delete them together.");
  } else {
    await expect(page.getByTestId("pc-selection-count").locator("strong")).toHaveText(count.toLocaleString("en"));
    await expect(page.getByTestId("pc-selection-count")).toContainText("selected");
  }
}

/** The total after "of" in "Showing 1–25 of 300". */
async function totalShown(page: Page): Promise<number> {
  const text = await page.getByTestId("pc-range").innerText();
  const match = /of\s+([\d,]+)/.exec(text);
  expect(match, `an exact total in "${text}"`).not.toBeNull();
  return Number(match![1]!.replaceAll(",", ""));
}

/** Cell texts by column header, for every row on the page: { id: { Bestseller: "No", ... } }. */
async function cellsByHeader(page: Page, headers: string[]): Promise<Record<string, Record<string, string>>> {
  const table = await page.locator("#pc-table table").evaluate((element) => ({
    labels: Array.from(element.querySelectorAll("thead th"), (th) => (th.textContent ?? "").replace(/[▲▼↕]|\(sorted \w+\)/g, "").trim()),
    rows: Array.from(element.querySelectorAll("tbody tr[data-pc-row]"), (tr) => ({
      id: tr.getAttribute("data-pc-row")!,
      cells: Array.from(tr.querySelectorAll(":scope > td"), (td) => (td as HTMLElement).innerText.trim()),
    })),
  }));
  const result: Record<string, Record<string, string>> = {};
  for (const row of table.rows) {
    result[row.id] = Object.fromEntries(headers.map((header) => {
      const index = table.labels.indexOf(header);
      expect(index, `a "${header}" column in ${table.labels.join(" | ")}`).toBeGreaterThanOrEqual(0);
      return [header, row.cells[index]!];
    }));
  }
  return result;
}

const genreSet = (text: string) => (text === "—" ? [] : text.split(",").map((name) => name.trim())).sort();

/** Presses Tab (or Shift+Tab) until `target` has focus, proving it is reachable by keyboard. */
async function tabTo(page: Page, target: Locator, backwards = false): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
  }
  await expect(target).toBeFocused();
}

test("an editor selects rows on two pages and edits them in bulk; other rows stay as they were", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books?status=OUT_OF_PRINT&size=10");
  await expect(rows(page)).toHaveCount(10);
  await expectSelected(page, 0);
  const page1Before = await cellsByHeader(page, ["Bestseller", "Genres"]);
  const page1Ids = await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-pc-row")!));

  // A click, then a shift-click four rows further: rows 2 to 5 of page 1.
  await rowBox(rows(page).nth(1)).click();
  await expectSelected(page, 1);
  await rowBox(rows(page).nth(4)).click({ modifiers: ["Shift"] });
  await expectSelected(page, 4);
  const picked1 = page1Ids.slice(1, 5);
  for (const id of page1Ids) {
    const box = rowBox(rowById(page, id));
    if (picked1.includes(id)) await expect(box).toBeChecked();
    else await expect(box).not.toBeChecked();
  }
  await expect(page.locator(".pc-select-page")).not.toBeChecked();
  await expect(page.locator(".pc-select-page")).toHaveJSProperty("indeterminate", true);

  // Page 2 starts with nothing ticked; one more row there. The selection lives on the server.
  await page.getByRole("link", { name: "Page 2" }).click();
  await expect(page).toHaveURL(/status=OUT_OF_PRINT&size=10&page=2$/);
  await expect(rows(page).first()).not.toHaveAttribute("data-pc-row", page1Ids[0]!);
  await expect(page.locator(".pc-select-row:checked")).toHaveCount(0);
  await expectSelected(page, 4);
  const page2Before = await cellsByHeader(page, ["Bestseller", "Genres"]);
  const picked2 = (await rows(page).nth(2).getAttribute("data-pc-row"))!;
  await rowBox(rowById(page, picked2)).click();
  await expectSelected(page, 5);

  // The change must be visible on at least some of the picked rows.
  const pickedBefore = [...picked1.map((id) => page1Before[id]!), page2Before[picked2]!];
  expect(pickedBefore.some((cells) => cells.Bestseller === "No")).toBe(true);
  expect(pickedBefore.some((cells) => !genreSet(cells.Genres!).includes("Poetry"))).toBe(true);

  await bar(page).getByRole("link", { name: "Bulk edit" }).click();
  await expect(modal(page).getByRole("heading", { name: "Edit 5 books" })).toBeVisible();
  // Inputs stay disabled until their field is ticked.
  await expect(modal(page).getByLabel("New bestseller")).toBeDisabled();
  await expect(modal(page).getByLabel("Genres", { exact: true })).toBeDisabled();
  await modal(page).getByRole("checkbox", { name: "Change Bestseller" }).check();
  await expect(modal(page).getByLabel("New bestseller")).toBeEnabled();
  await modal(page).getByLabel("New bestseller").selectOption({ label: "Yes" });
  await modal(page).getByRole("checkbox", { name: "Change Genres" }).check();
  await expect(modal(page).getByRole("radio", { name: "Add" })).toBeChecked();
  await modal(page).getByLabel("Genres", { exact: true }).selectOption({ label: "Poetry" });
  await modal(page).getByRole("button", { name: "Review changes" }).click();

  await expect(modal(page).getByRole("heading", { name: "Confirm bulk edit" })).toBeVisible();
  await expect(modal(page).getByTestId("pc-bulk-summary")).toHaveText("Set Bestseller to Yes and add Genres Poetry on 5 books.");
  await modal(page).getByRole("button", { name: "Apply changes" }).click();

  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText("Updated 5 books.");
  await expectSelected(page, 0);
  await expect(page.locator(".pc-select-row:checked")).toHaveCount(0);
  await expect(page).toHaveURL(/status=OUT_OF_PRINT&size=10&page=2$/);

  const expectChanged = (before: Record<string, Record<string, string>>, after: Record<string, Record<string, string>>, picked: string[]) => {
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const [id, cells] of Object.entries(after)) {
      if (picked.includes(id)) {
        expect(cells.Bestseller, `book ${id}`).toBe("Yes");
        expect(genreSet(cells.Genres!), `book ${id}`).toEqual([...new Set([...genreSet(before[id]!.Genres!), "Poetry"])].sort());
      } else {
        expect(cells, `book ${id} was not selected`).toEqual(before[id]);
      }
    }
  };
  await expect(rowById(page, picked2)).toContainText("Poetry");
  expectChanged(page2Before, await cellsByHeader(page, ["Bestseller", "Genres"]), [picked2]);

  await page.getByRole("link", { name: "Page 1" }).click();
  await expect(page).toHaveURL(/status=OUT_OF_PRINT&size=10&page=1$|status=OUT_OF_PRINT&size=10$/);
  await expect(rows(page).first()).toHaveAttribute("data-pc-row", page1Ids[0]!);
  await expect(page.locator(".pc-select-row:checked")).toHaveCount(0);
  expectChanged(page1Before, await cellsByHeader(page, ["Bestseller", "Genres"]), picked1);
});

test("an admin selects every book matching a filter but one, and deletes them after confirming", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/books");
  const totalBefore = await totalShown(page);

  // Cheap drafts: Status Draft and Price up to 20, chosen in the Filters panel.
  await page.locator("summary", { hasText: "Filters" }).click();
  await page.getByRole("group", { name: "Status is any of" }).getByLabel("Draft").check();
  await expect(page).toHaveURL(/\/books\/\?status=DRAFT$/);
  await page.getByLabel("Price to").fill("20");
  await page.getByLabel("Price to").press("Tab");
  await expect(page).toHaveURL(/\/books\/\?status=DRAFT&price\.max=20$/);
  await expect(page.getByRole("list", { name: "Active filters" }).getByRole("link", { name: /^Remove filter/ })).toHaveCount(2);
  await page.locator("summary", { hasText: "Filters" }).click();
  await expect(page.locator("#pc-filter-panel")).toHaveJSProperty("open", false);

  const matching = await totalShown(page);
  // A modest number, yet more than one page, so "all matching" reaches beyond the rows shown.
  expect(matching).toBeGreaterThan(await rows(page).count());
  expect(matching).toBeLessThan(100);

  await bar(page).getByRole("button", { name: `Select all ${matching} matching` }).click();
  await expectSelected(page, matching);
  await expect(bar(page)).toContainText("all matching Status: is Draft; Price: up to 20");
  await expect(page.locator(".pc-select-row:not(:checked)")).toHaveCount(0);
  await expect(page.locator(".pc-select-page")).toBeChecked();

  // Page 2 is selected too; untick one row there.
  await page.getByRole("link", { name: "Page 2" }).click();
  await expect(page).toHaveURL(/status=DRAFT&price\.max=20&page=2$/);
  await expect(rows(page).first()).toBeVisible();
  await expect(page.locator(".pc-select-row:not(:checked)")).toHaveCount(0);
  const kept = (await rows(page).first().getAttribute("data-pc-row"))!;
  await rowBox(rowById(page, kept)).click();
  await expect(rowBox(rowById(page, kept))).not.toBeChecked();
  await expectSelected(page, matching - 1);
  await expect(page.locator(".pc-select-page")).not.toBeChecked();

  const deletePosts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && request.url().endsWith("/books/_bulk/delete")) deletePosts.push(request.url());
  });
  const count = matching - 1;
  await bar(page).getByRole("link", { name: "Bulk delete" }).click();
  await expect(modal(page).getByRole("heading", { name: `Delete ${count} books?` })).toBeVisible();
  const confirm = modal(page).getByRole("checkbox", { name: `I understand that ${count} books will be deleted until the task is reverted.` });
  const remove = modal(page).getByRole("button", { name: `Delete ${count} books` });

  // Without the confirmation ticked, the form does not submit.
  await remove.click();
  expect(await confirm.evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
  await expect(modal(page)).toBeVisible();
  expect(deletePosts).toHaveLength(0);

  await confirm.check();
  await remove.click();
  await expect(modal(page)).toBeHidden();
  await expect(page.locator("#pc-toasts")).toContainText(`Deleted ${count} books.`);
  expect(deletePosts).toHaveLength(1);
  await expectSelected(page, 0);

  // Only the unticked book still matches the filter.
  await page.goto("/books?status=DRAFT&price.max=20");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute("data-pc-row", kept);
  await expect(page.getByTestId("pc-range")).toContainText("Showing 1–1 of 1");

  await page.goto("/books");
  expect(await totalShown(page)).toBe(totalBefore - count);
});

test("selection and the bulk modal work with the keyboard", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books?status=PUBLISHED");
  await expect(rows(page)).toHaveCount(25);
  const first = rows(page).first();
  const firstId = (await first.getAttribute("data-pc-row"))!;
  const before = await cellsByHeader(page, ["Bestseller"]);

  // From the search box, Tab reaches the page checkbox; Space selects the page and unselects it.
  await page.getByPlaceholder("Search books…").focus();
  const pageBox = page.getByRole("checkbox", { name: "Select every row on this page" });
  await tabTo(page, pageBox);
  await page.keyboard.press("Space");
  await expectSelected(page, 25);
  await expect(page.locator(".pc-select-row:not(:checked)")).toHaveCount(0);
  await page.keyboard.press("Space");
  await expectSelected(page, 0);
  await expect(page.locator(".pc-select-row:checked")).toHaveCount(0);

  // Tab on to the first row's checkbox, Space ticks it.
  await tabTo(page, rowBox(first));
  await page.keyboard.press("Space");
  await expect(rowBox(first)).toBeChecked();
  await expectSelected(page, 1);

  // Back to the bar's Bulk edit link; Enter opens the modal with focus inside it.
  const bulkEdit = bar(page).getByRole("link", { name: "Bulk edit" });
  await tabTo(page, bulkEdit, true);
  await page.keyboard.press("Enter");
  await expect(modal(page)).toBeVisible();
  await expect(modal(page).getByRole("heading", { name: "Edit 1 book" })).toBeVisible();
  const changeBestseller = modal(page).getByRole("checkbox", { name: "Change Bestseller" });
  await expect(changeBestseller).toBeFocused();

  // Space ticks the field and moves focus to its (now enabled) input.
  await page.keyboard.press("Space");
  await expect(changeBestseller).toBeChecked();
  await expect(modal(page).getByLabel("New bestseller")).toBeEnabled();
  await expect(modal(page).getByLabel("New bestseller")).toBeFocused();

  // Tab stays inside the dialog and reaches "Review changes"; Space submits it.
  const review = modal(page).getByRole("button", { name: "Review changes" });
  await tabTo(page, review);
  await page.keyboard.press("Space");
  await expect(modal(page).getByTestId("pc-bulk-summary")).toHaveText("Set Bestseller to Yes on 1 book.");
  await expect(modal(page).getByRole("button", { name: "Apply changes" })).toBeFocused();
  // The page behind the modal is inert: Tab cycles through the dialog (and the browser's own UI).
  for (let presses = 0; presses < 5; presses++) {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement === document.body || Boolean(document.activeElement?.closest("#pc-modal")))).toBe(true);
  }
  await tabTo(page, modal(page).getByRole("button", { name: "Apply changes" }));

  // Escape closes the modal without applying anything, and focus returns to Bulk edit.
  await page.keyboard.press("Escape");
  await expect(modal(page)).toBeHidden();
  await expect(bulkEdit).toBeFocused();
  await expectSelected(page, 1);

  // "Clear selection" by keyboard too.
  await tabTo(page, bar(page).getByRole("button", { name: "Clear selection" }), true);
  await page.keyboard.press("Enter");
  await expectSelected(page, 0);
  await expect(rowBox(rowById(page, firstId))).not.toBeChecked();
  await page.reload();
  expect(await cellsByHeader(page, ["Bestseller"])).toEqual(before);
});

test("a viewer sees no selection checkboxes or bulk buttons, and cannot select by posting", async ({ page }) => {
  await signIn(page, "viewer");
  await page.goto("/books");
  await expect(rows(page).first()).toBeVisible();
  await expect(page.locator("#pc-table table input[type=checkbox]")).toHaveCount(0);
  await expect(page.locator(".pc-select-row, .pc-select-page")).toHaveCount(0);
  await expect(bar(page)).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Select all/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Bulk edit" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Bulk delete" })).toHaveCount(0);

  const id = (await rows(page).first().getAttribute("data-pc-row"))!;
  const token = await page.locator('meta[name="csrf-token"]').getAttribute("content");
  const select = await page.request.post("/books/_selection", { form: { _csrf: token!, op: "rows", ids: id, selected: "1" } });
  expect(select.status()).toBe(403);
  const edit = await page.request.get("/books/_bulk/edit");
  expect(edit.status()).toBe(403);
});
