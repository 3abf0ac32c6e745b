import type { Resource } from "../config/resolve-resource";
import type { BulkChange } from "../bulk/bulk-changes";
import { deletePlan, updatePlan, type BulkPlan } from "../bulk/bulk-plan";
import type { StoredChange, TaskRow } from "./interfaces";

/** A bulk edit's validated changes as a task stores them (JSON: dates as ISO text). */
export function storedChanges(changes: BulkChange[]): StoredChange[] {
  return changes.map(({ field, value, mode }) => ({ field: field.name, value: jsonValue(value), ...(mode ? { mode } : {}) }));
}

/** Dates as ISO text and bigints (BigInt ids) as decimal text: JSON holds neither. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  return Array.isArray(value) ? value.map(jsonValue) : value;
}

/**
 * A task's changes rebuilt from the stored ones and the resource's bulk fields, so a worker changes
 * rows exactly as the request path would. A field no longer offered for bulk edit is an error, never
 * silently skipped.
 */
export function taskChanges(resource: Resource, task: Pick<TaskRow, "data">): BulkChange[] {
  return task.data.changes.map((stored) => {
    const field = resource.bulkFields.find((candidate) => candidate.name === stored.field);
    if (!field) throw new Error(`The field "${stored.field}" is not a bulk field of ${resource.plural} any more.`);
    return { field, value: stored.value, ...(stored.mode ? { mode: stored.mode } : {}) };
  });
}

/** The plan a worker runs for an update or delete task. */
export function taskPlan(resource: Resource, task: Pick<TaskRow, "operation" | "data">): BulkPlan {
  if (task.operation === "delete") return deletePlan(resource.model);
  return updatePlan(resource.global.dataModel, resource.model, taskChanges(resource, task));
}
