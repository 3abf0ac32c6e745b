import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from "express";
import type nunjucks from "nunjucks";
import type { PowerCrudConfig } from "../config/global-schema";
import type { Resource } from "../config/resolve-resource";
import { cancelTask } from "../tasks/cancel-task";
import { queueTaskFor } from "../tasks/queue-for-user";
import type { TaskRow } from "../tasks/interfaces";
import { indicatorState, takeTaskMessages } from "../tasks/notifications";
import { TaskStore } from "../tasks/task-store";
import type { TaskEvents } from "../tasks/task-events";
import { listTasks, runningCount, taskUsers } from "../tasks/task-history";
import { humanize } from "../model/labels";
import { STATUS_CHOICES, parseTaskListState, taskListUrl } from "./task-filters";
import { streamFailuresCsv } from "./task-csv";
import { downloadExport, exportDownloadView } from "./export-download";
import { exportColumns } from "../export/export-query";
import { TaskStream } from "./task-stream";
import { addFlash, takeFlash } from "./flash";
import { isFragmentRequest, targets, triggerClientEvent } from "./htmx";
import { HttpError } from "./http-error";
import { canDo } from "./permissions";
import { taskView, toastKind } from "./task-views";
import { retryMayForce, retryRevert, revertOffer, revertRoutes, type RevertRouteContext } from "./revert-routes";
import { outcomeSentence, taskTitle } from "../tasks/notifications";

const PAGE_SIZE = 25;
const MODE_WORDS = { add: "added to the existing ones", remove: "removed from the existing ones", replace: "replacing the existing ones" } as const;
const FAILURES_PAGE_SIZE = 50;

/**
 * `crud.tasks()` (alias `crud.statusPage()`): the status page of background tasks (bulk changes,
 * exports, reverts). A user sees their own tasks; users `tasks.canManage` allows see, cancel and retry
 * everyone's. Pages update over Server-Sent Events (GET /events) fed by the process's one LISTEN
 * connection; where no stream is live, the active parts poll instead.
 */
