import type { Request } from "express";
import type pg from "pg";
import type { Action } from "../config/permissions-schema";
import type { Resource } from "../config/resolve-resource";
import { canDo } from "../web/permissions";
import type { EnqueueResult } from "./enqueue-task";
import type { JournalScope, RevertableTask, TaskRow } from "./interfaces";
import { queueTaskFor } from "./queue-for-user";

/** What a revert does to records, by what the reverted task did: the inverse. */
const INVERSE: Record<JournalScope["kind"], JournalScope["kind"]> = { fields: "fields", deleted: "restored", restored: "deleted" };

/**
 * Why a task cannot be reverted now, whoever asks: it is still running, it kept no journal, it
 * changed nothing, a revert of it is running, or it was reverted already (and that revert was not
 * reverted in turn). Undefined when it can be.
 */
export async function revertRefusal(pool: pg.Pool, task: TaskRow): Promise<string | undefined> {
  if (task.status === "PENDING" || task.status === "RUNNING") return `Bulk task #${task.id} is still running; revert it when it has ended.`;
  if (task.operation === "export") return `Export #${task.id} exported records and changed none, so there is nothing to revert.`;
  if (!task.data.journal) {
    return task.operation === "delete"
      ? `Bulk task #${task.id} deleted its records for good (the resource does not keep deleted rows: bulk.recoverableDelete), so it cannot be undone.`
      : `Bulk task #${task.id} kept no journal of what it changed (history is off for its resource), so it cannot be reverted.`;
  }
  const { rows } = await pool.query<{ journaled: boolean; running: number | null; reverted: number | null }>(
    `SELECT EXISTS (SELECT 1 FROM powercrud.journal WHERE "taskId" = $1) AS journaled,
       (SELECT min(r.id) FROM powercrud.task r WHERE r."revertOfId" = $1 AND r.status IN ('PENDING', 'RUNNING')) AS running,
       (SELECT min(r.id) FROM powercrud.task r WHERE r."revertOfId" = $1 AND r.status = 'SUCCESS'
          AND NOT EXISTS (SELECT 1 FROM powercrud.task rr WHERE rr."revertOfId" = r.id AND rr.status IN ('SUCCESS', 'PARTIAL'))) AS reverted`,
    [task.id],
  );
  const state = rows[0]!;
  if (!state.journaled) return `Bulk task #${task.id} changed no records, so there is nothing to revert.`;
  if (state.running !== null) return `Bulk task #${state.running} is reverting bulk task #${task.id} right now.`;
  if (state.reverted !== null) return `Bulk task #${task.id} was already reverted by bulk task #${state.reverted}. Revert that one to bring these changes back.`;
  return undefined;
}

/**
 * May this user revert the task (and overwrite records changed since, with `force`)? The resource's
 * own permissions first: bulk and update, create to put deleted records back, delete to remove
 * records a revert put back; then `tasks.canRevert`. Undefined when allowed, else the reason.
 */
export async function revertPermission(resource: Resource, req: Request, task: TaskRow, force: boolean): Promise<string | undefined> {
  const kind = task.data.journal?.kind;
  const actions: Action[] = ["bulk", "update", ...(kind === "deleted" ? ["create" as const] : kind === "restored" ? ["delete" as const] : [])];
  for (const action of actions) {
    const decision = await canDo(resource, action, req);
    if (!decision.allowed) return decision.reason;
  }
  const hook = resource.global.tasks.canRevert;
  if (!hook) return undefined;
  const result = await hook({ user: resource.global.getUser(req), req, task: revertable(task), force });
  if (result === true) return undefined;
  return typeof result === "string" && result ? result : force ? "You may not overwrite records changed since this task." : "You may not revert this task.";
}

export interface RevertRequest {
  /** Overwrite records changed since the task (they are conflicts otherwise). */
  force: boolean;
  /** A retry of a revert task: only the records it failed on. */
  retryOf?: TaskRow;
}

/**
 * Queues the revert of a task as a task of its own: its targets are the records the task's journal
 * holds (or a retried revert's failures), so it has the same progress, page, locks, notifications
 * and crash safety as any task. The caller has checked revertRefusal and revertPermission.
 */
export function queueRevert(resource: Resource, req: Request, task: TaskRow, request: RevertRequest): Promise<EnqueueResult> {
  const journal = task.data.journal!;
  const retry = request.retryOf;
  return queueTaskFor(resource, req, {
    operation: "revert",
    changes: [],
    journal: { ...journal, kind: INVERSE[journal.kind] },
    revertOfId: task.id,
    force: request.force,
    description: retry?.description ?? `Revert task #${task.id} (${task.description})`,
    resourceUrl: task.resourceUrl,
    targets: retry
      ? { sql: `SELECT "recordId" AS id FROM powercrud.task_failure WHERE "taskId" = $1`, params: [retry.id] }
      : { sql: `SELECT "recordId" AS id FROM powercrud.journal WHERE "taskId" = $1`, params: [task.id] },
    targetsKey: `revert:${task.id}:${retry ? `retry:${retry.id}` : "all"}:${request.force ? "force" : "safe"}`,
    filterQuery: task.filterQuery,
    selectionMode: task.selectionMode,
    ...(retry ? { retryOfId: retry.id } : {}),
  });
}

function revertable(task: TaskRow): RevertableTask {
  const { id, resourceKey, resourceUrl, model, operation, description, status, total, succeeded, userKey, userName, createdAt, finishedAt, revertOfId } = task;
  return { id, resourceKey, resourceUrl, model, operation, description, status, total, succeeded, userKey, userName, createdAt, finishedAt, revertOfId };
}
