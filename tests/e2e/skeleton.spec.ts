import { expect, test } from "@playwright/test";
import { ACCOUNTS, signIn, type Role } from "./support";

for (const role of Object.keys(ACCOUNTS) as Role[]) {
  test(`${role} signs in, sees the home page and signs out`, async ({ page }) => {
    await signIn(page, role);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Welcome, ${ACCOUNTS[role].name}`);
    await expect(page.getByText(`with the ${role} role`)).toBeVisible();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login\?next=%2F$/);
  });
}

test("a wrong password shows a message and keeps the user on the form", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("admin@example.com");
  await page.getByLabel("Password").fill("nope");
  const response = page.waitForResponse((r) => r.url().endsWith("/login") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Sign in" }).click();
  expect((await response).status()).toBe(401);
  await expect(page.getByRole("alert")).toContainText("do not match an account");
  await expect(page.getByLabel("Email")).toHaveValue("admin@example.com");
  await expect(page.getByLabel("Password")).toBeFocused();
});

test("the theme switch toggles dark mode and is remembered across reloads", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page, "viewer");
  const html = page.locator("html");
  await expect(html).toHaveAttribute("data-theme", "light");
  const toggle = page.getByRole("button", { name: "Switch to dark theme" });
  await toggle.click();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: "Switch to light theme" })).toHaveAttribute("aria-pressed", "true");
  const lightBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await page.getByRole("button", { name: "Switch to light theme" }).click();
  await expect(html).toHaveAttribute("data-theme", "light");
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(lightBackground);
});

test("an expired form gets the 403 page, not a crash", async ({ page, context }) => {
  await page.goto("/login");
  await context.clearCookies();
  await page.getByLabel("Email").fill("admin@example.com");
  await page.getByLabel("Password").fill("admin");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Form expired" })).toBeVisible();
});
