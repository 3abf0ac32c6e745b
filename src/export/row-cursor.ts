import type pg from "pg";
import type { TextRow } from "./export-rows";

/**
 * The transaction an export reads in: one snapshot for everything it reads (the count and every
 * row), and values printed the same whatever the database's settings.
 */
export const BEGIN_EXPORT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL TimeZone = 'UTC'";

/** How many rows a query yields, counted in the caller's transaction. */
export async function countIn(client: pg.PoolClient, query: { sql: string; params: unknown[] }): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (${query.sql}) s`, query.params);
  return Number(rows[0]!.n);
}

/** Every value as PostgreSQL's text of it: the export formats from the text, parsing only what it must. */
const AS_TEXT = { getTypeParser: () => (text: string) => text };

/**
 * A query read through a server-side cursor (DECLARE ... CURSOR, then FETCH n at a time) in one
 * read-only REPEATABLE READ transaction: every batch, and the count taken first, see the same
 * snapshot, however long the reading takes, and Node holds a batch or two, never the result. Rows
 * come as arrays of text, printed the same whatever the database's settings (DateStyle ISO,
 * TimeZone UTC).
 */
export class RowCursor {
  private open = true;

  private constructor(private readonly client: pg.PoolClient, private readonly batchSize: number) {}

  /** Opens the transaction and the cursor on a pooled connection; a query PostgreSQL refuses throws here. */
  static async open(pool: pg.Pool, query: { sql: string; params: unknown[] }, batchSize: number): Promise<RowCursor> {
    const client = await pool.connect();
    const cursor = new RowCursor(client, batchSize);
    try {
      await client.query(BEGIN_EXPORT);
      await client.query(`DECLARE pc_export NO SCROLL CURSOR FOR ${query.sql}`, query.params);
      return cursor;
    } catch (error) {
      await cursor.close(error as Error);
      throw error;
    }
  }

  /** A count in the cursor's snapshot (what a progress bar counts towards). */
  count(query: { sql: string; params: unknown[] }): Promise<number> {
    return countIn(this.client, query);
  }

  /** The next batch of rows, and what their columns are; no rows when all have been read. */
  async next(): Promise<{ rows: TextRow[]; fields: pg.FieldDef[] }> {
    const { rows, fields } = await this.client.query<TextRow>({ text: `FETCH ${this.batchSize} FROM pc_export`, types: AS_TEXT, rowMode: "array" });
    return { rows, fields };
  }

  /** Ends the transaction (rolled back after an error) and returns the connection; one that cannot end it is dropped. */
  async close(error?: Error): Promise<void> {
    if (!this.open) return;
    this.open = false;
    let broken: Error | undefined;
    await this.client.query(error ? "ROLLBACK" : "COMMIT").catch((failure: Error) => { broken = failure; });
    this.client.release(broken);
  }
}
