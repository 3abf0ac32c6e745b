import type { RequestHandler } from "express";
import session from "express-session";
import connectPgSimple from "connect-pg-simple";
import type pg from "pg";

export interface SessionOptions {
  pool: pg.Pool;
  secret: string;
  /** Send the cookie over HTTPS only. */
  secureCookie?: boolean;
  maxAgeMs?: number;
}

/** express-session stored in Postgres (the `session` table from the Prisma migrations). */
export function sessionMiddleware(options: SessionOptions): RequestHandler {
  const PgStore = connectPgSimple(session);
  return session({
    store: new PgStore({ pool: options.pool, tableName: "session", createTableIfMissing: false, pruneSessionInterval: 15 * 60 }),
    name: "powercrud.sid",
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: "lax",
      secure: options.secureCookie ?? false,
      maxAge: options.maxAgeMs ?? 8 * 60 * 60 * 1000,
    },
  });
}
