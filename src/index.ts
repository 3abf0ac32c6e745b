import express, { type Application, type RequestHandler, type Router } from "express";
import type { TaskList } from "graphile-worker";
import { globalSchema, type PowerCrudOptions } from "./config/global-schema";
import { resolveResource, type Resource } from "./config/resolve-resource";
import type { ResourceOptions } from "./config/resource-schema";
import { ConfigError, parseOptions } from "./config/schema-helpers";
import type { DataModelMeta } from "./model/types";
import { createRenderer } from "./render/environment";
import { assetsRouter } from "./web/assets";
import { csrfProtection } from "./web/csrf";
import { errorHandler } from "./web/error-pages";
import { resourceRouter } from "./web/resource-router";
import type { ListMounts } from "./web/delete-blockers";
import { adviseIndexes, type IndexAdvice } from "./list/index-advisor";
import { taskIndicator, taskRouter } from "./web/task-routes";
import { CLEANUP_JOB, cleanupTasks, type CleanupResult } from "./tasks/cleanup";
import { TaskEvents } from "./tasks/task-events";
import { BULK_JOB, EXPORT_JOB } from "./tasks/interfaces";
import { exportTaskHandler } from "./tasks/export-task";
import { TaskNotifier } from "./tasks/notifications";
import { bulkTaskHandler } from "./tasks/run-task";
import { startWorker, type WorkerHandle } from "./tasks/worker";
import { schemaReady, waitForSchema } from "./schema/schema-ready";

export interface PowerCrud {
  /** Mounts the CRUD screens of one Prisma model: `app.use("/books", crud.resource({ model: "Book" }))`. */
  resource(options: ResourceOptions): Router & { resource: Resource };
  /** Static files (CSS, htmx, powercrud.js); mount at the `assetsUrl` option. */
  assets(): Router;
  /**
   * Lets your own routes `res.render("page.njk", ...)` with PowerCRUD's templates: your `views` folders
   * first, then the package's, with its filters, and `assetsUrl` in `app.locals`. Your pages can then
   * extend your layout, as the screens do.
   */
  useViews(app: Application): void;
  /** CSRF protection on the session: add after your session middleware, before resources. */
  protect(): RequestHandler[];
  /** Error pages in PowerCRUD's look (404, 403, 409, friendly 500); add last. */
  errorHandler(): ReturnType<typeof errorHandler>;
  /** The status page of background bulk tasks (list, task pages, live stream); mount at the `tasks.url` option (default /tasks). */
  tasks(): Router;
  /** The same router as `tasks()`, by the name the status page goes by. */
  statusPage(): Router;
  /** Sets the navbar indicator's count (the user's waiting or running tasks) for `powercrud/partials/task-indicator.njk`; mount app-wide after your user middleware. */
  taskIndicator(): RequestHandler;
  /**
   * Removes finished tasks (with their journal) and record changes older than `tasks.retentionDays`, or
   * a resource's `history.retentionDays`, in batches (what the cron and `npm run tasks:cleanup` run).
   */
  cleanupTasks(options?: { retentionDays?: number }): Promise<CleanupResult>;
  /** Closes the status page's LISTEN connection (at shutdown; it also closes by itself when no page listens). */
  close(): Promise<void>;
  /** graphile-worker tasks that run PowerCRUD's background bulk tasks, for a host that runs graphile-worker itself. */
  taskList(): TaskList;
  /**
   * Runs graphile-worker with PowerCRUD's tasks (and yours) in this process, with the sweep that
   * resumes tasks of dead workers. Mount your resources first: workers find them by their keys.
   */
  runWorker(options?: { concurrency?: number; taskList?: TaskList; log?: (message: string) => void }): Promise<WorkerHandle>;
  /**
   * The indexes the mounted resources' lists need and the database lacks (sortable columns, filters,
   * searches), each with the Prisma `@@index` line and the SQL that adds it. Call it after mounting,
   * e.g. at startup in development.
   */
  indexAdvice(): Promise<IndexAdvice[]>;
  /**
   * Resolves once PowerCRUD's own tables are up to date (created or migrated when the `migrate`
   * option is on, checked when it is off). Routers and workers wait for it by themselves; await it
   * in scripts that use the tables directly.
   */
  ready(): Promise<void>;
}

/**
 * Creates PowerCRUD for one Prisma client. Options are validated here, and each resource's options
 * when it is mounted: a bad option fails at startup with a message that names it.
 */
