import path from "node:path";
import compression from "compression";
import express, { type Express } from "express";
import type pg from "pg";
import type { PrismaClient } from "../db/clients";
import { createRenderer } from "../render/environment";
import { notFoundHandler } from "../web/error-pages";
import { healthHandler } from "../web/health";
import { securityHeaders } from "../web/security-headers";
import { sessionMiddleware } from "../web/session";
import { authRouter, loadUser, requireUser } from "./auth";
import { signInLimiter, type SignInLimitSettings } from "./sign-in-limits";
import { navItems } from "./resources";
import { ASSETS_URL, demoCrud, TASKS_URL, type DemoCrud } from "./crud";
import { packageRoot } from "../paths";

export interface DemoAppOptions {
  pool: pg.Pool;
  prisma: PrismaClient;
  sessionSecret: string;
  workerStatus?: () => string;
  secureCookie?: boolean;
  /** Express's `trust proxy`: needed behind an HTTPS proxy for secure cookies and for the client's real address. */
  trustProxy?: false | number | string[];
  /** Overrides of the sign-in limits (DEFAULT_SIGN_IN_LIMITS). */
  signInLimits?: Partial<SignInLimitSettings>;
  /** PowerCRUD with the demo's resources; made here when not given (main.ts shares it with the worker). */
  demo?: DemoCrud;
}

const ROLE_SUMMARIES: Record<string, string> = {
  VIEWER: "you can browse every screen.",
  EDITOR: "you can browse, create and edit records.",
  ADMIN: "you can browse, create, edit and delete records.",
  OPS: "you can browse records and manage background tasks.",
};

/** The demo application: PowerCRUD mounted in an ordinary Express app, as a developer would. */
export function createDemoApp(options: DemoAppOptions): Express {
  const { pool, prisma } = options;
  const app = express();
  const renderer = createRenderer({ views: [path.join(packageRoot, "views")] });
  renderer.express(app);
  app.set("view engine", "njk");
  app.disable("x-powered-by");
  app.set("trust proxy", options.trustProxy ?? false);
  const { crud, routers } = options.demo ?? demoCrud({ pool, prisma });

  // gzip or brotli for pages, CSS and scripts; event streams go out as they are, unbuffered.
  app.use(compression({ filter: (req, res) => !String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream") && compression.filter(req, res) }));
  app.use(securityHeaders());
  app.get("/healthz", healthHandler({ pool, workerStatus: options.workerStatus }));
  app.use(ASSETS_URL, crud.assets());
  app.use(express.urlencoded({ extended: false, limit: "1mb", parameterLimit: 5_000 }));
  app.use(sessionMiddleware({ pool, secret: options.sessionSecret, secureCookie: options.secureCookie }));
  app.use((req, res, next) => {
    res.locals.assetsUrl = ASSETS_URL;
    res.locals.layout = "demo/layout.njk";
    res.locals.currentPath = req.path;
    res.locals.navItems = navItems;
    next();
  });
  app.use(crud.protect());
  app.use(loadUser(pool));
  app.use(authRouter(prisma, signInLimiter(pool, options.signInLimits)));
  app.use(crud.taskIndicator());

  app.get("/", requireUser, async (req, res) => {
    const [books, authors, genres] = await Promise.all([prisma.book.count(), prisma.author.count(), prisma.genre.count()]);
    const format = new Intl.NumberFormat("en");
    res.render("demo/home.njk", {
      roleSummary: ROLE_SUMMARIES[req.user!.role],
      stats: [
        { label: "Books", value: format.format(books) },
        { label: "Authors", value: format.format(authors) },
        { label: "Genres", value: format.format(genres) },
      ],
    });
  });

  app.use("/books", requireUser, routers.books);
  app.use("/authors", requireUser, routers.authors);
  app.use("/genres", requireUser, routers.genres);
  app.use(TASKS_URL, requireUser, crud.statusPage());

  app.use(notFoundHandler());
  app.use(crud.errorHandler());
  return app;
}
