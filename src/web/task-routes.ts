import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from "express";
import type nunjucks from "nunjucks";
import type { PowerCrudConfig } from "../config/global-schema";
import type { Resource } from "../config/resolve-resource";
import { cancelTask } from "../tasks/cancel-task";
import { queueTaskFor } from "../tasks/queue-for-user";
import type { TaskRow } from "../tasks/interfaces";
import { takeTaskMessages } from "../tasks/notifications";
import { TaskStore } from "../tasks/task-store";
import { addFlash, takeFlash } from "./flash";
import { isFragmentRequest, triggerClientEvent } from "./htmx";
import { HttpError } from "./http-error";
import { canDo } from "./permissions";
import { taskView } from "./task-views";
import { outcomeSentence } from "../tasks/notifications";

const PAGE_SIZE = 25;
const FAILURES_PAGE_SIZE = 50;

/**
 * `crud.tasks()`: the pages that follow background bulk tasks. A user sees their own tasks; users
 * `tasks.canManage` allows see, cancel and retry everyone's. The progress fragment is polled every
 * second while a task is active.
 */
export function taskRouter(global: PowerCrudConfig, resources: Map<string, Resource>, renderer: nunjucks.Environment): Router {
  const router = express.Router();
  const store = new TaskStore(global.pool);
  const tasksUrl = global.tasks.url.replace(/\/$/, "");

  type Handler = (req: Request, res: Response) => Promise<void>;
  const route = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => {
    if (typeof res.locals.csrfToken !== "string") {
      return next(new Error("PowerCRUD task pages need CSRF protection: add app.use(crud.protect()) after your session middleware."));
    }
    handler(req, res).catch(next);
  };
  const render = (req: Request, res: Response, template: string, context: Record<string, unknown>) => {
    res.type("html").send(renderer.render(template, {
      layout: global.layout,
      assetsUrl: global.assetsUrl,
      ...res.locals,
      flash: isFragmentRequest(req) ? [] : takeFlash(req),
      tasksUrl,
      ...context,
    }));
  };

  const userKeyOf = (req: Request) => {
    const user = global.getUser(req);
    return user === undefined || user === null ? null : global.userKey(user) ?? null;
  };
  const canManage = async (req: Request) => Boolean(await global.tasks.canManage({ user: global.getUser(req), req }));

  /** The task, if this user may see it: their own, or anyone's for managers; otherwise 404 or 403. */
  const visibleTask = async (req: Request): Promise<TaskRow> => {
    const raw = String(req.params.id);
    const id = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    const task = Number.isSafeInteger(id) ? await store.find(id) : undefined;
    if (!task) throw new HttpError(404, `There is no bulk task #${raw.slice(0, 20)}.`);
    if (task.userKey !== userKeyOf(req) && !(await canManage(req))) throw new HttpError(403, "This bulk task was started by someone else.");
    return task;
  };

  router.use(announceEndedTasks(global));

  router.get("/", route(async (req, res) => {
    const page = Math.max(1, Math.min(10_000, Number.parseInt(String(req.query.page ?? "1"), 10) || 1));
    const all = await canManage(req);
    const rows = await store.list({ ...(all ? {} : { userKey: userKeyOf(req) }), limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE });
    render(req, res, "powercrud/tasks/list.njk", {
      pageTitle: "Bulk tasks",
      everyone: all,
      tasks: rows.slice(0, PAGE_SIZE).map((task) => taskView(task, tasksUrl)),
      page,
      previousUrl: page > 1 ? `${req.baseUrl}/?page=${page - 1}` : undefined,
      nextUrl: rows.length > PAGE_SIZE ? `${req.baseUrl}/?page=${page + 1}` : undefined,
    });
  }));

  router.get("/:id", route(async (req, res) => {
    const task = await visibleTask(req);
    const failuresPage = Math.max(1, Math.min(100_000, Number.parseInt(String(req.query.failures ?? "1"), 10) || 1));
    const failures = await store.failures(task.id, FAILURES_PAGE_SIZE + 1, (failuresPage - 1) * FAILURES_PAGE_SIZE);
    render(req, res, "powercrud/tasks/detail.njk", {
      pageTitle: `Bulk task #${task.id}`,
      ...(await detailContext(req, task)),
      failures: failures.slice(0, FAILURES_PAGE_SIZE),
      failuresPage,
      previousFailuresUrl: failuresPage > 1 ? `${req.baseUrl}/${task.id}?failures=${failuresPage - 1}` : undefined,
      nextFailuresUrl: failures.length > FAILURES_PAGE_SIZE ? `${req.baseUrl}/${task.id}?failures=${failuresPage + 1}` : undefined,
    });
  }));

  // Polled every second while the task is active; the answer that shows it ended also toasts it.
  router.get("/:id/progress", route(async (req, res) => {
    const task = await visibleTask(req);
    const view = taskView(task, tasksUrl);
    if (!view.active && req.query.was === "active") {
      triggerClientEvent(res, "pc:task-finished", {
        message: outcomeSentence(task),
        kind: task.status === "SUCCESS" ? "success" : task.status === "CANCELLED" ? "info" : task.status === "PARTIAL" ? "warning" : "error",
        href: view.url,
      });
    }
    render(req, res, "powercrud/partials/task-progress.njk", { task: view, waiting: view.status === "PENDING" && (await store.waitingForWorker(task.id)) });
  }));

  router.post("/:id/cancel", route(async (req, res) => {
    const task = await visibleTask(req);
    const cancelled = await cancelTask(global.pool, task.id);
    const message = cancelled ? `Bulk task #${task.id} is stopping: no chunk starts after this.` : `Bulk task #${task.id} had already ended.`;
    answer(req, res, task.id, message, cancelled ? "info" : "warning");
  }));

  router.post("/:id/retry", route(async (req, res) => {
    const task = await visibleTask(req);
    if (task.status === "PENDING" || task.status === "RUNNING") throw new HttpError(409, `Bulk task #${task.id} is still running; retry it when it has ended.`);
    if (task.failed === 0) throw new HttpError(422, `Bulk task #${task.id} has no failed records to retry.`);
    const resource = resources.get(task.resourceKey);
    if (!resource) throw new HttpError(409, `The ${task.model} records of bulk task #${task.id} are no longer managed here, so it cannot be retried.`);
    for (const action of ["bulk", task.operation === "delete" ? "delete" : "update"] as const) {
      const decision = await canDo(resource, action, req);
      if (!decision.allowed) throw new HttpError(403, decision.reason!);
    }
    const result = await queueTaskFor(resource, req, {
      operation: task.operation,
      changes: task.data.changes,
      description: task.description,
      resourceUrl: task.resourceUrl,
      targets: { sql: `SELECT "recordId" AS id FROM powercrud_task_failure WHERE "taskId" = $1`, params: [task.id] },
      targetsKey: `retry:${task.id}`,
      filterQuery: task.filterQuery,
      selectionMode: task.selectionMode,
      retryOfId: task.id,
    });
    const message = result.kind === "duplicate" ? `Bulk task #${result.taskId} already retries these records.` : `Retrying ${task.failed.toLocaleString("en")} failed records as bulk task #${result.taskId}.`;
    answer(req, res, result.taskId, message, "success");
  }));

  /** After cancel or retry: to the task's page (the new task's, for a retry), with the outcome as a flash message. */
  function answer(req: Request, res: Response, taskId: number, message: string, kind: "success" | "info" | "warning") {
    addFlash(req, { kind, message });
    const url = `${req.baseUrl}/${taskId}`;
    if (isFragmentRequest(req)) return void res.set("HX-Redirect", url).status(200).end();
    res.redirect(303, url);
  }

  async function detailContext(req: Request, task: TaskRow) {
    const view = taskView(task, tasksUrl);
    const own = task.userKey === userKeyOf(req);
    const manage = own || (await canManage(req));
    const resource = resources.get(task.resourceKey);
    return {
      task: view,
      waiting: view.status === "PENDING" && (await store.waitingForWorker(task.id)),
      canCancel: manage && view.active,
      canRetry: manage && !view.active && task.failed > 0 && resource !== undefined,
      filterWords: task.filterQuery ? describeFilter(task.filterQuery) : undefined,
      resourceName: resource?.plural ?? task.model,
      listUrl: `${task.resourceUrl}/${task.filterQuery ? `?${task.filterQuery}` : ""}`,
    };
  }

  return router;
}

/**
 * The "messages" channel: on a full page, the signed-in user's tasks that ended since their last
 * page become flash messages (each once). Resource pages and task pages both use it.
 */
export function announceEndedTasks(global: PowerCrudConfig): RequestHandler {
  const tasksUrl = global.tasks.url.replace(/\/$/, "");
  return (req, _res, next) => {
    if (req.method !== "GET" || isFragmentRequest(req) || !req.session) return next();
    const user = global.getUser(req);
    const userKey = user === undefined || user === null ? undefined : global.userKey(user);
    takeTaskMessages(global.pool, userKey, tasksUrl).then(
      (messages) => {
        for (const message of messages) addFlash(req, message);
        next();
      },
      () => next(),
    );
  };
}

/** "q = harbour, status = DRAFT": the stored list filter, readably. */
function describeFilter(filterQuery: string): string {
  return [...new URLSearchParams(filterQuery)].map(([key, value]) => `${key === "q" ? "search" : key} = ${value}`).join(", ");
}