export function createPowerCrud(options: PowerCrudOptions): PowerCrud {
  const config = parseOptions(globalSchema, options, "createPowerCrud");
  checkDisplayFields(config.dataModel, config.displayFields);
  const renderer = createRenderer({ views: config.views, watch: config.watchTemplates });
  const ready = schemaReady(config.pool, config.migrate);
  const schemaGate = waitForSchema(ready);
  // Every router waits for the tables: a host can mount and serve before the migration finishes.
  const gated = (router: Router): Router => express.Router().use(schemaGate, router);
  const resources = new Map<string, Resource>();
  const mounts: ListMounts = new Map();
  // One LISTEN connection for every status page this PowerCRUD serves.
  const events = new TaskEvents({ pool: config.pool, log: (message) => config.logError(new Error(message)) });
  const cleanup = async (retentionDays = config.tasks.retentionDays) => {
    await ready();
    // Resources that keep their history for another period (history.retentionDays) are cleaned by it.
    const byResource = Object.fromEntries([...resources.values()].flatMap((resource) => (resource.history.retentionDays ? [[resource.key, resource.history.retentionDays]] : [])));
    return cleanupTasks(config.pool, { retentionDays, byResource, batchSize: config.tasks.cleanupBatchSize });
  };
  const taskList = (): TaskList => {
    const context = {
      pool: config.pool,
      resources,
      config: config.tasks,
      notifier: new TaskNotifier(config.tasks, config.logError),
      log: (message: string) => config.logError(new Error(message)),
    };
    return { [CLEANUP_JOB]: async () => void (await cleanup()), [BULK_JOB]: bulkTaskHandler(context), [EXPORT_JOB]: exportTaskHandler(context) };
  };
  return {
    resource(resourceOptions) {
      const resolved = resolveResource(config, resourceOptions);
      // Resources of one model share its name as key unless given their own: number the repeats.
      let key = resolved.key;
      for (let n = 2; resources.has(key); n += 1) key = `${resolved.key}~${n}`;
      const resource = { ...resolved, key, mounts };
      resources.set(key, resource);
      return Object.assign(gated(resourceRouter(resource, renderer)), { resource });
    },
    assets: () => assetsRouter(),
    useViews(app) {
      renderer.express(app);
      app.set("view engine", "njk");
      // What PowerCRUD's own pages get from their routes, for the layout your pages extend.
      app.locals.assetsUrl = config.assetsUrl;
    },
    protect: () => csrfProtection(),
    errorHandler: () => errorHandler({ renderer, log: config.logError, defaults: { layout: config.layout, assetsUrl: config.assetsUrl } }),
    tasks: () => gated(taskRouter(config, resources, renderer, events)),
    statusPage: () => gated(taskRouter(config, resources, renderer, events)),
    taskIndicator: () => {
      const indicator = taskIndicator(config);
      return (req, res, next) => void schemaGate(req, res, (error?: unknown) => (error ? next(error) : indicator(req, res, next)));
    },
    cleanupTasks: (options = {}) => cleanup(options.retentionDays),
    close: () => events.close(),
    taskList,
    indexAdvice: () => adviseIndexes(config.pool, [...resources.values()]),
    ready,
    runWorker: async (options = {}) => {
      await ready();
      return startWorker({
        pool: config.pool,
        taskList: { ...options.taskList, ...taskList() },
        concurrency: options.concurrency,
        ...(options.log ? { log: options.log } : {}),
        sweep: { everyMs: config.tasks.sweepEveryMs, staleAfterMs: config.tasks.staleAfterMs },
        ...(config.tasks.cleanupSchedule ? { cron: [{ task: CLEANUP_JOB, match: config.tasks.cleanupSchedule.trim() }] } : {}),
      });
    },
  };
}

function checkDisplayFields(dataModel: DataModelMeta, displayFields: Record<string, string>): void {
  for (const [modelName, fieldName] of Object.entries(displayFields)) {
    const model = dataModel.models[modelName];
    if (!model) {
      throw new ConfigError(`Invalid createPowerCrud options:\n  displayFields.${modelName}: no model "${modelName}" (valid: ${Object.keys(dataModel.models).join(", ")})`);
    }
    if (!model.fields.some((field) => field.name === fieldName && field.kind !== "object")) {
      const valid = model.fields.filter((field) => field.kind !== "object").map((field) => field.name);
      throw new ConfigError(`Invalid createPowerCrud options:\n  displayFields.${modelName}: ${modelName} has no field "${fieldName}" (valid: ${valid.join(", ")})`);
    }
  }
}

export { ConfigError } from "./config/schema-helpers";
export { migrateSchema, type MigrateResult } from "./schema/migrate-schema";
export { HttpError } from "./web/http-error";
export type { PowerCrudOptions } from "./config/global-schema";
export type { ResourceOptions } from "./config/resource-schema";
export type { PermissionContext, RecordPermissionContext, PermissionResult } from "./config/permissions-schema";
export type { DataModelMeta };
export type { FinishedTask, TaskStatus } from "./tasks/interfaces";
export type { WorkerHandle } from "./tasks/worker";
export type { IndexAdvice } from "./list/index-advisor";
export { describeAdvice } from "./list/index-advisor";
export type { CleanupResult } from "./tasks/cleanup";
export type { TaskKeyParts } from "./config/background-schema";
