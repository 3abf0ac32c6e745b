import express, { type RequestHandler, type Router } from "express";
import { z } from "zod";
import type { PrismaClient } from "../db/clients";
import { verifyPassword } from "./passwords";
import { DEMO_USERS } from "./seed-data";

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

const loginForm = z.object({
  email: z.string().trim().toLowerCase().min(1, "Enter your email address."),
  password: z.string().min(1, "Enter your password."),
  next: z.string().optional(),
});

/** Only same-site paths, so a crafted ?next= cannot send a user elsewhere after signing in. */
export function safeNextPath(next: unknown): string {
  return typeof next === "string" && /^\/(?!\/)[^\\]*$/.test(next) ? next : "/";
}

/** Loads the signed-in user (if any) into req.user and res.locals.user. */
export function loadUser(prisma: PrismaClient): RequestHandler {
  return async (req, res, next) => {
    const id = req.session.userId;
    if (id !== undefined) {
      const user = await prisma.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, role: true } });
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
    res.set("HX-Redirect", `/login?next=${encodeURIComponent(req.get("HX-Current-URL") ?? req.originalUrl)}`).status(401).end();
    return;
  }
  res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
};

export function authRouter(prisma: PrismaClient): Router {
  const router = express.Router();
  const demoAccounts = DEMO_USERS.map(({ email, password, role }) => ({ email, password, role }));

  router.get("/login", (req, res) => {
    if (req.user) return res.redirect(safeNextPath(req.query.next));
    res.render("demo/login.njk", { next: safeNextPath(req.query.next), demoAccounts });
  });

  router.post("/login", async (req, res, next) => {
    const parsed = loginForm.safeParse(req.body);
    const email = typeof req.body?.email === "string" ? req.body.email : "";
    const nextPath = safeNextPath(req.body?.next);
    const fail = (status: number, error: string) =>
      res.status(status).render("demo/login.njk", { error, email, next: nextPath, demoAccounts });
    if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? "Enter your email and password.");
    const user = await prisma.user.findUnique({ where: { email: parsed.data.email } });
    if (!user || !(await verifyPassword(parsed.data.password, user.passwordHash))) {
      return fail(401, "That email and password do not match an account. Check both and try again.");
    }
    // A fresh session id on sign-in defeats session fixation.
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.userId = user.id;
      req.session.save((saveError) => (saveError ? next(saveError) : res.redirect(303, nextPath)));
    });
  });

  router.get("/logout", (_req, res) => res.render("demo/logout.njk"));

  router.post("/logout", (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie("powercrud.sid").redirect(303, "/login");
    });
  });

  return router;
}
