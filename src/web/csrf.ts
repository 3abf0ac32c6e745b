import type { Request, RequestHandler, Response } from "express";
import { csrfSync } from "csrf-sync";

/**
 * Synchronizer-token CSRF protection backed by the session. Forms post the token as `_csrf`; htmx
 * requests send it as the `X-CSRF-Token` header (public/powercrud.js reads it from a meta tag).
 * `res.locals.csrfToken` holds the token for every template.
 *
 * The token lives in the session, so issuing one makes the session worth storing. A visitor whose
 * session holds nothing yet gets a token only when a page reads it for a form, never from a redirect,
 * an error page, a health check or a 404 of a crawler: those store no session at all.
 */
export function csrfProtection(): RequestHandler[] {
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    // 256 random bits, as hex: unguessable, and a quarter of the library's default of 128 bytes, which
    // every page repeats in its meta tag and in each of its forms.
    size: 32,
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === "string" && fromBody !== "") return fromBody;
      const header = req.headers["x-csrf-token"];
      return typeof header === "string" ? header : undefined;
    },
  });
  const exposeToken: RequestHandler = (req, res, next) => {
    if (holdsData(req)) res.locals.csrfToken = generateToken(req);
    else exposeLazily(res, () => generateToken(req));
    next();
  };
  return [csrfSynchronisedProtection, exposeToken];
}

/** A session already stored, or about to be: adding the token to it costs no extra row. */
function holdsData(req: Request): boolean {
  return Object.keys(req.session).some((key) => key !== "cookie");
}

/**
 * The token is issued when a template first reads it. Error pages (status 400 and up) read it through
 * the layout's meta tag but have no form to protect, so they get an empty token instead; a form a
 * signed-out visitor can submit is only ever on a successful page (the sign-in page).
 */
function exposeLazily(res: Response, issue: () => string): void {
  Object.defineProperty(res.locals, "csrfToken", {
    configurable: true,
    enumerable: true,
    get() {
      if (res.statusCode >= 400) return "";
      const token = issue();
      Object.defineProperty(res.locals, "csrfToken", { value: token, configurable: true, enumerable: true, writable: true });
      return token;
    },
    set(value: unknown) {
      Object.defineProperty(res.locals, "csrfToken", { value, configurable: true, enumerable: true, writable: true });
    },
  });
}

export function isCsrfError(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "EBADCSRFTOKEN";
}
