import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import type { BulkPlan } from "../bulk/bulk-plan";
import { applyChunk } from "../bulk/execute-bulk";
import { pageRows } from "../list/page-rows";
import { applyInSavepoints, rowProblem } from "./apply-in-savepoints";
import type { ChunkOutcome } from "./finish-chunk";

/** Journals ids just before they change, in the same transaction (see src/history/journal-chunk.ts). */
export type ChunkJournal = (client: pg.PoolClient, ids: string[]) => Promise<void>;

/**
 * Applies a task's plan to one chunk inside the caller's transaction, so that good rows land and each
 * bad one is recorded with its reason: rows the record permission hook or the veto refuse are left
 * out first; the rest are journaled and changed in one set-based statement each, falling back to
 * row by row when that fails as a whole (see applyInSavepoints).
 */
export async function applyTaskChunk(client: pg.PoolClient, resource: Resource, plan: BulkPlan, ids: string[], user: unknown, journal?: ChunkJournal): Promise<ChunkOutcome> {
  const failures: ChunkOutcome["failures"] = [];
  const allowed = await refuseByHooks(resource, plan.kind === "delete" ? "delete" : "update", ids, user, failures);
  const applied = await applyInSavepoints(
    client,
    allowed,
    async (some) => {
      await journal?.(client, some);
      return (await applyChunk(client, plan, some, { returning: true })).ids!;
    },
    (error) => rowProblem(error, plan.kind === "delete"),
  );
  failures.push(...applied.failures);
  const done = new Set(applied.changed);
  for (const id of allowed) {
    if (!done.has(id) && !failures.some((failure) => failure.id === id)) failures.push({ id, reason: "It no longer exists." });
  }
  return { succeeded: done.size, failures };
}

/** Runs the record permission hook and the veto on the chunk's rows; refused ids go to `failures`. */
export async function refuseByHooks(resource: Resource, operation: "update" | "delete", ids: string[], user: unknown, failures: ChunkOutcome["failures"]): Promise<string[]> {
  const recordHook = operation === "update" ? resource.permissions.updateRecord : resource.permissions.deleteRecord;
  const veto = resource.config.bulk.veto;
  if ((!recordHook && !veto) || ids.length === 0) return ids;
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
