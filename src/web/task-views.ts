import type { TaskOperation, TaskRow, TaskStatus } from "../tasks/interfaces";
import { countWords, taskTitle } from "../tasks/notifications";

const BADGES: Record<TaskStatus, { label: string }> = {
  PENDING: { label: "Waiting" },
  RUNNING: { label: "Running" },
  SUCCESS: { label: "Done" },
  PARTIAL: { label: "Done with failures" },
  FAILED: { label: "Failed" },
  CANCELLED: { label: "Cancelled" },
};

export interface TaskView {
  id: number;
  url: string;
  progressUrl: string;
  cancelUrl: string;
  retryUrl: string;
  /** The revert's confirmation page. */
  revertUrl: string;
  resourceUrl: string;
  operation: TaskOperation;
  /** Ended, with a journal of changed records: "Revert…" is offered (its page says when it cannot be). */
  revertable: boolean;
  description: string;
  status: TaskStatus;
  badge: { label: string };
  active: boolean;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  percent: number;
  /** Rows per second since the task started, once it has. */
  rate?: number;
  /** Seconds until done at the current rate, while running. */
  etaSeconds?: number;
  elapsedSeconds?: number;
  userName: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  error: string | null;
  cancelRequested: boolean;
  retryOfId: number | null;
  revertOfId: number | null;
  filterQuery: string;
  selectionMode: string;
  /** The last quarter passed (0, 25, 50, 75, 100): screen readers hear these, not every update. */
  milestone: number;
  /** "Bulk task #12", "Export #13". */
  title: string;
  /** What a screen reader hears at a milestone or at the end. */
  announcement: string;
}

/** The toast colour of a task's outcome. */
export function toastKind(status: TaskStatus): "success" | "info" | "warning" | "error" {
  return status === "SUCCESS" ? "success" : status === "CANCELLED" ? "info" : status === "PARTIAL" ? "warning" : "error";
}

/** What task templates show of a task: counts, percent, rate, ETA and links, computed once here. */
export function taskView(task: TaskRow, tasksUrl: string, now = new Date()): TaskView {
  const base = `${tasksUrl.replace(/\/$/, "")}/${task.id}`;
  const active = task.status === "PENDING" || task.status === "RUNNING";
  const end = task.finishedAt ?? now;
  const elapsedSeconds = task.startedAt ? Math.max(0, (end.getTime() - task.startedAt.getTime()) / 1000) : undefined;
  const percent = task.total > 0 ? Math.floor((task.processed / task.total) * 100) : 0;
  const milestone = active ? Math.floor(percent / 25) * 25 : 100;
  const rate = elapsedSeconds && elapsedSeconds > 0 && task.processed > 0 ? task.processed / elapsedSeconds : undefined;
  return {
    id: task.id,
    url: base,
    progressUrl: `${base}/progress`,
    cancelUrl: `${base}/cancel`,
    retryUrl: `${base}/retry`,
    revertUrl: `${base}/revert`,
    resourceUrl: task.resourceUrl,
    operation: task.operation,
    revertable: !active && task.data.journal !== undefined && task.succeeded > 0,
    description: task.description,
    status: task.status,
    badge: BADGES[task.status],
    active,
    total: task.total,
    processed: task.processed,
    succeeded: task.succeeded,
    failed: task.failed,
    percent,
    ...(rate !== undefined ? { rate } : {}),
    ...(active && rate ? { etaSeconds: (task.total - task.processed) / rate } : {}),
    ...(elapsedSeconds !== undefined ? { elapsedSeconds } : {}),
    userName: task.userName,
    createdAt: task.createdAt,
    finishedAt: task.finishedAt,
    error: task.error,
    cancelRequested: task.cancelRequested,
    retryOfId: task.retryOfId,
    revertOfId: task.revertOfId,
    filterQuery: task.filterQuery,
    selectionMode: task.selectionMode,
    milestone,
    title: taskTitle(task),
    announcement: active
      ? milestone > 0 ? `${taskTitle(task)}: ${milestone}% done.` : ""
      : `${taskTitle(task)} ${BADGES[task.status].label.toLowerCase()}: ${countWords(task)}.`,
  };
}
