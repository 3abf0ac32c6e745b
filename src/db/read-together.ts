import type pg from "pg";

/** One value read by a scalar subquery over its own parameters ($1, $2, ...), and how to take what PostgreSQL returns. */
export interface ScalarRead<V> {
  sql: string;
  params: unknown[];
  parse(value: unknown): V;
}

type Values<R> = { [K in keyof R]: R[K] extends ScalarRead<infer V> ? V : never };

/**
 * Several small reads as one statement, each a scalar subquery in a column of its own. A list page
 * needs a handful of one-row lookups beside its rows (the user's columns, their saved views, whether
 * a task holds the model); as statements of their own each costs the server and PostgreSQL a round
 * trip, a parse and a plan, far more than its index probe.
 */
export async function readTogether<R extends Record<string, ScalarRead<unknown>>>(pool: pg.Pool, reads: R): Promise<Values<R>> {
  const entries = Object.entries(reads);
  if (!entries.length) return {} as Values<R>;
  const params: unknown[] = [];
  const columns = entries.map(([, read], index) => {
    const offset = params.length;
    params.push(...read.params);
    return `(${read.sql.replace(/\$(\d+)/g, (_match, n: string) => `$${Number(n) + offset}`)}) AS c${index}`;
  });
  const { rows } = await pool.query<Record<string, unknown>>(`SELECT ${columns.join(", ")}`, params);
  return Object.fromEntries(entries.map(([name, read], index) => [name, read.parse(rows[0]![`c${index}`])])) as Values<R>;
}

/** A single read on its own. */
export async function readOne<V>(pool: pg.Pool, read: ScalarRead<V>): Promise<V> {
  return (await readTogether(pool, { value: read })).value;
}
