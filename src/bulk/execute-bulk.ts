import type pg from "pg";
import { ident } from "../db/sql";
import type { BulkPlan } from "./bulk-plan";

export interface ChunkResult {
  /** Rows changed or deleted in this chunk (rows deleted meanwhile are not counted). */
  affected: number;
  /** With `returning`: the ids of those rows, as text. */
  ids?: string[];
}

/**
 * Applies a plan to one chunk of ids with set-based SQL: one UPDATE (or DELETE) for the whole chunk,
 * and one INSERT ... SELECT / DELETE per many-to-many change. Runs on the caller's client, inside the
 * caller's transaction, so the caller decides what commits together. Ids travel as text and are
 * cast to the id column's type, so any single-column id works.
 */
export async function applyChunk(client: pg.PoolClient, plan: BulkPlan, ids: string[], options: { returning?: boolean } = {}): Promise<ChunkResult> {
  if (ids.length === 0) return { affected: 0, ...(options.returning ? { ids: [] } : {}) };
  const table = ident(plan.table);
  const id = ident(plan.idColumn);
  const idList = `$1::text[]::${plan.idType}[]`;
  const returning = options.returning ? ` RETURNING ${id}::text AS id` : "";
  const result = (rows: pg.QueryResult<{ id: string }>): ChunkResult => ({
    affected: rows.rowCount ?? 0,
    ...(options.returning ? { ids: rows.rows.map((row) => row.id) } : {}),
  });
  if (plan.kind === "delete") return result(await client.query(`DELETE FROM ${table} WHERE ${id} = ANY(${idList})${returning}`, [ids]));
  for (const link of plan.links) {
    const join = ident(link.joinTable);
    const own = ident(link.ownColumn);
    const target = ident(link.targetColumn);
    if (link.mode === "remove" || link.mode === "replace") {
      const onlyThese = link.mode === "remove" ? ` AND ${target} = ANY($2::text[]::${link.targetType}[])` : "";
      await client.query(`DELETE FROM ${join} WHERE ${own} = ANY(${idList})${onlyThese}`, link.mode === "remove" ? [ids, link.targetIds] : [ids]);
    }
    if ((link.mode === "add" || link.mode === "replace") && link.targetIds.length > 0) {
      await client.query(
        `INSERT INTO ${join} (${own}, ${target})
         SELECT o.${id}, g.id FROM ${table} o CROSS JOIN unnest($2::text[]::${link.targetType}[]) AS g(id)
         WHERE o.${id} = ANY(${idList})
         ON CONFLICT DO NOTHING`,
        [ids, link.targetIds],
      );
    }
  }
  if (plan.assignments.length === 0) {
    // Only links changed and the model has no @updatedAt: the rows the links were written for.
    return result(await client.query(`SELECT ${id}::text AS id FROM ${table} WHERE ${id} = ANY(${idList})`, [ids]));
  }
  return result(await client.query(`UPDATE ${table} SET ${plan.assignments.join(", ")} WHERE ${id} = ANY(${idList})${returning}`, [ids, ...plan.values]));
}

/** Splits ids into chunks of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}
