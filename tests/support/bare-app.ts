import { afterAll, afterEach, beforeAll, expect } from "vitest";
import express, { type Express, type Request } from "express";
import type pg from "pg";
import type { PrismaClient } from "../../src/db/clients";
import { dataModel } from "../../src/generated/powercrud";
import { createPowerCrud, type PowerCrud, type PowerCrudOptions } from "../../src/index";
import { sessionMiddleware } from "../../src/web/session";
import { TestClient } from "./test-client";

export interface TestUser {
  role: string;
}

const users = new WeakMap<Request, TestUser>();

/** The user the test middleware read from the `x-test-role` header or the `as` query parameter. */
export const testUserOf = (req: Request): TestUser | undefined => users.get(req);

export interface BareApp {
  app: Express;
  crud: PowerCrud;
  /** Everything PowerCRUD logged as an unexpected (500) error. */
  errors: unknown[];
}

/**
 * PowerCRUD mounted into a fresh, bare Express app the way the README tells a developer to:
 * body parser, a Postgres session store, `crud.protect()`, the host's own user middleware, the
 * resources, then `crud.errorHandler()` last. Nothing from the demo app is used.
 */
export function bareApp(
  db: { pool: pg.Pool; prisma: PrismaClient },
  mount: (app: Express, crud: PowerCrud) => void,
  options: Partial<PowerCrudOptions> = {},
): BareApp {
  const errors: unknown[] = [];
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(sessionMiddleware({ pool: db.pool, secret: "bare-app-test-secret-0123456789" }));
  const crud = createPowerCrud({
    prisma: db.prisma,
    pool: db.pool,
    dataModel,
    getUser: testUserOf,
    logError: (error) => errors.push(error),
    ...options,
  });
  app.use(crud.protect());
  app.use((req, res, next) => {
    const role = req.get("x-test-role") ?? (typeof req.query.as === "string" ? req.query.as : undefined);
    if (role) {
      const user = { role };
      users.set(req, user);
      res.locals.user = user;
    }
    next();
  });
  mount(app, crud);
  app.use(crud.errorHandler());
  return { app, crud, errors };
}

/** A bare app a test file serves: its client, and the app with what it logged. */
export interface ServedApp {
  browser: TestClient;
  app: BareApp;
}

/**
 * Serves a bare app for the tests of a file: `start` (seed, then `bareApp(...)`) runs before them,
 * every test fails when one of its requests ended in an unexpected (500) error, and the server and
 * the database are closed after them. The object is filled in once started.
 */
export function serveBareApp(db: { close(): Promise<void> }, start: () => BareApp | Promise<BareApp>): ServedApp {
  const served = {} as ServedApp;
  beforeAll(async () => {
    served.app = await start();
    served.browser = await TestClient.start(served.app.app);
  });
  afterEach(() => expectNoServerErrors(served.app.errors));
  afterAll(async () => {
    await served.browser?.close();
    await db.close();
  });
  return served;
}

/** The ids of the table rows, in page order. */
export function rowIds(html: string): number[] {
  return [...html.matchAll(/data-pc-row="(\d+)"/g)].map((match) => Number(match[1]));
}

/** The `<option>`s of an HTML fragment: value, label and whether it is selected. */
export function optionsOf(html: string): Array<{ value: string; label: string; selected: boolean }> {
  return [...html.matchAll(/<option value="([^"]*)"( selected)?>([^<]*)<\/option>/g)].map((match) => ({
    value: match[1]!,
    label: match[3]!,
    selected: Boolean(match[2]),
  }));
}

/** Decodes the few entities Nunjucks autoescaping produces. */
export function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Fails the test when a request of it ended in an unexpected (500) error the app logged. */
export function expectNoServerErrors(logged: unknown[]): void {
  const errors = logged.splice(0);
  expect(errors.map((error) => String((error as Error)?.stack ?? error))).toEqual([]);
}
