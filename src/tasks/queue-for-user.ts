import type { Request } from "express";
import type { Resource } from "../config/resolve-resource";
import { enqueueTask, HeldByTask, type EnqueueRequest, type EnqueueResult } from "./enqueue-task";
import { taskKeyOf } from "./task-key";

/** What a route knows of a task; the owner, key and the resource's settings are added here. */
export type UserTask = Omit<
  EnqueueRequest,
  "taskKey" | "resourceKey" | "model" | "userKey" | "userName" | "user" | "notify" | "atomic" | "chunkSize" | "parallelism"
> & {
  /** Stands for the target set in the task key: the selection's fingerprint, or the task retried. */
  targetsKey: string;
};

/**
 * Queues a task for the signed-in user on a resource, with the resource's background settings and
 * the key that makes identical submissions one task. New bulk operations and retries both use it.
 */
export function queueTaskFor(resource: Resource, req: Request, task: UserTask): Promise<EnqueueResult> {
  const { global } = resource;
  return enqueueTask(global.pool, taskRequestFor(resource, req, task)).catch((error: unknown) => {
    // The task that holds the records has a page: the refusal links to it.
    if (error instanceof HeldByTask) error.withLink(`${global.tasks.url.replace(/\/$/, "")}/${error.taskId}`, `Open bulk task #${error.taskId}`);
    throw error;
  });
}

/** A task of the signed-in user on a resource, as the task row records it (queued, or run in the request). */
export function taskRequestFor(resource: Resource, req: Request, task: UserTask): EnqueueRequest {
  const { global } = resource;
  const { user, userKey, userName } = taskOwner(resource, req);
  const parts = { userKey, resource: resource.key, operation: task.operation, targets: task.targetsKey, values: task.changes };
  return {
    ...task,
    taskKey: taskKeyOf(parts, global.tasks.taskKey),
    resourceKey: resource.key,
    model: resource.model.name,
    userKey,
    userName,
    user,
    notify: resource.background.notify,
    atomic: resource.background.atomic,
    chunkSize: resource.config.bulk.chunkSize,
    parallelism: resource.background.parallelism,
  };
}

/** Who queues a task: the signed-in user, their key (tasks are theirs by it) and the name pages show. */
export function taskOwner(resource: Resource, req: Request): { user: unknown; userKey: string | undefined; userName: string | undefined } {
  const user = resource.global.getUser(req);
  const userKey = user === undefined || user === null ? undefined : resource.global.userKey(user);
  return { user, userKey, userName: nameOf(user) ?? userKey };
}

export function nameOf(user: unknown): string | undefined {
  const candidate = (user as { name?: unknown; email?: unknown } | null | undefined) ?? {};
  const name = candidate.name ?? candidate.email;
  return typeof name === "string" && name ? name : undefined;
}
