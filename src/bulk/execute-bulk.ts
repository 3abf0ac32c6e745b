import type pg from "pg";
import { ident } from "../db/sql";
import type { BulkPlan } from "./bulk-plan";

export interface ChunkResult {
  /** Rows changed or deleted in this chunk (rows deleted meanwhile are not counted). */
  affected: number;
}

/**
 * Applies a plan to one chunk of ids with set-based SQL: one UPDATE (or DELETE) for the whole chunk,
 * and one INSERT ... SELECT / DELETE per many-to-many change. Runs on the caller's client, inside the
 * caller's transaction, so the caller decides what commits together.
 */
export async function applyChunk(client: pg.PoolClient, plan: BulkPlan, ids: string[]): Promise<ChunkResult> {
  if (ids.length === 0) return { affected: 0 };
  const table = ident(plan.table);
  const id = ident(plan.idColumn);
  if (plan.kind === "delete") {
    const result = await client.query(`DELETE FROM ${table} WHERE ${id} = ANY($1::bigint[])`, [ids]);
    return { affected: result.rowCount ?? 0 };
  }
  for (const link of plan.links) {
    const join = ident(link.joinTable);
    const own = ident(link.ownColumn);
    const target = ident(link.targetColumn);
    if (link.mode === "remove" || link.mode === "replace") {
      const onlyThese = link.mode === "remove" ? ` AND ${target} = ANY($2::bigint[])` : "";
      await client.query(`DELETE FROM ${join} WHERE ${own} = ANY($1::bigint[])${onlyThese}`, link.mode === "remove" ? [ids, link.targetIds] : [ids]);
    }
    if ((link.mode === "add" || link.mode === "replace") && link.targetIds.length > 0) {
      await client.query(
        `INSERT INTO ${join} (${own}, ${target})
         SELECT o.${id}, g.id FROM ${table} o CROSS JOIN unnest($2::bigint[]) AS g(id)
         WHERE o.${id} = ANY($1::bigint[])
         ON CONFLICT DO NOTHING`,
        [ids, link.targetIds],
      );
    }
  }
  if (plan.assignments.length === 0) {
    // Only links changed and the model has no @updatedAt: count the rows the links were written for.
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${id} = ANY($1::bigint[])`, [ids]);
    return { affected: Number(rows[0]!.n) };
  }
  const result = await client.query(`UPDATE ${table} SET ${plan.assignments.join(", ")} WHERE ${id} = ANY($1::bigint[])`, [ids, ...plan.values]);
  return { affected: result.rowCount ?? 0 };
}

/** Splits ids into chunks of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}
