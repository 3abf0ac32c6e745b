import type { RequestHandler } from "express";
import type pg from "pg";
import { Logger, runMigrations } from "graphile-worker";
import { HttpError } from "../web/http-error";
import { migrateSchema, pending } from "./migrate-schema";

export interface SchemaReady {
  /** Resolves once PowerCRUD's tables are up to date; a failed attempt is retried on the next call. */
  (): Promise<void>;
}

/**
 * With `migrate` on, the first caller applies PowerCRUD's migrations, and graphile-worker's so that
 * a web process can queue tasks before any worker has run, and everyone else waits for it. With it
 * off, PowerCRUD's schema is only checked, so a deploy that forgot `powercrud migrate` says so
 * instead of failing on a missing table.
 */
export function schemaReady(pool: pg.Pool, migrate: boolean): SchemaReady {
  let attempt: Promise<void> | undefined;
  return () => {
    attempt ??= (migrate ? migrateAll(pool) : checkSchema(pool)).catch((error: unknown) => {
      attempt = undefined;
      throw error;
    });
    return attempt;
  };
}

async function migrateAll(pool: pg.Pool): Promise<void> {
  await migrateSchema(pool);
  await runMigrations({ pgPool: pool, logger: new Logger(() => () => {}) });
}

async function checkSchema(pool: pg.Pool): Promise<void> {
  const missing = await pending(pool);
  if (missing.length > 0) {
    throw new Error(`PowerCRUD's tables are not up to date (missing: ${missing.map((m) => m.id).join(", ")}): run \`npx powercrud migrate\` or set migrate: true.`);
  }
}

/**
 * Holds requests until the schema is ready; answers 503 while the database cannot be prepared (the
 * error handler logs it with the reason as its cause).
 */
export function waitForSchema(ready: SchemaReady): RequestHandler {
  return (_req, _res, next) => {
    ready().then(
      () => next(),
      (cause: unknown) => {
        const error = new HttpError(503, "The database is not ready for PowerCRUD yet; try again in a moment.", "Service unavailable");
        next(Object.assign(error, { cause }));
      },
    );
  };
}
