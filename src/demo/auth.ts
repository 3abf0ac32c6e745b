import express, { type Request, type RequestHandler, type Router } from "express";
import type pg from "pg";
import { z } from "zod";
import type { PrismaClient } from "../db/clients";
import { verifySignIn } from "./passwords";
import { DEMO_USERS } from "./seed-data";
import type { SignInLimiter } from "./sign-in-limits";

declare module "express-session" {
  interface SessionData {
    userId?: number;
  }
}

export interface DemoUser {
  id: number;
  email: string;
  name: string;
  role: "VIEWER" | "EDITOR" | "ADMIN" | "OPS";
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: DemoUser;
    }
  }
}

const MAX_PASSWORD_LENGTH = 1_024;

/** Everything is checked here, before any of it reaches SQL or scrypt. */
const loginForm = z.object({
  email: z
    .string("Enter your email address.")
    .trim()
    .toLowerCase()
    .min(1, "Enter your email address.")
    .max(254, "An email address has at most 254 characters.")
    .regex(/^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u, "Enter an email address like name@example.com."),
  password: z
    .string("Enter your password.")
    .min(1, "Enter your password.")
    .max(MAX_PASSWORD_LENGTH, `A password has at most ${MAX_PASSWORD_LENGTH.toLocaleString("en")} characters.`),
});

/**
 * Only same-site paths, so a crafted ?next= cannot send a user elsewhere after signing in. Control
 * characters and whitespace are refused too: browsers drop tabs and newlines from URLs, which would
 * turn "/\t/evil.example" into "//evil.example".
 */
export function safeNextPath(next: unknown): string {
  return typeof next === "string" && next.length <= 2_048 && /^\/(?![/\\])[^\\\s\p{Cc}]*$/u.test(next) ? next : "/";
}

/** The path and query of the page an htmx request came from, when it is on this site. */
function currentPagePath(req: Request): string | undefined {
  const header = req.get("HX-Current-URL");
  if (!header || !URL.canParse(header)) return undefined;
  const url = new URL(header);
  return url.host === req.host ? url.pathname + url.search : undefined;
}

/**
 * Loads the signed-in user (if any) into req.user and res.locals.user. Every page waits for it, so it
 * is one plain indexed query rather than a Prisma call (which costs more CPU than the query itself).
 */
export function loadUser(pool: pg.Pool): RequestHandler {
  return async (req, res, next) => {
    const id = req.session.userId;
    if (id !== undefined) {
      const { rows } = await pool.query<DemoUser>(`SELECT id, email, name, role::text AS role FROM "User" WHERE id = $1`, [id]);
      const user = rows[0];
      if (user) req.user = user;
      else delete req.session.userId;
    }
    res.locals.user = req.user;
    next();
  };
}

export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  if (req.get("HX-Request") === "true") {
    // The fragment URL is no page to come back to; the page the user was on is.
    const back = currentPagePath(req) ?? (req.method === "GET" ? req.originalUrl : "/");
    res.set("HX-Redirect", `/login?next=${encodeURIComponent(back)}`).status(401).end();
    return;
  }
  res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
};

export function authRouter(prisma: PrismaClient, limiter: SignInLimiter): Router {
  const router = express.Router();
  const demoAccounts = DEMO_USERS.map(({ email, password, role }) => ({ email, password, role }));

  router.get("/login", (req, res) => {
    if (req.user) return res.redirect(safeNextPath(req.query.next));
    res.render("demo/login.njk", { next: safeNextPath(req.query.next), demoAccounts });
  });

  router.post("/login", async (req, res, next) => {
    // Echoed back into the form, without the control characters that made it invalid.
    const email = typeof req.body?.email === "string" ? req.body.email.replace(/\p{Cc}/gu, "") : "";
    const nextPath = safeNextPath(req.body?.next);
    const fail = (status: number, error: string) =>
      res.status(status).render("demo/login.njk", { error, email, next: nextPath, demoAccounts });
    const parsed = loginForm.safeParse(req.body ?? {});
    if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? "Enter your email and password.");
    const address = req.ip ?? "unknown";
    const attempt = await limiter.attempt(parsed.data.email, address);
    if (!attempt.allowed) {
      res.set("Retry-After", String(attempt.retryAfterSeconds));
      return fail(429, attempt.message);
    }
    const user = await prisma.user.findUnique({ where: { email: parsed.data.email } });
    const passwordMatches = await verifySignIn(parsed.data.password, user?.passwordHash);
    if (!user || !passwordMatches) {
      return fail(401, "That email and password do not match an account. Check both and try again.");
    }
    await limiter.succeeded(parsed.data.email, address);
    // A fresh session id on sign-in defeats session fixation.
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.userId = user.id;
      // The new session gets its CSRF token now, saved before the redirect: issued by the next page
      // instead, it would reach the database only as that page's last byte is sent, and a form posted
      // from the page before that (a quick "Sign out") would be refused as expired.
      req.csrfToken?.(true);
      req.session.save((saveError) => (saveError ? next(saveError) : res.redirect(303, nextPath)));
    });
  });

  router.get("/logout", (req, res) => (req.user ? res.render("demo/logout.njk") : res.redirect("/login")));

  router.post("/logout", (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie("powercrud.sid").redirect(303, "/login");
    });
  });

  return router;
}
