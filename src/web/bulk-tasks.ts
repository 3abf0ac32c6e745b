import type { Request, Response } from "express";
import type { BulkChange } from "../bulk/bulk-changes";
import { heldRecords } from "../tasks/held-records";
import type { EnqueueResult } from "../tasks/enqueue-task";
import { queueTaskFor, taskRequestFor, type UserTask } from "../tasks/queue-for-user";
import type { BulkRecord } from "../bulk/run-bulk";
import { journalFor } from "../history/journal-chunk";
import { storedChanges } from "../tasks/task-plan";
import { TaskStore } from "../tasks/task-store";
import type { Selection, SelectionStore } from "../selection/selection-store";
import { addFlash } from "./flash";
import { isFragmentRequest, triggerClientEvent } from "./htmx";
import { HttpError } from "./http-error";
import type { ResourceWeb } from "./resource-web";
import { userKeyOf } from "./list-page";
import { sessionIdOf } from "./selection-routes";
import { taskView } from "./task-views";

export interface QueueRequest {
  operation: "update" | "delete";
  changes: BulkChange[];
  /** The operation in words, e.g. "Set Bestseller to Yes". */
  description: string;
  selection: Selection;
  targets: { sql: string; params: unknown[] };
}

/** The bulk routes' side of background tasks: when to queue, queueing, held records, the answer. */
export function bulkTasks(web: ResourceWeb, store: SelectionStore) {
  const { resource } = web;
  const { global } = resource;
  const tasks = new TaskStore(global.pool);
  const userTask = async (req: Request, request: QueueRequest): Promise<UserTask> => ({
    operation: request.operation,
    changes: storedChanges(request.changes),
    journal: journalFor(resource, request.operation, request.changes)?.scope,
    description: request.description,
    resourceUrl: req.baseUrl,
    targets: request.targets,
    targetsKey: await store.fingerprint(request.selection),
    filterQuery: request.selection.mode === "all" ? request.selection.filterQuery : "",
    selectionMode: request.selection.mode,
    selectionToken: request.selection.token,
  });
  const taskUrl = (id: number) => `${global.tasks.url.replace(/\/$/, "")}/${id}`;

  return {
    /** Runs in the background: enabled and at least `minRecords` targets. */
    queues: (count: number) => resource.background.enabled && count >= resource.background.minRecords,

    /** What a bulk form says about how it will run; a count still unknown is a large one. */
    modeOf(count: number | null) {
      const background = resource.background.enabled && (count === null || count >= resource.background.minRecords);
      return { background: background ? { atomic: resource.background.atomic } : undefined, chunkSize: resource.config.bulk.chunkSize };
    },

    async queue(req: Request, request: QueueRequest): Promise<EnqueueResult> {
      return queueTaskFor(resource, req, await userTask(req, request));
    },

    /**
     * How an operation run in the request is recorded when history is on: as a finished task (it
     * then has a page and shows in records' history), with the journal that lets it be reverted.
     */
    async record(req: Request, request: QueueRequest): Promise<BulkRecord | undefined> {
      if (!resource.history.enabled) return undefined;
      const journal = journalFor(resource, request.operation, request.changes);
      return { journal, request: taskRequestFor(resource, req, await userTask(req, request)) };
    },

    /**
     * A bulk form posted again after its selection queued a task (a double click, a second tab, a
     * stale modal): the task it queued, so the answer is "already in progress", not "expired".
     */
    async queuedFrom(req: Request): Promise<EnqueueResult | undefined> {
      const token = (req.body as Record<string, unknown> | undefined)?.selection;
      const taskId = await tasks.queuedFromSelection(token, userKeyOf(resource, req));
      return taskId === undefined ? undefined : { kind: "duplicate", taskId };
    },

    /** The success message's pointer to the task an operation in the request was recorded as. */
    revertNote: (taskId: number | undefined) => (taskId === undefined ? "" : `. Revert bulk task #${taskId} to undo it`),

    /** A bulk change in the request must not touch records an active task holds: 409 naming the task. */
    async refuseHeld(ids: string[]): Promise<void> {
      const held = await heldRecords(global.pool, resource.model.name, ids);
      const taskId = held.values().next().value;
      if (taskId === undefined) return;
      throw new HttpError(409, `${held.size.toLocaleString("en")} of these ${resource.plural.toLowerCase()} are being changed by bulk task #${taskId}, so nothing was changed. Wait for it to finish, or cancel it, then try again.`, "Records are busy")
        .withLink(taskUrl(taskId), `Open bulk task #${taskId}`);
    },

    /** The modal follows the queued task's progress; without JavaScript the browser goes to the task page. */
    async respondQueued(req: Request, res: Response, result: EnqueueResult): Promise<void> {
      await store.clear(sessionIdOf(req), req.baseUrl);
      const task = (await tasks.find(result.taskId))!;
      const noun = task.total === 1 ? resource.singular.toLowerCase() : resource.plural.toLowerCase();
      const active = task.status === "PENDING" || task.status === "RUNNING";
      const heading = result.kind === "duplicate"
        ? active ? "This bulk operation is already in progress" : "This bulk operation was already done"
        : `Processing ${task.total.toLocaleString("en")} ${noun} in the background`;
      if (!isFragmentRequest(req)) {
        addFlash(req, { kind: "info", message: `${heading}.` });
        return void res.redirect(303, taskUrl(task.id));
      }
      triggerClientEvent(res, "pc:selection", { refresh: true });
      web.renderPartial(req, res, "powercrud/partials/task-started.njk", {
        heading,
        duplicate: result.kind === "duplicate",
        task: taskView(task, global.tasks.url),
        pageTitle: heading,
      });
    },
  };
}
