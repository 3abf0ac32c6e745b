import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import express from "express";
import type pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "../../src/db/clients";
import { withDatabase } from "../../src/db/connection-fields";
import { createDatabaseIfMissing } from "../../src/db/embedded-postgres";
import { dataModel } from "../../src/generated/powercrud";
import { createPowerCrud } from "../../src/index";
import { migrateSchema, pending } from "../../src/schema/migrate-schema";
import { migrations } from "../../src/schema/migrations";
import { connect, databaseUrl } from "../support/database";
import { TestClient } from "../support/test-client";

const run = promisify(execFile);
const db = connect();
const created: string[] = [];
const pools: pg.Pool[] = [];

/** A new, empty database in the run's PostgreSQL: PowerCRUD's schema has never been applied to it. */
async function freshDatabase(): Promise<{ url: string; pool: pg.Pool }> {
  const name = `powercrud_schema_${created.length}_${process.pid}`;
  await createDatabaseIfMissing(withDatabase(databaseUrl(), "postgres"), name);
  created.push(name);
  const url = withDatabase(databaseUrl(), name);
  const pool = createPool(url);
  pools.push(pool);
  return { url, pool };
}

const tableExists = async (pool: pg.Pool, table: string) =>
  (await pool.query<{ found: string | null }>(`SELECT to_regclass($1) AS found`, [table])).rows[0]?.found != null;

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  for (const name of created) await db.pool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await db.close();
});

describe("PowerCRUD's own schema", () => {
  it("lives in the powercrud schema, apart from the host's tables", async () => {
    for (const table of ["selection", "selection_item", "list_preference", "task", "task_target", "task_chunk", "task_failure", "task_run", "migration"]) {
      expect(await tableExists(db.pool, `powercrud.${table}`), table).toBe(true);
    }
    const { rows } = await db.pool.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'powercrud%'`);
    expect(rows).toEqual([]);
    expect(await pending(db.pool)).toEqual([]);
  });

  it("is created on an empty database, once, by any number of processes starting together", async () => {
    const { pool } = await freshDatabase();
    expect((await pending(pool)).map((migration) => migration.id)).toEqual(migrations.map((migration) => migration.id));
    const results = await Promise.all(Array.from({ length: 5 }, () => migrateSchema(pool)));
    expect(results.flatMap((result) => result.applied)).toEqual(migrations.map((migration) => migration.id));
    expect(await tableExists(pool, "powercrud.task")).toBe(true);
    expect((await migrateSchema(pool)).applied).toEqual([]);
  });

  it("rolls back a failing migration, records nothing and names it", async () => {
    const { pool } = await freshDatabase();
    const broken = [...migrations, { id: "9999-broken", sql: "CREATE TABLE powercrud.half_made (id int); SELECT 1/0;" }];
    await expect(migrateSchema(pool, broken)).rejects.toThrow(/9999-broken failed: division by zero/);
    expect(await tableExists(pool, "powercrud.half_made")).toBe(false);
    expect((await pending(pool, broken)).map((migration) => migration.id)).toEqual(["9999-broken"]);
  });

  it("is applied before the first request when migrate is on, and its absence answers 503 when it is off", async () => {
    const { pool } = await freshDatabase();
    const errors: unknown[] = [];
    const mount = (migrate: boolean) => {
      const crud = createPowerCrud({ prisma: db.prisma, pool, dataModel, migrate, logError: (error) => errors.push(error) });
      const app = express();
      app.use("/genres", crud.resource({ model: "Genre" }));
      app.use(crud.errorHandler());
      return { app, crud };
    };

    const off = mount(false);
    const client = await TestClient.start(off.app);
    const refused = await client.get("/genres").finally(() => client.close());
    expect(refused.status).toBe(503);
    expect(refused.text).toContain("The database is not ready for PowerCRUD yet");
    expect(String((errors.at(-1) as Error).cause)).toContain("npx powercrud migrate");
    expect(await tableExists(pool, "powercrud.task")).toBe(false);
    await expect(off.crud.ready()).rejects.toThrow(/not up to date/);

    const on = mount(true);
    await on.crud.ready();
    expect(await tableExists(pool, "powercrud.task")).toBe(true);
    await off.crud.ready();
  });

  it("is applied by `powercrud migrate`", async () => {
    const { url, pool } = await freshDatabase();
    const cli = [path.join("node_modules", ".bin", "tsx"), "src/cli.ts", "migrate", "--url", url] as const;
    const first = await run(cli[0], cli.slice(1));
    expect(first.stdout).toContain(`Applied ${migrations.length} PowerCRUD migration(s)`);
    expect(await tableExists(pool, "powercrud.selection")).toBe(true);
    expect((await run(cli[0], cli.slice(1))).stdout).toContain("up to date");
    await expect(run(cli[0], ["src/cli.ts", "frobnicate"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown command "frobnicate"') });
  });
});
