import express, { type RequestHandler, type Router } from "express";
import { ACCOUNTS, checkPassword, findUser, type ShopUser } from "./users.js";

declare module "express-session" {
  interface SessionData {
    userId?: number;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: ShopUser;
    }
  }
}

/** Puts the signed-in user on req.user (what PowerCRUD's getUser returns) and on res.locals for the layout. */
export const loadUser: RequestHandler = (req, res, next) => {
  req.user = findUser(req.session.userId);
  res.locals.user = req.user;
  next();
};

/** Sends visitors to the sign-in page; an htmx request is told to load it as a whole page. */
export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) return next();
  const signIn = `/login?next=${encodeURIComponent(req.method === "GET" ? req.originalUrl : "/")}`;
  if (req.get("HX-Request") === "true") return void res.set("HX-Redirect", signIn).status(401).end();
  res.redirect(signIn);
};

/** Only paths on this site, so a crafted ?next= cannot send anyone elsewhere. */
function localPath(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])[^\\\s\p{Cc}]*$/u.test(next) ? next : "/";
}

export function authRouter(): Router {
  const router = express.Router();
  const accounts = ACCOUNTS.map(({ email, password, role }) => ({ email, password, role }));

  router.get("/login", (req, res) => {
    if (req.user) return res.redirect(localPath(req.query.next));
    res.render("login.njk", { pageTitle: "Sign in", next: localPath(req.query.next), accounts });
  });

  router.post("/login", (req, res, next) => {
    const email = typeof req.body?.email === "string" ? req.body.email : "";
    const password = typeof req.body?.password === "string" ? req.body.password : "";
    const nextPath = localPath(req.body?.next);
    const user = checkPassword(email, password);
    if (!user) {
      res.status(401).render("login.njk", { pageTitle: "Sign in", error: "That email and password do not match an account.", email, next: nextPath, accounts });
      return;
    }
    // A new session id at sign-in defeats session fixation.
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.userId = user.id;
      req.session.save((saveError) => (saveError ? next(saveError) : res.redirect(303, nextPath)));
    });
  });

  router.post("/logout", (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.clearCookie("shop.sid").redirect(303, "/login")));
  });

  return router;
}
