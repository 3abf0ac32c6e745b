import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// The list table holds up: its header stays in view while rows scroll, column help and cut-off
// values show on keyboard focus as on hover, slow requests show that they are loading (quick ones
// show nothing), and on a phone every row is a card of "label: value" lines whose checkbox, sort
// links and actions still work.

const modal = (page: Page) => page.locator("#pc-modal");
const scroller = (page: Page) => page.locator("#pc-table .pc-table-scroll");

test("the header stays at the top of the table's box while its rows scroll", async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 700 });
  await signIn(page, "editor");
  await page.goto("/books?size=100");
  const header = page.locator("#pc-table thead");
  const box = (await scroller(page).boundingBox())!;
  await scroller(page).evaluate((element) => { element.scrollTop = 1500; });
  await expect.poll(async () => (await scroller(page).evaluate((element) => element.scrollTop))).toBeGreaterThan(1000);
  const pinned = (await header.boundingBox())!;
  expect(Math.abs(pinned.y - box.y)).toBeLessThan(2);
  // Opaque: a row passing under it does not show through.
  const background = await header.locator("tr").evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(background).not.toBe("rgba(0, 0, 0, 0)");
});

test("column help and cut-off values show on keyboard focus", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  // Help: a button after the Price header's sort link, whose tooltip shows while it has focus.
  const help = page.getByRole("button", { name: "About Price" });
  await page.locator("#pc-sort-price").focus();
  await page.keyboard.press("Tab");
  await expect(help).toBeFocused();
  await expect(help).toHaveAccessibleDescription("Retail price in euros, VAT included.");
  const tip = help.locator("xpath=..");
  await expect(tip).toHaveAttribute("data-tip", "Retail price in euros, VAT included.");
  await expect.poll(() => tip.evaluate((element) => getComputedStyle(element, "::before").opacity)).toBe("1");
  await expect(page.locator("#pc-sort-price")).toHaveAccessibleDescription("Retail price in euros, VAT included.");

  // A long genre list is cut off by its column; focus unfolds it (hover has its title).
  const clipped = page.locator("#pc-table td .pc-clip[tabindex='0']").first();
  await expect(clipped).toBeAttached();
  const whole = await clipped.getAttribute("title");
  expect(whole).toBeTruthy();
  const before = (await clipped.boundingBox())!.height;
  await clipped.focus();
  await expect.poll(async () => (await clipped.boundingBox())!.height).toBeGreaterThan(before);
  await expect(clipped).toHaveText(whole!);
});

test("a request slower than 200 ms shows a loading bar and a busy table; a quick one shows nothing", async ({ page }) => {
  await signIn(page, "editor");
  await page.goto("/books");
  // Record every time the bar is shown.
  await page.evaluate(() => {
    (window as unknown as { shown: number }).shown = 0;
    new MutationObserver(() => {
      const bar = document.getElementById("pc-loading");
      if (bar && !bar.hidden) (window as unknown as { shown: number }).shown++;
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["hidden"], childList: true });
  });
  const shown = () => page.evaluate(() => (window as unknown as { shown: number }).shown);

  // A quick answer (served at once, so the test does not depend on the server's speed).
  const quick = await page.request.get("/books/?sort=title", { headers: { "HX-Request": "true", "HX-Target": "section#pc-table" } });
  const body = await quick.text();
  await page.route((url) => url.pathname === "/books/" && url.searchParams.get("sort") === "title", (route) => route.fulfill({ body, contentType: "text/html" }));
  await page.locator("#pc-sort-title").click();
  await expect(page).toHaveURL(/sort=title/);
  await expect(page.locator("#pc-sort-title")).toContainText("sorted ascending");
  await page.waitForTimeout(300);
  expect(await shown(), "a quick swap shows no loading state").toBe(0);

  // A slow one: held until the loading state has shown.
  let release = () => {};
  const held = new Promise<void>((resolve) => { release = resolve; });
  await page.route((url) => url.pathname === "/books/" && url.searchParams.get("sort") === "-title", async (route) => {
    await held;
    await route.continue();
  });
  await page.locator("#pc-sort-title").click();
  await expect(page.locator("#pc-loading")).toBeVisible();
  await expect(page.locator("#pc-table")).toHaveAttribute("aria-busy", "true");
  release();
  await expect(page).toHaveURL(/sort=-title/);
  await expect(page.locator("#pc-loading")).toBeHidden();
  await expect(page.locator("#pc-table")).not.toHaveAttribute("aria-busy", "true");
});

test("on a 390×844 phone each row is a card of labelled values, whose checkbox, sort and actions work", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "admin");
  await page.goto("/books");
  const row = page.locator("#pc-table tbody tr[data-pc-row]").first();
  await expect(row).toBeVisible();
  // Nothing scrolls sideways, and the row takes the width of the screen, as a block.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(await row.evaluate((element) => getComputedStyle(element).display)).toBe("block");
  // Each value is on a line of its own under its label.
  // (the labels come from the table's rules per column, the checkbox's cell and the actions' have none)
  const cells = row.locator("td:not(:first-child, :last-child)");
  expect(await cells.count()).toBeGreaterThan(4);
  for (const [index, label] of [[0, "Title"], [1, "Author"], [3, "Status"]] as const) {
    const cell = cells.nth(index);
    expect(await cell.evaluate((element) => getComputedStyle(element, "::before").content)).toBe(`"${label}"`);
    const box = (await cell.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  const title = cells.nth(0);
  const author = cells.nth(1);
  expect((await author.boundingBox())!.y).toBeGreaterThan((await title.boundingBox())!.y);

  // The checkbox selects, the header's sort links sort, and the actions open their dialogs.
  await row.locator("input.pc-select-row").check();
  await expect(page.locator("#pc-selection-bar")).toHaveAttribute("data-pc-selection-size", "1");
  await page.locator("#pc-sort-title").click();
  await expect(page).toHaveURL(/sort=title/);
  const card = page.locator("#pc-table tbody tr[data-pc-row]").first();
  await card.getByRole("link", { name: /^Edit / }).click();
  await expect(modal(page).getByLabel("Title")).toBeVisible();
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await expect(modal(page)).toBeHidden();

  // Quick edit works in a card too: inputs under their labels, Escape puts the card back.
  await card.getByRole("link", { name: /^Quick edit / }).click();
  const input = card.getByRole("textbox", { name: "Title" });
  await expect(input).toBeFocused();
  const box = (await input.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await page.keyboard.press("Escape");
  await expect(card.getByRole("textbox")).toHaveCount(0);
});
