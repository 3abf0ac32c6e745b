import type { Request, Response, Router } from "express";
import type { Resource } from "../config/resolve-resource";
import { labelOf } from "../history/snapshot-words";
import type { TaskRow } from "../tasks/interfaces";
import { queueRevert, revertPermission, revertRefusal } from "../tasks/queue-revert";
import { formFlag } from "./form-flag";
import { HttpError } from "./http-error";
import { taskView } from "./task-views";

/** What the status page's router lends the revert routes. */
export interface RevertRouteContext {
  resources: Map<string, Resource>;
  tasksUrl: string;
  pool: import("pg").Pool;
  route(handler: (req: Request, res: Response) => Promise<void>): (req: Request, res: Response, next: (error?: unknown) => void) => void;
  render(req: Request, res: Response, template: string, context: Record<string, unknown>): void;
  /** The task (the route's :id, or this id), if this user may see it; 404 or 403 otherwise. */
  visibleTask(req: Request, raw?: string): Promise<TaskRow>;
  /** To the task's page with a flash message. */
  answer(req: Request, res: Response, taskId: number, message: string, kind: "success" | "info" | "warning"): void;
}

/** What a task page offers about reverting: the link, or why not (for everyone, or for this user). */
export interface RevertOffer {
  url: string;
  /** Why the task cannot be reverted by anyone now (running, no journal, reverted already). */
  refusal?: string;
  /** Why this user may not revert it. */
  denied?: string;
  /** This user may overwrite records changed since. */
  canForce: boolean;
}

/** The revert offer of a task's page; undefined for tasks that never can be reverted (active, or nothing journaled). */
export async function revertOffer(context: Pick<RevertRouteContext, "resources" | "tasksUrl" | "pool">, req: Request, task: TaskRow): Promise<RevertOffer | undefined> {
  const view = taskView(task, context.tasksUrl);
  if (!view.revertable) return undefined;
  const resource = context.resources.get(task.resourceKey);
  const refusal = resource ? await revertRefusal(context.pool, task) : `The ${task.model} records of bulk task #${task.id} are no longer managed here, so it cannot be reverted.`;
  const denied = resource && !refusal ? await revertPermission(resource, req, task, false) : undefined;
  const canForce = Boolean(resource && !refusal && !denied && !(await revertPermission(resource, req, task, true)));
  return { url: view.revertUrl, ...(refusal ? { refusal } : {}), ...(denied ? { denied } : {}), canForce };
}

/**
 * GET /:id/revert: what a revert will do, with the choice to overwrite records changed since; POST
 * queues it as a task of its own (checked again: the state of the task and the user's permission).
 * Also the retry of a revert task's failures (conflicts), which may be forced the same way.
 */
export function revertRoutes(router: Router, context: RevertRouteContext) {
  const { route, render, visibleTask } = context;

  router.get("/:id/revert", route(async (req, res) => {
    const task = await visibleTask(req);
    const offer = await revertOffer(context, req, task);
    if (offer?.denied) throw new HttpError(403, offer.denied);
    const resource = context.resources.get(task.resourceKey);
    const journal = task.data.journal;
    render(req, res, "powercrud/tasks/revert.njk", {
      pageTitle: `Revert bulk task #${task.id}`,
      task: taskView(task, context.tasksUrl),
      offer,
      refusal: offer ? offer.refusal : await revertRefusal(context.pool, task),
      resourceName: (resource?.plural ?? task.model).toLowerCase(),
      kind: journal?.kind,
      fields: journal ? fieldLabels(resource, journal.columns, journal.links) : [],
    });
  }));

  router.post("/:id/revert", route(async (req, res) => {
    const task = await visibleTask(req);
    const force = forceOf(req);
    const resource = requireResource(context, task);
    const refusal = await revertRefusal(context.pool, task);
    if (refusal) throw new HttpError(409, refusal, "Cannot revert");
    const denied = await revertPermission(resource, req, task, force);
    if (denied) throw new HttpError(403, denied);
    const result = await queueRevert(resource, req, task, { force });
    const message = result.kind === "duplicate"
      ? `Bulk task #${result.taskId} is already reverting bulk task #${task.id}.`
      : `Reverting bulk task #${task.id} as bulk task #${result.taskId}${force ? ", overwriting records changed since" : ""}.`;
    context.answer(req, res, result.taskId, message, "success");
  }));
}

/**
 * The retry of a revert task's failures: the same revert, on those records only, forced when asked
 * (and allowed); the caller has checked that the task ended with failures.
 */
export async function retryRevert(context: RevertRouteContext, req: Request, res: Response, revert: TaskRow): Promise<void> {
  const force = forceOf(req);
  const resource = requireResource(context, revert);
  if (revert.revertOfId === null) throw new HttpError(409, `The task that bulk task #${revert.id} reverts was removed (past its retention), so it cannot be retried.`);
  const source = await context.visibleTask(req, String(revert.revertOfId));
  const denied = await revertPermission(resource, req, source, force);
  if (denied) throw new HttpError(403, denied);
  const result = await queueRevert(resource, req, source, { force, retryOf: revert });
  const message = result.kind === "duplicate"
    ? `Bulk task #${result.taskId} already retries these records.`
    : `Retrying ${revert.failed.toLocaleString("en")} records not reverted as bulk task #${result.taskId}${force ? ", overwriting changes made since" : ""}.`;
  context.answer(req, res, result.taskId, message, "success");
}

/** Whether the retry of a revert task's failures may overwrite records changed since (the retry form's checkbox). */
export async function retryMayForce(context: Pick<RevertRouteContext, "resources">, req: Request, revert: TaskRow, source: TaskRow | undefined): Promise<boolean> {
  const resource = context.resources.get(revert.resourceKey);
  return Boolean(resource && source && !(await revertPermission(resource, req, source, true)));
}

function forceOf(req: Request): boolean {
  return formFlag(req.body, "force", { on: "yes", meaning: "overwrite records changed since" }, 422);
}

function requireResource(context: Pick<RevertRouteContext, "resources">, task: TaskRow): Resource {
  const resource = context.resources.get(task.resourceKey);
  if (!resource) throw new HttpError(409, `The ${task.model} records of bulk task #${task.id} are no longer managed here, so it cannot be reverted.`);
  return resource;
}

/** The labels of the fields a revert puts back, as the resource names them. */
function fieldLabels(resource: Resource | undefined, columns: string[] | "all", links: string[]): string[] {
  if (!resource || columns === "all") return [];
  const wanted = new Set([...columns, ...links]);
  return resource.model.fields.filter((field) => wanted.has(field.kind === "object" ? field.name : field.dbName)).map((field) => labelOf(resource, field));
}
