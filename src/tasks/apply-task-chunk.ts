import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import type { BulkPlan } from "../bulk/bulk-plan";
import { applyChunk } from "../bulk/execute-bulk";
import { pageRows } from "../list/page-rows";
import { sqlState } from "../db/transaction";
import type { ChunkOutcome } from "./finish-chunk";

/**
 * Applies a task's plan to one chunk inside the caller's transaction, so that good rows land and each
 * bad one is recorded with its reason: rows the record permission hook or the veto refuse are left
 * out first; the rest change in one set-based statement; when that statement fails as a whole (a
 * unique or foreign-key violation), the chunk is retried row by row, each row in its own savepoint.
 */
export async function applyTaskChunk(client: pg.PoolClient, resource: Resource, plan: BulkPlan, ids: string[], user: unknown): Promise<ChunkOutcome> {
  const failures: ChunkOutcome["failures"] = [];
  const allowed = await refuseByHooks(resource, plan, ids, user, failures);
  let changed: string[];
  await client.query("SAVEPOINT pc_chunk");
  try {
    changed = (await applyChunk(client, plan, allowed, { returning: true })).ids!;
    await client.query("RELEASE SAVEPOINT pc_chunk");
  } catch (error) {
    if (!isRowProblem(error)) throw error;
    await client.query("ROLLBACK TO SAVEPOINT pc_chunk");
    changed = [];
    for (const id of allowed) {
      await client.query("SAVEPOINT pc_row");
      try {
        changed.push(...(await applyChunk(client, plan, [id], { returning: true })).ids!);
        await client.query("RELEASE SAVEPOINT pc_row");
      } catch (rowError) {
        if (!isRowProblem(rowError)) throw rowError;
        await client.query("ROLLBACK TO SAVEPOINT pc_row");
        failures.push({ id, reason: reasonOf(rowError, plan.kind) });
      }
    }
  }
  const done = new Set(changed);
  for (const id of allowed) {
    if (!done.has(id) && !failures.some((failure) => failure.id === id)) failures.push({ id, reason: "It no longer exists." });
  }
  return { succeeded: done.size, failures };
}

/** Runs the record permission hook and the veto on the chunk's rows; refused ids go to `failures`. */
async function refuseByHooks(resource: Resource, plan: BulkPlan, ids: string[], user: unknown, failures: ChunkOutcome["failures"]): Promise<string[]> {
  const operation = plan.kind === "delete" ? "delete" : "update";
  const recordHook = operation === "update" ? resource.permissions.updateRecord : resource.permissions.deleteRecord;
  const veto = resource.config.bulk.veto;
  if (!recordHook && !veto) return ids;
  const allowed: string[] = [];
  const rows = await pageRows(resource.global.pool, resource, ids, []);
  for (const row of rows) {
    const id = String(row[resource.model.idField]);
    const decision = recordHook ? await recordHook({ user, model: resource.model.name, record: row }) : true;
    const reason = decision !== true ? (typeof decision === "string" && decision ? decision : "You may not change it.") : await veto?.(row, { operation, user });
    if (reason) failures.push({ id, reason });
    else allowed.push(id);
  }
  // Rows missing from the read were deleted since the task was queued; applying finds them missing too.
  const read = new Set(rows.map((row) => String(row[resource.model.idField])));
  return [...allowed, ...ids.filter((id) => !read.has(id))];
}

/** Errors that belong to particular rows (constraints, values), as opposed to the database being unavailable. */
function isRowProblem(error: unknown): boolean {
  const state = sqlState(error) ?? "";
  return state.startsWith("23") || state.startsWith("22") || state === "54000";
}

function reasonOf(error: unknown, kind: BulkPlan["kind"]): string {
  const state = sqlState(error) ?? "";
  if (state === "23505") return "Another record already has this value where values must be unique.";
  if (state === "23503") return kind === "delete" ? "Other records still refer to it; reassign or delete those first." : "It would refer to a record that no longer exists.";
  if (state === "23502") return "A required value would be empty.";
  if (state === "23514") return "A check in the database refused the new value.";
  if (state.startsWith("22") || state === "54000") return "The new value does not fit this record.";
  return (error as Error).message.slice(0, 300);
}
