import type pg from "pg";
import { migrations as shipped, SCHEMA, type SchemaMigration } from "./migrations";

export interface MigrateResult {
  /** Ids of the migrations this call applied (empty when the schema was up to date). */
  applied: string[];
}

// Any constant works; it only has to be the same in every process that migrates this database.
const LOCK_KEY = 7_211_940_031;

/**
 * Creates or updates PowerCRUD's schema. Safe to call from many processes at once: an advisory lock
 * lets one migrate while the others wait, then find nothing left to do. Each migration commits with
 * its record, so a crash leaves the schema at a migration boundary.
 */
export async function migrateSchema(pool: pg.Pool, migrations: SchemaMigration[] = shipped): Promise<MigrateResult> {
  if ((await pending(pool, migrations)).length === 0) return { applied: [] };
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.migration (id text PRIMARY KEY, "appliedAt" timestamptz NOT NULL DEFAULT now())`);
      const applied: string[] = [];
      for (const migration of await pending(client, migrations)) {
        await client.query("BEGIN");
        try {
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${SCHEMA}.migration (id) VALUES ($1)`, [migration.id]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw new Error(`PowerCRUD migration ${migration.id} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(migration.id);
      }
      return { applied };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** Migrations not yet recorded in the database, in their shipped order. */
export async function pending(db: pg.Pool | pg.PoolClient, migrations: SchemaMigration[] = shipped): Promise<SchemaMigration[]> {
  let done: Set<string>;
  try {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${SCHEMA}.migration`);
    done = new Set(rows.map((row) => row.id));
  } catch (error) {
    // 3F000: no schema yet; 42P01: no migration table yet. Anything else (no connection) is real.
    if (!["3F000", "42P01"].includes((error as { code?: string }).code ?? "")) throw error;
    done = new Set();
  }
  return migrations.filter((migration) => !done.has(migration.id));
}
