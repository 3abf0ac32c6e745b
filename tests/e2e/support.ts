import { spawn } from "node:child_process";
import { expect, type Locator, type Page } from "@playwright/test";

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

/**
 * A demo server of a spec's own, for settings the shared e2e server must not have (slow background
 * tasks), on an ephemeral database. Resolves once /healthz answers; `stop()` ends it.
 */
export async function startDemoServer(port: number, settings: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const url = `http://127.0.0.1:${port}`;
  const server = spawn("node_modules/.bin/tsx", ["src/demo/main.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: "",
      POWERCRUD_EPHEMERAL_DB: "1",
      SESSION_SECRET: `e2e-demo-${port}-secret-0123456789`,
      WORKER_CONCURRENCY: "1",
      ...settings,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stop = async () => {
    if (server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  };
  for (let tries = 0; tries < 600 && server.exitCode === null; tries++) {
    if (await fetch(`${url}/healthz`).then((response) => response.ok, () => false)) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`the demo server on port ${port} did not start`);
}

/**
 * Chooses a related record in a relation combobox (filter panel or form) by typing part of its name
 * and clicking the option the search lists. `scope` is the page, a modal or a table row.
 */
export async function chooseInCombobox(scope: Page | Locator, label: string, typed: string, option: string | RegExp = typed): Promise<void> {
  const box = scope.getByRole("combobox", { name: `${label}: type to search` });
  await box.fill(typed);
  const listbox = scope.getByRole("listbox", { name: `${label} choices` });
  await listbox.getByRole("option", { name: option }).first().click();
}
