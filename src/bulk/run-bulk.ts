import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import { pageRows } from "../list/page-rows";
import { HttpError } from "../web/http-error";
import type { BulkPlan } from "./bulk-plan";
import { applyChunk, chunks } from "./execute-bulk";

export interface BulkOutcome {
  affected: number;
}

/**
 * Runs a bulk plan in the request: every chunk in ONE transaction, so it all happens or none of it
 * does. A veto hook, when configured, reads the targeted rows first and refuses the whole operation
 * if it refuses any row.
 */
export async function runBulkNow(pool: pg.Pool, resource: Resource, plan: BulkPlan, ids: string[], user: unknown): Promise<BulkOutcome> {
  const { chunkSize, veto } = resource.config.bulk;
  if (veto) await checkVetoes(pool, resource, ids, plan.kind === "delete" ? "delete" : "update", user);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    let affected = 0;
    for (const chunk of chunks(ids, chunkSize)) affected += (await applyChunk(client, plan, chunk)).affected;
    await client.query("COMMIT");
    return { affected };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if ((error as { code?: string }).code === "23503") {
      throw new HttpError(409, "Other records still refer to some of these, so nothing was changed. Reassign or delete those first.", "Can't apply");
    }
    throw error;
  } finally {
    client.release();
  }
}

async function checkVetoes(pool: pg.Pool, resource: Resource, ids: string[], operation: "update" | "delete", user: unknown) {
  const refusals: string[] = [];
  for (const chunk of chunks(ids, resource.config.bulk.chunkSize)) {
    for (const row of await pageRows(pool, resource, chunk, [])) {
      const reason = await resource.config.bulk.veto!(row, { operation, user });
      if (reason) refusals.push(`${String(row[resource.displayField] ?? row[resource.model.idField])}: ${reason}`);
      if (refusals.length >= 5) break;
    }
    if (refusals.length >= 5) break;
  }
  if (refusals.length) {
    throw new HttpError(422, `Nothing was changed, because some records may not be: ${refusals.join("; ")}${refusals.length >= 5 ? " (and maybe more)" : ""}.`, "Not allowed for some records");
  }
}
