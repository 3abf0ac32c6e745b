import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// The filter panel in a real browser: the relation combobox by keyboard (search, arrows, Enter,
// Backspace, Escape), chips, many-to-many any / all, "Add filter", date presets, saved views, the
// phone layout, and the no-JavaScript fallback.

test.describe.configure({ timeout: 60_000 });

const panelButton = (page: Page) => page.locator("#pc-filter-panel > summary");
const combobox = (page: Page, label: string) => page.getByRole("combobox", { name: `${label}: type to search` });
const listbox = (page: Page, label: string) => page.getByRole("listbox", { name: `${label} choices` });
const activeFilters = (page: Page) => page.getByRole("list", { name: "Active filters" });
const rows = (page: Page) => page.locator("#pc-table tbody tr[data-pc-row]");

/** The texts of one column, by its header, for every row shown. */
async function column(page: Page, header: string): Promise<string[]> {
  const headers = await page.locator("#pc-table thead th").allInnerTexts();
  const index = headers.findIndex((text) => text.trim().replace(/[▲▼↕]/g, "").trim() === header);
  expect(index, `column ${header}`).toBeGreaterThan(-1);
  return rows(page).locator(`td:nth-child(${index + 1})`).allInnerTexts();
}

/** The list's total, from "Showing 1–25 of 1,234". */
async function total(page: Page): Promise<number> {
  const text = await page.getByTestId("pc-range").innerText();
  return Number(/of ([\d,]+)/.exec(text)![1]!.replace(/,/g, ""));
}

async function openPanel(page: Page) {
  await panelButton(page).click();
  await expect(page.locator("#pc-filter-panel")).toHaveJSProperty("open", true);
}

test("the author filter by keyboard: search, arrows, Enter, chips, Backspace and Escape", async ({ page }) => {
  await signIn(page, "viewer", "/books");
  await page.goto("/books");
  await openPanel(page);
  const box = combobox(page, "Author");
  await box.focus();
  await expect(box).toHaveAttribute("aria-expanded", "false");

  await box.pressSequentially("ada", { delay: 30 });
  const options = listbox(page, "Author").getByRole("option");
  await expect(options.first()).toBeVisible();
  await expect(box).toHaveAttribute("aria-expanded", "true");
  const names = await options.allInnerTexts();
  expect(names.length).toBeGreaterThan(1);
  for (const name of names) expect(name.toLowerCase()).toContain("ada");
  await expect(page.locator("#flt-author-status")).toHaveText(`${names.length} authors match.`);

  // Arrows move the highlight (aria-activedescendant); Enter chooses and applies the filter.
  await box.press("ArrowDown");
  await box.press("ArrowDown");
  await expect(box).toHaveAttribute("aria-activedescendant", (await options.nth(1).getAttribute("id"))!);
  await expect(options.nth(1)).toHaveAttribute("data-pc-active", "");
  await box.press("Enter");
  await expect(page).toHaveURL(/[?&]author=\d+/);
  await expect(page.getByRole("button", { name: `Remove ${names[1]} from Author` })).toBeVisible();
  await expect(activeFilters(page).getByRole("link", { name: `Remove filter Author: is ${names[1]}` })).toBeVisible();
  expect(new Set(await column(page, "Author"))).toEqual(new Set([names[1]]));
  await expect(box).toBeFocused();
  await expect(box).toHaveValue("");
  await expect(panelButton(page)).toContainText("1");

  // A second author: the arrows open the list again.
  await box.press("ArrowDown");
  await expect(options.first()).toBeVisible();
  const first = (await options.first().innerText()).trim();
  expect(first).not.toBe(names[1]);
  await box.press("Enter");
  await expect(activeFilters(page).getByRole("link", { name: new RegExp(`^Remove filter Author: any of `) })).toBeVisible();
  expect(new Set(await column(page, "Author"))).toEqual(new Set([names[1], first]));

  // Backspace in the empty box removes the last chip.
  await box.press("Backspace");
  await expect(page.getByRole("button", { name: `Remove ${first} from Author` })).toHaveCount(0);
  await expect(activeFilters(page).getByRole("link", { name: `Remove filter Author: is ${names[1]}` })).toBeVisible();

  // Escape closes the list first, then empties the box, then closes the panel (focus to its button).
  await box.pressSequentially("zzzz-nobody", { delay: 20 });
  await expect(page.locator("#flt-author-status")).toHaveText("No authors match.");
  await box.press("Escape");
  await expect(box).toHaveAttribute("aria-expanded", "false");
  await expect(page.locator("#pc-filter-panel")).toHaveJSProperty("open", true);
  await box.press("Escape");
  await expect(box).toHaveValue("");
  await box.press("Escape");
  await expect(page.locator("#pc-filter-panel")).toHaveJSProperty("open", false);
  await expect(panelButton(page)).toBeFocused();

  // A chip's ✕ removes its author.
  await openPanel(page);
  await page.getByRole("button", { name: `Remove ${names[1]} from Author` }).click();
  await expect(page).not.toHaveURL(/author=/);
  await expect(activeFilters(page)).toHaveCount(0);
});

