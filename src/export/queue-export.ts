import type { Request } from "express";
import type { Resource } from "../config/resolve-resource";
import type { Selection, SelectionStore } from "../selection/selection-store";
import { filterQueryOf, queryObject } from "../selection/selection-target";
import { insertOrFind, queueing } from "../tasks/enqueue-task";
import { EXPORT_JOB } from "../tasks/interfaces";
import { taskOwner } from "../tasks/queue-for-user";
import { taskKeyOf } from "../tasks/task-key";
import { announce } from "../tasks/task-state";
import type { ExportSpec } from "./export-spec";

export type QueuedExport = { kind: "queued" | "duplicate"; taskId: number };

/** Attempts of an export's job: it starts over each time, so a few; an export that fails repeatedly has a real problem. */
const ATTEMPTS = 3;

/**
 * Queues a background export in one transaction: the task row (an identical export of the same user
 * already waiting or running is answered instead: a double click makes one file), a frozen copy of
 * the selection it exports (the session's later clicks do not change what it writes), and its
 * graphile-worker job. Nothing is counted or frozen into ids here: the worker reads the rows in one
 * snapshot when it starts, and an export holds no records, so edits go on meanwhile.
 */
export async function queueExport(resource: Resource, req: Request, spec: ExportSpec, selection: Selection | undefined, selections: SelectionStore): Promise<QueuedExport> {
  const { global } = resource;
  const { user, userKey, userName } = taskOwner(resource, req);
  const filterQuery = selection ? (selection.mode === "all" ? selection.filterQuery : "") : filterQueryOf(queryObject(spec.listQuery), resource);
  const targets = selection ? `selection:${await selections.fingerprint(selection)}` : `list:${filterQuery}`;
  const taskKey = taskKeyOf(
    { userKey, resource: resource.key, operation: "export", targets, values: { format: spec.format, listQuery: spec.listQuery, columns: spec.columns } },
    global.tasks.taskKey,
  );
  const noun = resource.plural.toLowerCase();
  return queueing(global.pool, async (client) => {
    const inserted = await insertOrFind(client, {
      taskKey,
      resourceKey: resource.key,
      resourceUrl: req.baseUrl,
      model: resource.model.name,
      operation: "export",
      changes: [],
      export: { ...spec },
      description: `Export ${selection ? `selected ${noun}` : noun} as ${spec.format.toUpperCase()}`,
      filterQuery,
      selectionMode: selection?.mode ?? "all",
      userKey,
      userName,
      user,
      notify: resource.background.notify,
      atomic: false,
      chunkSize: resource.export.batchSize,
    });
    if (inserted.kind === "duplicate") return inserted;
    const { taskId } = inserted;
    if (selection) {
      const copy = await selections.copy(client, selection, `export:${taskId}`);
      await client.query(`UPDATE powercrud.task SET data = jsonb_set(data, '{export,selectionToken}', to_jsonb($2::text)) WHERE id = $1`, [taskId, copy.token]);
    }
    await client.query(
      `SELECT graphile_worker.add_job($1, json_build_object('taskId', $2::int), job_key => 'powercrud:export:' || $2 || ':1', max_attempts => $3::int)`,
      [EXPORT_JOB, taskId, ATTEMPTS],
    );
    await announce(client, taskId);
    return { kind: "queued", taskId };
  });
}
