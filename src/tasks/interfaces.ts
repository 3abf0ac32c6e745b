import type { ExportSpec } from "../export/export-spec";

/** The public shapes of background tasks: what hosts receive in callbacks and what pages show. */
export type TaskStatus = "PENDING" | "RUNNING" | "SUCCESS" | "PARTIAL" | "FAILED" | "CANCELLED";

/** One field a bulk update sets, as stored with the task (values as JSON: dates as ISO text). */
export interface StoredChange {
  field: string;
  value: unknown;
  mode?: "add" | "remove" | "replace";
}

/** What a task does: a bulk edit or delete, or an export (which changes nothing and holds no records). */
export type TaskOperation = "update" | "delete" | "export";

/** A background export as its task stores it: what to write, and the frozen copy of the selection it exports. */
export type StoredExport = ExportSpec & { selectionToken?: string };

export interface TaskRow {
  id: number;
  taskKey: string;
  resourceKey: string;
  resourceUrl: string;
  model: string;
  operation: TaskOperation;
  /** `changes` of a bulk update (empty otherwise); `export` of an export. */
  data: { changes: StoredChange[]; export?: StoredExport };
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

/** The graphile-worker task identifier of bulk tasks, and the channel their progress is announced on. */
export const BULK_JOB = "powercrud:bulk";
/** The graphile-worker task identifier of background exports. */
export const EXPORT_JOB = "powercrud:export";
export const TASK_CHANNEL = "powercrud_tasks";

export const TASK_COLUMNS = `id, "taskKey", "resourceKey", "resourceUrl", model, operation, data, description, "filterQuery", "selectionMode",
  "userKey", "userName", "userSnapshot", notify, atomic, "chunkSize", total, processed, succeeded, failed, status::text AS status,
  "cancelRequested", "retryOfId", error, "createdAt", "startedAt", "heartbeatAt", "finishedAt"`;
