import type { Resource } from "../config/resolve-resource";
import type { TaskOperation } from "../tasks/interfaces";
import { describeChanges, textSnapshotSql, type FieldChange, type TextSnapshot } from "./snapshot-words";

/** Where a page of history starts: older than these ids of each source (none: the newest). */
export interface HistoryCursor {
  task?: number;
  change?: number;
}

/** One change of a record, as the History panel lists it. */
export interface HistoryEntry {
  key: string;
  at: Date;
  who: string | null;
  /** "Edited", "Bulk edit", "Revert of bulk task #12", ... */
  title: string;
  /** The task's description (bulk changes). */
  detail?: string;
  /** The task's page (bulk changes). */
  url?: string;
  linkText?: string;
  changes: FieldChange[];
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** The next (older) page, when there is one. */
  older?: HistoryCursor;
}

interface TaskChange {
  taskId: number;
  operation: TaskOperation;
  description: string;
  revertOfId: number | null;
  userName: string | null;
  at: Date;
  before: TextSnapshot | null;
  after: TextSnapshot | null;
}

interface RecordChange {
  id: number;
  action: "create" | "update" | "delete";
  userName: string | null;
  at: Date;
  before: TextSnapshot | null;
  after: TextSnapshot | null;
}

/**
 * A record's history, newest first: the bulk tasks whose journal holds it and the single-record
 * changes made through the forms, merged by time and paged by keyset, each source by its own id. A
 * record's tasks are found through task_target's (recordId, taskId) key, walked backwards and joined
 * to the task and journal rows by their keys, so a page costs the same for a record touched by one
 * task or by thousands.
 */
export async function recordHistory(resource: Resource, recordId: string, cursor: HistoryCursor, limit: number, tasksUrl: string): Promise<HistoryPage> {
  const { pool } = resource.global;
  const model = resource.model.name;
  const [tasks, changes] = await Promise.all([
    pool.query<TaskChange>(
      `SELECT t.id AS "taskId", t.operation, t.description, t."revertOfId", t."userName", COALESCE(t."startedAt", t."createdAt") AS at,
              ${textSnapshotSql("j.before")} AS before, ${textSnapshotSql("j.after")} AS after
       FROM powercrud.task_target x
       JOIN powercrud.task t ON t.id = x."taskId" AND t.model = $2
       JOIN powercrud.journal j ON j."taskId" = x."taskId" AND j."recordId" = x."recordId"
       WHERE x."recordId" = $1 AND x."taskId" < $3
       ORDER BY x."taskId" DESC LIMIT $4`,
      [recordId, model, cursor.task ?? 2_147_483_647, limit + 1],
    ),
    pool.query<RecordChange>(
      `SELECT id::int AS id, action, "userName", at, ${textSnapshotSql("before")} AS before, ${textSnapshotSql("after")} AS after
       FROM powercrud.record_change WHERE model = $2 AND "recordId" = $1 AND id < $3 ORDER BY id DESC LIMIT $4`,
      [recordId, model, cursor.change ?? Number.MAX_SAFE_INTEGER, limit + 1],
    ),
  ]);
  const merged: Array<{ at: Date; task?: TaskChange; change?: RecordChange }> = [
    ...tasks.rows.map((row) => ({ at: row.at, task: row })),
    ...changes.rows.map((row) => ({ at: row.at, change: row })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
  const page = merged.slice(0, limit);
  const lastTask = page.filter((item) => item.task).at(-1)?.task?.taskId ?? cursor.task;
  const lastChange = page.filter((item) => item.change).at(-1)?.change?.id ?? cursor.change;
  // Only field-by-field changes are spelled out; a whole record deleted or put back is said in words.
  const described = await describeChanges(resource, page.map((item) => {
    const row = item.task ?? item.change!;
    return row.before && row.after ? row : { before: null, after: item.change?.action === "create" ? row.after : null };
  }));
  const base = tasksUrl.replace(/\/$/, "");
  return {
    entries: page.map((item, index) => {
      const changesOf = described[index]!;
      if (item.task) {
        const task = item.task;
        return {
          key: `task-${task.taskId}`,
          at: task.at,
          who: task.userName,
          title: taskTitle(task),
          detail: task.description,
          url: `${base}/${task.taskId}`,
          linkText: `Bulk task #${task.taskId}`,
          changes: changesOf,
        };
      }
      const change = item.change!;
      return { key: `change-${change.id}`, at: change.at, who: change.userName, title: CHANGE_TITLES[change.action], changes: changesOf };
    }),
    ...(merged.length > limit ? { older: { ...(lastTask !== undefined ? { task: lastTask } : {}), ...(lastChange !== undefined ? { change: lastChange } : {}) } } : {}),
  };
}

const CHANGE_TITLES = { create: "Created", update: "Edited", delete: "Deleted" } as const;

function taskTitle(task: TaskChange): string {
  const what = !task.after ? "deleted" : !task.before ? "put back" : "changed";
  if (task.operation === "revert") return `${what === "changed" ? "Reverted" : what === "deleted" ? "Deleted again" : "Put back"} by a revert${task.revertOfId ? ` of bulk task #${task.revertOfId}` : ""}`;
  return task.operation === "delete" ? "Deleted in bulk" : "Bulk edit";
}
