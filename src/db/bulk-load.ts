import type pg from "pg";

/**
 * Runs a large load with the tables' secondary indexes and foreign keys dropped, then rebuilds them:
 * one sort per index and one validating join per foreign key beat a million per-row index inserts and
 * trigger checks by a wide margin. Must run inside the caller's transaction, so a failure restores all.
 */
export async function withIndexesDeferred<T>(client: pg.PoolClient, tables: string[], load: () => Promise<T>): Promise<T> {
  const regclasses = tables.map((table) => `"${table.replace(/"/g, '""')}"`);
  const { rows: foreignKeys } = await client.query<{ tbl: string; name: string; def: string }>(
    `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def
     FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY($1::regclass[])`,
    [regclasses],
  );
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
     FROM pg_index
     WHERE indrelid = ANY($1::regclass[]) AND NOT indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)`,
    [regclasses],
  );
  for (const fk of foreignKeys) await client.query(`ALTER TABLE ${fk.tbl} DROP CONSTRAINT "${fk.name}"`);
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  const result = await load();
  for (const index of indexes) await client.query(index.def);
  for (const fk of foreignKeys) await client.query(`ALTER TABLE ${fk.tbl} ADD CONSTRAINT "${fk.name}" ${fk.def}`);
  return result;
}
