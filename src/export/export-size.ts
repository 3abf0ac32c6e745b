import type pg from "pg";

/**
 * Whether a query yields at least `threshold` rows, reading at most that many: deciding between a
 * download now and a background task never costs a count of a million rows.
 */
export async function hasAtLeast(pool: pg.Pool, query: { sql: string; params: unknown[] }, threshold: number): Promise<boolean> {
  const limit = `$${query.params.length + 1}`;
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${query.sql} LIMIT ${limit}) s`, [...query.params, threshold]);
  return rows[0]!.n >= threshold;
}
