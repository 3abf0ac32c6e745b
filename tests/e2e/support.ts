import { expect, type Page } from "@playwright/test";

export const ACCOUNTS = {
  admin: { email: "admin@example.com", password: "admin", name: "Ada Admin" },
  editor: { email: "editor@example.com", password: "editor", name: "Ed Editor" },
  viewer: { email: "viewer@example.com", password: "viewer", name: "Vi Viewer" },
  ops: { email: "ops@example.com", password: "ops", name: "Oz Ops" },
} as const;

export type Role = keyof typeof ACCOUNTS;

export async function signIn(page: Page, role: Role, next = "/"): Promise<void> {
  const account = ACCOUNTS[role];
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(account.name);
}
