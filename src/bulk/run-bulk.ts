import type { Request } from "express";
import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import { pageRows } from "../list/page-rows";
import { HttpError } from "../web/http-error";
import type { BulkPlan } from "./bulk-plan";
import { applyChunk, chunks } from "./execute-bulk";
import type { EnqueueRequest } from "../tasks/enqueue-task";
import type { JournalWriter } from "../history/journal-chunk";
import { endRecordedRun, startRecordedRun } from "../tasks/record-run";

export interface BulkOutcome {
  affected: number;
  /** The finished task the operation was recorded as, when history is on. */
  taskId?: number;
}

/** How a run in the request is recorded: as a finished task, journaled when it can be reverted. */
export interface BulkRecord {
  request: EnqueueRequest;
  journal?: JournalWriter;
}

/**
 * Runs a bulk plan in the request: every chunk in ONE transaction, so it all happens or none of it
 * does. When the resource has a veto hook or per-record permission hooks, the targeted rows are read
 * first and the whole operation is refused if any row is. With a record, the same transaction writes
 * the task row, its targets and each chunk's journal just before the chunk changes.
 */
export async function runBulkNow(pool: pg.Pool, resource: Resource, plan: BulkPlan, ids: string[], req: Request, record?: BulkRecord): Promise<BulkOutcome> {
  const { chunkSize } = resource.config.bulk;
  await checkRecords(pool, resource, ids, plan.kind === "delete" ? "delete" : "update", req);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const taskId = record ? await startRecordedRun(client, record.request, ids) : undefined;
    let affected = 0;
    for (const chunk of chunks(ids, chunkSize)) {
      if (taskId !== undefined) await record?.journal?.write(client, taskId, chunk);
      affected += (await applyChunk(client, plan, chunk)).affected;
    }
    if (taskId !== undefined) await endRecordedRun(client, taskId, ids.length, affected);
    await client.query("COMMIT");
    return { affected, ...(taskId !== undefined ? { taskId } : {}) };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if ((error as { code?: string }).code === "23505") {
      throw new HttpError(409, "That change would give two records the same value where values must be unique, so nothing was changed.", "Can't apply");
    }
    if ((error as { code?: string }).code === "23503") {
      throw new HttpError(409, "Other records still refer to some of these, so nothing was changed. Reassign or delete those first.", "Can't apply");
    }
    throw error;
  } finally {
    client.release();
  }
}

async function checkRecords(pool: pg.Pool, resource: Resource, ids: string[], operation: "update" | "delete", req: Request) {
  const veto = resource.config.bulk.veto;
  const recordHook = operation === "update" ? resource.permissions.updateRecord : resource.permissions.deleteRecord;
  if (!veto && !recordHook) return;
  const user = resource.global.getUser(req);
  const refusals: string[] = [];
  for (const chunk of chunks(ids, resource.config.bulk.chunkSize)) {
    for (const row of await pageRows(pool, resource, chunk, [])) {
      const allowed = recordHook ? await recordHook({ user, req, model: resource.model.name, record: row }) : true;
      const reason = allowed !== true ? (typeof allowed === "string" && allowed ? allowed : "you may not change it") : await veto?.(row, { operation, user });
      if (reason) refusals.push(`${String(row[resource.displayField] ?? row[resource.model.idField])}: ${reason}`);
      if (refusals.length >= 5) break;
    }
    if (refusals.length >= 5) break;
  }
  if (refusals.length) {
    throw new HttpError(422, `Nothing was changed, because some records may not be: ${refusals.join("; ")}${refusals.length >= 5 ? " (and maybe more)" : ""}.`, "Not allowed for some records");
  }
}