test("the list of choices pages on as the arrows reach its end", async ({ page }) => {
  await signIn(page, "viewer", "/books");
  await page.goto("/books");
  await openPanel(page);
  const box = combobox(page, "Author");
  await box.focus();
  await box.press("ArrowDown");
  const options = listbox(page, "Author").getByRole("option");
  await expect(options).toHaveCount(20);
  for (let i = 1; i < 20; i += 1) await box.press("ArrowDown");
  await expect(options.nth(19)).toHaveAttribute("data-pc-active", "");
  await box.press("ArrowDown");
  await expect(options).toHaveCount(40);
  await expect(options.nth(20)).toHaveAttribute("data-pc-active", "");
});

test("genres: any of the chosen, or all of them", async ({ page }) => {
  await signIn(page, "viewer", "/books");
  await page.goto("/books?genres=1,2");
  const chosen = (await page.locator('[data-pc-filter="genres"] [data-pc-chips] li span').allTextContents()).map((name) => name.trim());
  expect(chosen).toHaveLength(2);
  const any = await column(page, "Genres");
  expect(any.length).toBeGreaterThan(0);
  for (const genres of any) expect(chosen.some((name) => genres.includes(name)), genres).toBe(true);
  expect(any.some((genres) => !chosen.every((name) => genres.includes(name)))).toBe(true);
  const anyTotal = await total(page);

  await openPanel(page);
  await page.getByRole("radio", { name: "Has all of these" }).check();
  await expect(page).toHaveURL(/genres\.all=1/);
  await expect(activeFilters(page).getByRole("link", { name: /^Remove filter Genres: all of / })).toBeVisible();
  const all = await column(page, "Genres");
  for (const genres of all) for (const name of chosen) expect(genres).toContain(name);
  expect(await total(page)).toBeLessThan(anyTotal);
});

test("Add filter shows an optional filter in place; removing its chip hides it again", async ({ page }) => {
  await signIn(page, "viewer", "/books");
  await page.goto("/books");
  await openPanel(page);
  await expect(page.locator("#pc-filter-pages")).toBeHidden();
  await page.locator("#pc-add-filter > summary").click();
  await page.getByRole("link", { name: "Add filter: Pages" }).click();
  await expect(page.locator("#pc-filter-pages")).toBeVisible();
  await expect(page.getByLabel("Pages from")).toBeFocused();
  await expect(page.getByRole("link", { name: "Add filter: Pages" })).toHaveCount(0);
  await page.getByLabel("Pages from").fill("800");
  await page.getByLabel("Pages from").press("Tab");
  await expect(page).toHaveURL(/pages\.min=800/);
  for (const pages of await column(page, "Pages")) expect(Number(pages.replace(/,/g, ""))).toBeGreaterThanOrEqual(800);
  await expect(page.locator("#pc-filter-pages")).toBeVisible();

  await page.keyboard.press("Escape");
  await activeFilters(page).getByRole("link", { name: "Remove filter Pages: from 800" }).click();
  await expect(page).not.toHaveURL(/pages/);
  await openPanel(page);
  await expect(page.locator("#pc-filter-pages")).toBeHidden();
  await page.locator("#pc-add-filter > summary").click();
  await expect(page.getByRole("link", { name: "Add filter: Pages" })).toBeVisible();
});