export function taskRouter(global: PowerCrudConfig, resources: Map<string, Resource>, renderer: nunjucks.Environment, events: TaskEvents): Router {
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
  const visibleTask = async (req: Request, raw = String(req.params.id)): Promise<TaskRow> => {
    const id = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    const task = Number.isSafeInteger(id) ? await store.find(id) : undefined;
    if (!task) throw new HttpError(404, `There is no background task #${raw.slice(0, 20)}.`);
    if (task.userKey !== userKeyOf(req) && !(await canManage(req))) throw new HttpError(403, "This background task was started by someone else.");
    return task;
  };

  router.use(announceEndedTasks(global));

  router.use(taskIndicator(global));

  router.get("/", route(async (req, res) => {
    const all = await canManage(req);
    const { state, filter } = parseTaskListState(req.query as Record<string, unknown>, { resourceKeys: [...resources.keys()], manage: all });
    const base = req.baseUrl;
    // The filter form (a plain GET form) sends its empty fields too: answer with the tidy URL.
    if (Object.values(req.query).some((value) => value === "")) return void res.redirect(303, taskListUrl(base, state, state));
    const [page, userChoices] = await Promise.all([
      listTasks(global.pool, { ...filter, ...(all ? {} : { owner: userKeyOf(req) }), limit: PAGE_SIZE }),
      all ? taskUsers(global.pool) : [],
    ]);
    const tasks = page.tasks.map((task) => taskView(task, tasksUrl));
    const context = {
      pageTitle: "Background tasks",
      everyone: all,
      tasks,
      state,
      filtered: Boolean(state.status || state.resource || state.user || state.from || state.to),
      firstPage: state.before === undefined && state.after === undefined,
      anyActive: tasks.some((task) => task.active),
      listUrl: taskListUrl(base, state, state),
      clearUrl: `${base}/`,
      olderUrl: page.olderThan !== undefined ? taskListUrl(base, state, { before: page.olderThan }) : undefined,
      newerUrl: page.newerThan !== undefined ? taskListUrl(base, state, { after: page.newerThan }) : undefined,
      statusChoices: STATUS_CHOICES,
      resourceChoices: [...resources.values()].map((resource) => ({ value: resource.key, label: resource.plural })),
      userChoices,
      eventsUrl: `${tasksUrl}/events?list=1`,
    };
    if (targets(req, "pc-task-table")) return render(req, res, "powercrud/partials/task-table.njk", context);
    render(req, res, "powercrud/tasks/list.njk", context);
  }));

  // The live stream of a page: ?task=<id> on a task's page, ?list=1 on the list, nothing for the navbar.
  router.get("/events", route(async (req, res) => {
    const taskId = req.query.task === undefined ? undefined : (await visibleTask(req, String(req.query.task))).id;
    // Past the cap the browser's EventSource gives up on the 503 and the page keeps polling.
    if (events.size >= global.tasks.maxStreams) throw new HttpError(503, "Too many live pages are open on this server; this page updates by polling instead.");
    const scope = { userKey: userKeyOf(req), manage: await canManage(req), list: req.query.list === "1", ...(taskId !== undefined ? { taskId } : {}) };
    await TaskStream.open(req, res, {
      pool: global.pool,
      events,
      scope,
      render: {
        progress: (task) => renderer.render("powercrud/partials/task-progress.njk", { task: taskView(task, tasksUrl), waiting: false }),
        row: (task) => renderer.render("powercrud/partials/task-row.njk", { task: taskView(task, tasksUrl), everyone: scope.manage }),
        url: (task) => taskView(task, tasksUrl).url,
      },
    });
  }));

  // The navbar indicator on its own: polled where no stream is live.
  router.get("/indicator", route(async (req, res) => {
    res.locals.powercrudTasks = { url: tasksUrl, running: await runningCount(global.pool, userKeyOf(req)) };
    render(req, res, "powercrud/partials/task-indicator.njk", {});
  }));

  router.get("/:id/download", route(async (req, res) => {
    await downloadExport(global.pool, await visibleTask(req), res, global.logError);
  }));

  router.get("/:id/failures.csv", route(async (req, res) => {
    const task = await visibleTask(req);
    await streamFailuresCsv(global.pool, task.id, res);
  }));

  router.get("/:id", route(async (req, res) => {
    const task = await visibleTask(req);
    const failuresPage = Math.max(1, Math.min(100_000, Number.parseInt(String(req.query.failures ?? "1"), 10) || 1));
    const failures = await store.failures(task.id, FAILURES_PAGE_SIZE + 1, (failuresPage - 1) * FAILURES_PAGE_SIZE);
    render(req, res, targets(req, `pc-task-detail-${task.id}`) ? "powercrud/partials/task-detail.njk" : "powercrud/tasks/detail.njk", {
      pageTitle: taskTitle(task),
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
      triggerClientEvent(res, "pc:task-finished", { id: task.id, message: outcomeSentence(task), kind: toastKind(task.status), href: view.url });
    }
    render(req, res, "powercrud/partials/task-progress.njk", { task: view, waiting: view.status === "PENDING" && (await store.waitingForWorker(task.id)) });
  }));

  router.post("/:id/cancel", route(async (req, res) => {
    const task = await visibleTask(req);
    const cancelled = await cancelTask(global.pool, task.id);
    const message = cancelled
      ? `${taskTitle(task)} is stopping: ${task.operation === "export" ? "no batch" : "no chunk"} starts after this.`
      : `${taskTitle(task)} had already ended.`;
    answer(req, res, task.id, message, cancelled ? "info" : "warning");
  }));

  const reverts: RevertRouteContext = { resources, tasksUrl, pool: global.pool, route, render, visibleTask, answer };
  revertRoutes(router, reverts);

  router.post("/:id/retry", route(async (req, res) => {
    const task = await visibleTask(req);
    if (task.status === "PENDING" || task.status === "RUNNING") throw new HttpError(409, `${taskTitle(task)} is still running; retry it when it has ended.`);
    if (task.operation === "export" || task.failed === 0) throw new HttpError(422, `${taskTitle(task)} has no failed records to retry.`);
    if (task.operation === "revert") return retryRevert(reverts, req, res, task);
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
      targets: { sql: `SELECT "recordId" AS id FROM powercrud.task_failure WHERE "taskId" = $1`, params: [task.id] },
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
      revert: await revertOffer({ resources, tasksUrl, pool: global.pool }, req, task),
      forced: task.data.force === true,
      // A revert's failures are mostly conflicts: its retry may overwrite them, for users who may force.
      retryForce: task.operation === "revert" && manage && task.failed > 0 && task.revertOfId !== null
        ? await retryMayForce({ resources }, req, task, await store.find(task.revertOfId))
        : false,
      filterWords: task.filterQuery ? describeFilter(task.filterQuery) : undefined,
      resourceName: resource?.plural ?? task.model,
      changes: task.data.changes.map((change) => ({ label: resource?.bulkFields.find((field) => field.name === change.field)?.label ?? humanize(change.field), value: valueWords(change.value), mode: change.mode ? MODE_WORDS[change.mode] : undefined })),
      // The records as the list shows them: the filter an "all matching" task was chosen by. Picked
      // rows have no filter that finds them again, so their link opens the failed records' CSV
      // instead when there are failures (the ids to look at), and the plain list otherwise.
      recordsUrl: task.filterQuery || task.selectionMode === "all" ? `${task.resourceUrl}/${task.filterQuery ? `?${task.filterQuery}` : ""}` : undefined,
      csvUrl: `${view.url}/failures.csv`,
      download: await exportDownloadView(global.pool, task, view.url),
      exportFormat: task.data.export?.format.toUpperCase(),
      exportColumns: task.data.export && resource ? exportColumns(resource, task.data.export.columns).map((column) => column.label) : undefined,
      eventsUrl: `${tasksUrl}/events?task=${task.id}`,
    };
  }

  return router;
}

/**
 * The "messages" channel: on a full page, the signed-in user's tasks that ended since their last
 * page become flash messages (each once). Resource pages and task pages both use it.
 */
export function announceEndedTasks(global: PowerCrudConfig, { leaveTo }: { leaveTo?: (req: Request) => boolean } = {}): RequestHandler {
  return (req, _res, next) => {
    if (!announces(req) || announced.has(req) || leaveTo?.(req)) return next();
    void announce(global, req).then(() => next());
  };
}

/**
 * The same for a route that reads the messages beside its own reads (the list page) rather than
 * before them; resolves once they are in the flash, and never rejects.
 */
export function announceEndedNow(global: PowerCrudConfig, req: Request): Promise<void> {
  return announces(req) && !announced.has(req) ? announce(global, req) : Promise.resolve();
}

/** Requests whose ended tasks were already announced (by taskIndicator, beside its count). */
const announced = new WeakSet<Request>();

function announces(req: Request): boolean {
  return req.method === "GET" && !isFragmentRequest(req) && Boolean(req.session);
}

/** Flash messages for the user's tasks that ended unannounced; a failure only delays them to a later page. */
async function announce(global: PowerCrudConfig, req: Request): Promise<void> {
  announced.add(req);
  const user = global.getUser(req);
  const userKey = user === undefined || user === null ? undefined : global.userKey(user);
  const messages = await takeTaskMessages(global.pool, userKey, global.tasks.url.replace(/\/$/, "")).catch(() => []);
  for (const message of messages) addFlash(req, message);
}

/** "q = harbour, status = DRAFT": the stored list filter, readably. */
function describeFilter(filterQuery: string): string {
  return [...new URLSearchParams(filterQuery)].map(([key, value]) => `${key === "q" ? "search" : key} = ${value}`).join(", ");
}

/** A stored value in words: ids of related records, Yes/No, "empty". */
function valueWords(value: unknown): string {
  if (value === null || value === undefined || value === "") return "empty";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) return value.length ? value.map((item) => `#${String(item)}`).join(", ") : "nothing";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * The navbar indicator's data on full pages: how many of the signed-in user's tasks are waiting or
 * running (one probe of the status index). `powercrud/partials/task-indicator.njk` shows it; a host
 * mounts this app-wide (`app.use(crud.taskIndicator())`) and includes the partial in its layout.
 */
export function taskIndicator(global: PowerCrudConfig): RequestHandler {
  const tasksUrl = global.tasks.url.replace(/\/$/, "");
  return (req, res, next) => {
    if (req.method !== "GET" || isFragmentRequest(req) || res.locals.powercrudTasks) return next();
    const user = global.getUser(req);
    if (user === undefined || user === null) return next();
    // The ended tasks' messages come in the same statement as the count; the resource's and the
    // status page's own announceEndedTasks then skip this request.
    const take = announces(req);
    if (take) announced.add(req);
    indicatorState(global.pool, global.userKey(user) ?? null, tasksUrl, take).then(
      ({ running, messages }) => {
        for (const message of messages) addFlash(req, message);
        res.locals.powercrudTasks = { url: tasksUrl, running };
        next();
      },
      next,
    );
  };
}

