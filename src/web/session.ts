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

/** How far a session's stored expiry may lag behind its cookie's (an 8-hour session then ends at most a minute early). */
const TOUCH_EVERY_MS = 60_000;
/** Sessions whose last write is remembered; past this, the ones written longest ago are forgotten (and touched again). */
const REMEMBERED_SESSIONS = 10_000;

/** express-session stored in Postgres (the `session` table from the Prisma migrations). */
export function sessionMiddleware(options: SessionOptions): RequestHandler {
  const handler = session({
    store: throttledStore(options.pool),
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
 * The Postgres store, writing a rolling session's new expiry at most once a minute. express-session
 * touches the session at the end of every response and waits for it: an UPDATE and a commit per page
 * view, the largest fixed cost of a list page after its own queries.
 */
function throttledStore(pool: pg.Pool): session.Store {
  const PgStore = connectPgSimple(session);
  const written = new Map<string, number>();
  const remember = (sid: string) => {
    written.delete(sid);
    written.set(sid, Date.now());
    // Oldest first (a Map keeps insertion order): forgetting one only costs it an early touch.
    for (const oldest of written.keys()) {
      if (written.size <= REMEMBERED_SESSIONS) break;
      written.delete(oldest);
    }
  };
  class ThrottledStore extends PgStore {
    override touch(sid: string, sess: session.SessionData, callback?: (error?: unknown) => void): void {
      const last = written.get(sid);
      if (last !== undefined && Date.now() - last < TOUCH_EVERY_MS) return callback?.();
      remember(sid);
      super.touch(sid, sess, callback);
    }

    override set(sid: string, sess: session.SessionData, callback?: (error?: unknown) => void): void {
      remember(sid);
      super.set(sid, sess, callback);
    }

    override destroy(sid: string, callback?: (error?: unknown) => void): void {
      written.delete(sid);
      super.destroy(sid, callback);
    }
  }
  return new ThrottledStore({ pool, tableName: "session", createTableIfMissing: false, pruneSessionInterval: 15 * 60 });
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
