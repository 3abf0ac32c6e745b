import express, { type Express } from "express";
import session from "express-session";
import { HttpError } from "powercrud";
import { authRouter, loadUser, requireUser } from "./auth.js";
import { ASSETS_URL, TASKS_URL, type ShopCrud } from "./crud.js";

export const NAV = [
  { href: "/products", label: "Products" },
  { href: "/stock-movements", label: "Stock movements" },
  { href: TASKS_URL, label: "Tasks" },
];

/** The shop's Express app, in the order PowerCRUD needs (see the Mount guide). */
export function createApp(shop: ShopCrud, options: { sessionSecret: string; secureCookie?: boolean }): Express {
  const { crud } = shop;
  const app = express();
  app.disable("x-powered-by");
  crud.useViews(app);

  app.use(ASSETS_URL, crud.assets());
  app.use(express.urlencoded({ extended: false, limit: "1mb" }));
  // The in-memory store is for development: use a store in your database in production (connect-pg-simple).
  app.use(session({
    name: "shop.sid",
    secret: options.sessionSecret,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: "lax", secure: options.secureCookie ?? false, maxAge: 8 * 60 * 60 * 1000 },
  }));
  app.use(crud.protect());
  app.use(loadUser);
  app.use((req, res, next) => {
    res.locals.nav = NAV;
    res.locals.currentPath = req.path;
    next();
  });
  app.use(authRouter());
  app.use(crud.taskIndicator());

  app.get("/", requireUser, (_req, res) => res.redirect("/products"));
  app.use("/products", requireUser, shop.products);
  app.use("/stock-movements", requireUser, shop.stockMovements);
  app.use(TASKS_URL, requireUser, crud.tasks());

  app.use((req, _res, next) => next(new HttpError(404, `There is no page at ${req.path}.`)));
  app.use(crud.errorHandler());
  return app;
}
