import type { RequestHandler } from "express";
import { csrfSync } from "csrf-sync";

/**
 * Synchronizer-token CSRF protection backed by the session. Forms post the token as `_csrf`; htmx
 * requests send it as the `X-CSRF-Token` header (public/powercrud.js reads it from a meta tag).
 * `res.locals.csrfToken` is set for every template.
 */
export function csrfProtection(): RequestHandler[] {
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === "string" && fromBody !== "") return fromBody;
      const header = req.headers["x-csrf-token"];
      return typeof header === "string" ? header : undefined;
    },
  });
  const exposeToken: RequestHandler = (req, res, next) => {
    res.locals.csrfToken = generateToken(req);
    next();
  };
  return [csrfSynchronisedProtection, exposeToken];
}

export function isCsrfError(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "EBADCSRFTOKEN";
}
