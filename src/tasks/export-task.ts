import type { Task } from "graphile-worker";
import type { Resource } from "../config/resolve-resource";
import { completeExportFile, dropExportFile, exportFileOf, ExportFileWriter, startExportFile } from "../export/export-files";
import type { SelectionSql } from "../export/export-query";
import { CONTENT_TYPES, exportFileName } from "../export/export-spec";
import { runExport } from "../export/run-export";
import { SelectionStore } from "../selection/selection-store";
import { selectionTarget } from "../selection/selection-target";
import { startHeartbeat } from "./heartbeat";
import type { StoredExport, TaskRow } from "./interfaces";
import type { TaskRunnerContext } from "./run-task";
import { announce, failTask, finishTask, startTask } from "./task-state";

/** The status page hears of an export's progress at most this often. */
const PROGRESS_EVERY_MS = 500;

class ExportCancelled extends Error {}

/**
 * The graphile-worker task that runs a background export. Its steps: mark the task RUNNING; beat
 * while working; count the rows and write them, batch after batch from one cursor, into the file's
 * chunks in PowerCRUD's tables (so any web process can serve it); report progress and stop between
 * batches when a cancel was asked for; make the file downloadable and end the task; notify. An
 * attempt that dies is started over by the next one; a file an earlier attempt completed is kept.
 */
export function exportTaskHandler(context: TaskRunnerContext): Task {
  const { pool } = context;
  const selections = new SelectionStore(pool);
  return async (payload, helpers) => {
    const taskId = Number((payload as { taskId?: unknown })?.taskId);
    if (!Number.isSafeInteger(taskId)) return;
    const heartbeat = startHeartbeat(pool, String(helpers.job.id), helpers.job.locked_by ?? `job-${helpers.job.id}`, taskId, context.config.heartbeatMs, context.log);
    try {
      const task = await startTask(pool, taskId);
      if (!task || task.status !== "RUNNING") return;
      const resource = context.resources.get(task.resourceKey);
      const spec = task.data.export;
      if (!resource || !spec) {
        await ended(context, await failTask(pool, taskId, `This worker has no resource "${task.resourceKey}" to export: mount the same resources in the worker process as in the web app.`));
        return;
      }
      // The attempt before this one completed the file and died before ending the task.
      if (!(await exportFileOf(pool, taskId))) {
        const selection = await frozenSelection(selections, resource, spec);
        if (selection === "gone") {
          await ended(context, await failTask(pool, taskId, "The selection this export was queued with is gone (kept for 7 days). Export again from the list."));
          return;
        }
        await writeFile(context, resource, task, spec, selection);
      }
      if (spec.selectionToken) await selections.remove(spec.selectionToken);
      await ended(context, await finishTask(pool, taskId));
    } catch (error) {
      if (helpers.job.attempts >= helpers.job.max_attempts) await ended(context, await failTask(pool, taskId, (error as Error).message));
      throw error;
    } finally {
      await heartbeat.stop();
    }
  };
}

/** The SQL of the selection copy the export was queued with, none for a list export, or "gone". */
async function frozenSelection(selections: SelectionStore, resource: Resource, spec: StoredExport): Promise<SelectionSql | undefined | "gone"> {
  if (spec.scope !== "selection") return undefined;
  const selection = spec.selectionToken ? await selections.copied(spec.selectionToken) : undefined;
  return selection ? selections.resolveSql(selection, selectionTarget(resource)) : "gone";
}

/** Writes the export into a new file of the task; a cancel stops it between batches and drops the file. */
async function writeFile(context: TaskRunnerContext, resource: Resource, task: TaskRow, spec: StoredExport, selection: SelectionSql | undefined): Promise<void> {
  const { pool } = context;
  const fileId = await startExportFile(pool, task.id, exportFileName(resource, spec.format, task.createdAt), CONTENT_TYPES[spec.format]);
  const file = new ExportFileWriter(pool, fileId);
  let reported = 0;
  try {
    const { rows } = await runExport(resource, spec, selection, {
      output: () => file,
      onTotal: async (total) => {
        await pool.query(`UPDATE powercrud.task SET total = $2, processed = 0, succeeded = 0 WHERE id = $1`, [task.id, total]);
        await announce(pool, task.id);
      },
      onProgress: async (written) => {
        if (Date.now() - reported < PROGRESS_EVERY_MS) return;
        reported = Date.now();
        const { rows: [state] } = await pool.query<{ cancelled: boolean }>(
          `UPDATE powercrud.task SET processed = $2, succeeded = $2 WHERE id = $1 RETURNING "cancelRequested" AS cancelled`,
          [task.id, written],
        );
        await announce(pool, task.id);
        if (state?.cancelled) throw new ExportCancelled();
      },
    });
    await completeExportFile(pool, task.id, fileId, { rows, size: file.size }, resource.export.expiresAfterHours);
  } catch (error) {
    await file.abort();
    await dropExportFile(pool, fileId);
    if (!(error instanceof ExportCancelled)) throw error;
  }
}

async function ended(context: TaskRunnerContext, task: TaskRow | undefined): Promise<void> {
  if (task) await context.notifier.finished(task);
}
