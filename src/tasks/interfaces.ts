import type { ExportSpec } from "../export/export-spec";

/** The public shapes of background tasks: what hosts receive in callbacks and what pages show. */
export type TaskStatus = "PENDING" | "RUNNING" | "SUCCESS" | "PARTIAL" | "FAILED" | "CANCELLED";

/** One field a bulk update sets, as stored with the task (values as JSON: dates as ISO text). */
export interface StoredChange {
  field: string;
  value: unknown;
  mode?: "add" | "remove" | "replace";
}

/**
 * What a task's journal keeps of each record it changed, so the change can be reverted (src/history/):
 * the changed columns and link sets before and after ("fields"), or whole rows it deleted or put back.
 */
export interface JournalScope {
  kind: "fields" | "deleted" | "restored";
  /** Database columns in each snapshot; "all" for whole rows. */
  columns: string[] | "all";
  /** Many-to-many relation fields whose link sets each snapshot holds. */
  links: string[];
}

export interface TaskData {
  changes: StoredChange[];
  /** Present when the task journals its changes (history on): it can then be reverted. */
  journal?: JournalScope;
  /** A revert that overwrites records changed since the task it reverts. */
  force?: boolean;
  /** What an export writes. */
  export?: StoredExport;
}

/** A bulk edit or delete, a revert, or an export (which changes nothing and holds no records). */
export type TaskOperation = "update" | "delete" | "revert" | "export";

/** A background export as its task stores it: what to write, and the frozen copy of the selection it exports. */
export type StoredExport = ExportSpec & { selectionToken?: string };

export interface TaskRow {
  id: number;
  taskKey: string;
  resourceKey: string;
  resourceUrl: string;
  model: string;
  operation: TaskOperation;
  data: TaskData;
  description: string;
  filterQuery: string;
  selectionMode: string;
  userKey: string | null;
  userName: string | null;
  userSnapshot: unknown;
  notify: string[];
  atomic: boolean;
  chunkSize: number;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  status: TaskStatus;
  cancelRequested: boolean;
  retryOfId: number | null;
  /** For a revert: the task it reverts. */
  revertOfId: number | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  heartbeatAt: Date | null;
  finishedAt: Date | null;
}

/** What `tasks.onFinished` receives. */
export type FinishedTask = Pick<
  TaskRow,
  "id" | "resourceUrl" | "model" | "operation" | "description" | "status" | "total" | "processed" | "succeeded" | "failed" | "error" | "userKey" | "userName" | "createdAt" | "startedAt" | "finishedAt"
> & { user: unknown; url: string };

/** What `tasks.canRevert` receives of the task to revert. */
export type RevertableTask = Pick<TaskRow, "id" | "resourceKey" | "resourceUrl" | "model" | "operation" | "description" | "status" | "total" | "succeeded" | "userKey" | "userName" | "createdAt" | "finishedAt" | "revertOfId">;

/** The graphile-worker task identifier of bulk tasks, and the channel their progress is announced on. */
export const BULK_JOB = "powercrud:bulk";
/** The graphile-worker task identifier of background exports. */
export const EXPORT_JOB = "powercrud:export";
export const TASK_CHANNEL = "powercrud_tasks";

export const TASK_COLUMNS = `id, "taskKey", "resourceKey", "resourceUrl", model, operation, data, description, "filterQuery", "selectionMode",
  "userKey", "userName", "userSnapshot", notify, atomic, "chunkSize", total, processed, succeeded, failed, status::text AS status,
  "cancelRequested", "retryOfId", "revertOfId", error, "createdAt", "startedAt", "heartbeatAt", "finishedAt"`;