test("date presets stay presets in the URL; Custom range opens the dates", async ({ page }) => {
  await signIn(page, "viewer", "/books");
  await page.goto("/books");
  await openPanel(page);
  const period = page.getByLabel("Published: period");
  await expect(page.getByLabel("Published from")).toBeHidden();
  await period.selectOption("last-7-days");
  await expect(page).toHaveURL(/publishedDate\.preset=last-7-days/);
  await expect(activeFilters(page).getByRole("link", { name: "Remove filter Published: last 7 days" })).toBeVisible();
  // A bookmark of the page brings the preset back, not dates.
  await page.reload();
  await openPanel(page);
  await expect(page.getByLabel("Published: period")).toHaveValue("last-7-days");

  await page.getByLabel("Published: period").selectOption("custom");
  await expect(page.getByLabel("Published from")).toBeVisible();
  await expect(page.getByLabel("Published from")).toBeFocused();
  await page.getByLabel("Published from").fill("1990-01-01");
  await page.getByLabel("Published to").fill("1990-12-31");
  await page.getByLabel("Published to").press("Tab");
  await expect(page).toHaveURL(/publishedDate\.min=1990-01-01/);
  await expect(page).not.toHaveURL(/preset=last/);
  await expect(activeFilters(page).getByRole("link", { name: "Remove filter Published: between 1990-01-01 and 1990-12-31" })).toBeVisible();
  for (const date of await column(page, "Published")) expect(date.startsWith("1990-")).toBe(true);
});

