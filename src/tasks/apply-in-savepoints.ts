import type pg from "pg";
import { sqlState } from "../db/transaction";
import type { ChunkOutcome } from "./finish-chunk";

/**
 * Applies a set-based change to ids inside the caller's transaction, so that good rows land and each
 * bad one is recorded with its reason: first all ids in one go; when that fails as a whole (a unique
 * or foreign-key violation, a value that does not fit), row by row, each in its own savepoint.
 * `apply` answers the ids it changed.
 */
export async function applyInSavepoints(
  client: pg.PoolClient,
  ids: string[],
  apply: (ids: string[]) => Promise<string[]>,
  reasonOf: (error: unknown) => string,
): Promise<{ changed: string[]; failures: ChunkOutcome["failures"] }> {
  const failures: ChunkOutcome["failures"] = [];
  await client.query("SAVEPOINT pc_chunk");
  try {
    const changed = await apply(ids);
    await client.query("RELEASE SAVEPOINT pc_chunk");
    return { changed, failures };
  } catch (error) {
    if (!isRowProblem(error)) throw error;
    await client.query("ROLLBACK TO SAVEPOINT pc_chunk");
  }
  const changed: string[] = [];
  for (const id of ids) {
    await client.query("SAVEPOINT pc_row");
    try {
      changed.push(...(await apply([id])));
      await client.query("RELEASE SAVEPOINT pc_row");
    } catch (rowError) {
      if (!isRowProblem(rowError)) throw rowError;
      await client.query("ROLLBACK TO SAVEPOINT pc_row");
      failures.push({ id, reason: reasonOf(rowError) });
    }
  }
  return { changed, failures };
}

/** Errors that belong to particular rows (constraints, values), as opposed to the database being unavailable. */
function isRowProblem(error: unknown): boolean {
  const state = sqlState(error) ?? "";
  return state.startsWith("23") || state.startsWith("22") || state === "54000";
}

/** A row's failure in words, by SQLSTATE; `deleting` words a foreign-key violation as the delete's. */
export function rowProblem(error: unknown, deleting: boolean): string {
  const state = sqlState(error) ?? "";
  if (state === "23505") return "Another record already has this value where values must be unique.";
  if (state === "23503") return deleting ? "Other records still refer to it; reassign or delete those first." : "It would refer to a record that no longer exists.";
  if (state === "23502") return "A required value would be empty.";
  if (state === "23514") return "A check in the database refused the new value.";
  if (state.startsWith("22") || state === "54000") return "The new value does not fit this record.";
  return (error as Error).message.slice(0, 300);
}
