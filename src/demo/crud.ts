import type pg from "pg";
import type { PrismaClient } from "../db/clients";
import { dataModel } from "../generated/powercrud";
import { createPowerCrud, type PowerCrudOptions, type ResourceOptions } from "../index";
import type { DemoUser } from "./auth";
import { demoPermissions } from "./permissions";
import { authorResource, bookResource, genreResource } from "./resources";

export interface DemoCrudOptions {
  pool: pg.Pool;
  prisma: PrismaClient;
  /** Bulk operations of at least this many records run in the background. */
  bulkMinRecords?: number;
  /** Email task outcomes through this SMTP server (e.g. "smtp://localhost:1025"). */
  smtpUrl?: string;
  mailFrom?: string;
  /** Slows every book of a bulk operation by this many ms (DEMO_TASK_DELAY_MS). */
  taskDelayMs?: number;
  /** Bulk operations refuse every Nth book (DEMO_BULK_REFUSE_EVERY). */
  refuseEvery?: number;
}

export const ASSETS_URL = "/assets";
export const TASKS_URL = "/tasks";

/**
 * PowerCRUD configured for the demo, with its resources mounted: the web app serves them, and a
 * worker process (npm run worker) needs the same resources to run their background tasks.
 */
export function demoCrud(options: DemoCrudOptions) {
  const email: PowerCrudOptions["tasks"] = options.smtpUrl
    ? { email: { transport: options.smtpUrl, from: options.mailFrom ?? "PowerCRUD demo <demo@localhost>" } }
    : {};
  const crud = createPowerCrud({
    prisma: options.prisma,
    pool: options.pool,
    dataModel,
    getUser: (req) => req.user,
    layout: "demo/layout.njk",
    assetsUrl: ASSETS_URL,
    permissions: demoPermissions,
    bulk: {
      background: {
        ...(options.bulkMinRecords ? { minRecords: options.bulkMinRecords } : {}),
        notify: options.smtpUrl ? ["messages", "email"] : ["messages"],
      },
    },
    tasks: {
      url: TASKS_URL,
      // Ops and admins watch over everyone's tasks; everybody else sees their own.
      canManage: ({ user }) => ["OPS", "ADMIN"].includes((user as DemoUser | undefined)?.role ?? ""),
      // Editors revert their own tasks; only admins overwrite records someone changed since.
      canRevert: ({ user, force }) => !force || (user as DemoUser | undefined)?.role === "ADMIN" || "Only admins may overwrite records changed since the task.",
      ...email,
    },
  });
  const routers = {
    books: crud.resource(withDemoVeto(bookResource, options)),
    authors: crud.resource(authorResource),
    genres: crud.resource(genreResource),
  };
  return { crud, routers };
}

export type DemoCrud = ReturnType<typeof demoCrud>;

/** The books resource with the demo's optional slowness and refusals (off unless their settings are set). */
function withDemoVeto(resource: ResourceOptions, options: DemoCrudOptions): ResourceOptions {
  const delay = options.taskDelayMs ?? 0;
  const every = options.refuseEvery ?? 0;
  if (!delay && !every) return resource;
  return {
    ...resource,
    bulk: {
      ...resource.bulk,
      chunkSize: 10,
      veto: async (record) => {
        if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
        return every && Number(record.id) % every === 0 ? "Held back by the demo's review rule (DEMO_BULK_REFUSE_EVERY)." : undefined;
      },
    },
  };
}