test("saved views: an editor saves and shares a view; it comes back from the menu, and a viewer gets it too", async ({ page, browser }) => {
  await signIn(page, "editor", "/books");
  const name = `Cheap drafts ${Date.now().toString(36)}`;
  await page.goto("/books?status=DRAFT&price.max=20&sort=-price");
  await page.locator("#pc-views > summary").click();
  await page.getByLabel("Save this list as a view").fill(name);
  await page.getByLabel("Share with everyone").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.locator("#pc-toasts")).toContainText(`Saved view “${name}” and shared it with everyone.`);
  await expect(page.locator("#pc-views > summary")).toHaveText(`View: ${name}`);
  await expect(page.locator("#pc-views > summary")).toBeFocused();

  await activeFilters(page).getByRole("link", { name: "Clear all" }).click();
  await expect(page).toHaveURL(/\/books\/?(\?sort=-price)?$/);
  await page.locator("#pc-views > summary").click();
  await page.locator("#pc-views").getByRole("button", { name }).click();
  await expect(page).toHaveURL(/status=DRAFT&price\.max=20&sort=-price/);
  for (const status of await column(page, "Status")) expect(status).toBe("Draft");

  // Rename it.
  await page.locator("#pc-views > summary").click();
  await page.locator(`summary[aria-label="Manage view ${name}"]`).click();
  await page.getByLabel(`New name for view ${name}`).fill(`${name} (team)`);
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.locator("#pc-toasts")).toContainText(`Renamed view “${name}” to “${name} (team)”.`);

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "viewer", "/books");
  await viewer.goto("/books");
  await viewer.locator("#pc-views > summary").click();
  const shared = viewer.getByRole("list", { name: "Shared with everyone" });
  await expect(shared.getByRole("button", { name: `${name} (team)` })).toBeVisible();
  await expect(shared).toContainText("by Ed Editor");
  await expect(viewer.locator(`summary[aria-label="Manage view ${name} (team)"]`)).toHaveCount(0);
  // A viewer may not share (the demo's bulk permission): no such box.
  await expect(viewer.getByLabel("Share with everyone")).toHaveCount(0);
  await shared.getByRole("button", { name: `${name} (team)` }).click();
  await expect(viewer).toHaveURL(/status=DRAFT&price\.max=20&sort=-price/);
  await viewerContext.close();

  // Delete it.
  await page.locator("#pc-views > summary").click();
  await page.locator(`summary[aria-label="Manage view ${name} (team)"]`).click();
  await page.getByRole("button", { name: `Delete view ${name} (team)` }).click();
  await expect(page.locator("#pc-toasts")).toContainText(`Deleted view “${name} (team)”.`);
  await page.locator("#pc-views > summary").click();
  await expect(page.locator("#pc-views").getByRole("button", { name: `${name} (team)` })).toHaveCount(0);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  for (const theme of ["light", "dark"] as const) {
    test(`${theme} theme: the panel, the combobox and the chips fit the screen`, async ({ page }) => {
      await page.addInitScript((chosen) => localStorage.setItem("powercrud-theme", chosen), theme);
      await signIn(page, "viewer", "/books");
      await page.goto("/books");
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      await openPanel(page);
      const box = combobox(page, "Genres");
      await box.click();
      await expect(listbox(page, "Genres").getByRole("option").first()).toBeVisible();
      await listbox(page, "Genres").getByRole("option").first().click();
      await expect(page).toHaveURL(/genres=\d+/);
      const panel = (await page.locator("#pc-filter-panel .dropdown-content").boundingBox())!;
      expect(panel.x).toBeGreaterThanOrEqual(0);
      expect(panel.x + panel.width).toBeLessThanOrEqual(390);
      const chips = (await activeFilters(page).boundingBox())!;
      expect(chips.x + chips.width).toBeLessThanOrEqual(390);
      // The page itself never scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    });
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the author box lists the matches after Apply; choosing one and Apply filters the list", async ({ page }) => {
    await signIn(page, "viewer", "/books");
    await page.goto("/books");
    await panelButton(page).click();
    await page.getByLabel("Author: type to search").fill("ada");
    await page.getByRole("button", { name: "Apply" }).click();
    await panelButton(page).click();
    const select = page.getByLabel("Author is any of");
    const choices = await select.locator("option").allInnerTexts();
    expect(choices.length).toBeGreaterThan(1);
    for (const name of choices) expect(name.toLowerCase()).toContain("ada");
    await select.selectOption({ label: choices[0]! });
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/author=\d+/);
    expect(new Set(await column(page, "Author"))).toEqual(new Set([choices[0]]));
    await expect(activeFilters(page).getByRole("link", { name: `Remove filter Author: is ${choices[0]}` })).toBeVisible();
  });
});

test("an enum filter's few values are tick boxes: two ticked show either, by keyboard, with focus kept on the box", async ({ page }) => {
  await signIn(page, "admin");
  await page.goto("/books/");
  await openPanel(page);
  const statuses = page.getByRole("group", { name: "Status is any of" });
  await statuses.getByLabel("Draft").check();
  await expect(page).toHaveURL(/\/books\/\?status=DRAFT$/);
  await statuses.getByLabel("Draft").press("Tab");
  await expect(statuses.getByLabel("Published")).toBeFocused();
  await page.keyboard.press("Space");
  await expect(page).toHaveURL(/\/books\/\?status=DRAFT&status=PUBLISHED$/);
  await expect(statuses.getByLabel("Published")).toBeFocused();
  await expect(statuses.getByLabel("Published")).toBeChecked();
  expect(new Set((await column(page, "Status")).map((text) => text.trim()))).toEqual(new Set(["Draft", "Published"]));
  await expect(activeFilters(page).getByRole("link", { name: /^Remove filter Status/ })).toHaveCount(1);
});
