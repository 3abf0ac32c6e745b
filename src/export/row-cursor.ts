import type pg from "pg";
import { prismaCompatibleTypes } from "../db/pg-types";

/**
 * A query read through a server-side cursor (DECLARE ... CURSOR, then FETCH n at a time) in one
 * read-only REPEATABLE READ transaction: every batch, and the count taken first, see the same
 * snapshot, however long the reading takes, and Node never holds more than one batch. The caller
 * fetches the next batch only when it has written the last: that is the backpressure.
 */
export class RowCursor {
  private open = true;

  private constructor(private readonly client: pg.PoolClient, private readonly batchSize: number) {}

  /** Opens the transaction and the cursor on a pooled connection; a query PostgreSQL refuses throws here. */
  static async open(pool: pg.Pool, query: { sql: string; params: unknown[] }, batchSize: number): Promise<RowCursor> {
    const client = await pool.connect();
    const cursor = new RowCursor(client, batchSize);
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await client.query(`DECLARE pc_export NO SCROLL CURSOR FOR ${query.sql}`, query.params);
      return cursor;
    } catch (error) {
      await cursor.close(error as Error);
      throw error;
    }
  }

  /** A count in the cursor's snapshot (what a progress bar counts towards). */
  async count(query: { sql: string; params: unknown[] }): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>(`SELECT count(*) AS n FROM (${query.sql}) s`, query.params);
    return Number(rows[0]!.n);
  }

  /** The next batch of rows; empty when all have been read. */
  async next(): Promise<Array<Record<string, unknown>>> {
    const { rows } = await this.client.query({ text: `FETCH ${this.batchSize} FROM pc_export`, types: prismaCompatibleTypes });
    return rows;
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
