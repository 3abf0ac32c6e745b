import type { Request, RequestHandler, Response } from "express";
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
  const handler = session({
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
  return (req, res, next) => handler(req, res, (error?: unknown) => (error ? next(error) : (saveBeforeRedirect(req, res), next())));
}

/**
 * express-session sends a response's headers before its store has saved the session, so a browser
 * following a redirect can load the session before the save lands, and miss what the redirecting
 * request put there (the flash message after a form post). A redirect from a session that holds
 * data therefore waits for the save.
 */
function saveBeforeRedirect(req: Request, res: Response): void {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const holdsData = req.session && Object.keys(req.session).some((key) => key !== "cookie");
    if (!holdsData) return redirect(...args);
    // A failed save is not the redirect's to report: express-session saves again as the response ends.
    req.session.save(() => redirect(...args));
  }) as Response["redirect"];
}
