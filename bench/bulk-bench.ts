import { performance } from "node:perf_hooks";
import type { Request } from "express";
import { dataModel } from "../src/generated/powercrud";
import { createPool, createPrisma } from "../src/db/clients";
import { bookResource } from "../src/demo/resources";
import { createPowerCrud } from "../src/index";
import { parseBulkChanges } from "../src/bulk/bulk-changes";
import { updatePlan } from "../src/bulk/bulk-plan";
import { runBulkNow } from "../src/bulk/run-bulk";
import { benchServer, fmt, interleaved, table } from "./support";

const TARGET_ROWS = 100_000;
const NAIVE_SAMPLE = 1_000;

/**
 * Issue #5's figures: PowerCRUD's bulk executor on 100,000 books against the per-record ORM loop and
 * against bare set-based SQL, all on the same rows in the same run; then selection speed.
 */
export async function bulkBench(url: string): Promise<string> {
  const pool = createPool(url, 4);
  const prisma = createPrisma(url);
  const crud = createPowerCrud({ prisma, pool, dataModel, getUser: () => ({ id: 1, role: "ADMIN" }) });
  const router = crud.resource(bookResource);
  const resource = router.resource;

  const { rows: idRows } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "Book" ORDER BY id LIMIT $1`, [TARGET_ROWS]);
  const ids = idRows.map((row) => row.id);
  const { rows: picks } = await pool.query<{ editor: number; genre: number }>(
    `SELECT (SELECT id FROM "Author" ORDER BY id LIMIT 1) AS editor, (SELECT id FROM "Genre" WHERE name = 'Poetry') AS genre`,
  );
  const { editor, genre } = picks[0]!;
  const reset = () => pool.query(`DELETE FROM "_BookToGenre" WHERE "A" = ANY($1::int[]) AND "B" = $2`, [ids, genre]);

  const results: Array<{ name: string; rows: number; ms: number }> = [];
  const time = async (name: string, rows: number, work: () => Promise<unknown>) => {
    await reset();
    const start = performance.now();
    await work();
    results.push({ name, rows, ms: performance.now() - start });
  };

  for (let round = 0; round < 3; round++) {
    const flag = round % 2 === 0;
    const parsed = parseBulkChanges(resource.bulkFields, {
      _change: ["bestseller", "editor", "genres"], bestseller: String(flag), editorId: String(editor), genres: String(genre), "genres._mode": "add",
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed));
    await time("PowerCRUD executor (chunks of 5,000, one transaction)", ids.length, () =>
      runBulkNow(pool, resource, updatePlan(dataModel, resource.model, parsed.changes), ids, {} as Request),
    );
    await time("bare UPDATE ... WHERE id = ANY($1) (no genre link)", ids.length, () =>
      pool.query(`UPDATE "Book" SET bestseller = $2, "editorId" = $3, "updatedAt" = now() WHERE id = ANY($1::int[])`, [ids, flag, editor]),
    );
    await time("bare UPDATE + INSERT ... SELECT of the links, one transaction", ids.length, async () => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(`UPDATE "Book" SET bestseller = $2, "editorId" = $3, "updatedAt" = now() WHERE id = ANY($1::int[])`, [ids, flag, editor]);
        await client.query(`INSERT INTO "_BookToGenre" ("A", "B") SELECT unnest($1::int[]), $2 ON CONFLICT DO NOTHING`, [ids, genre]);
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    });
  }
  // The per-record loop takes minutes on 100,000 rows: it is timed on a sample of the same rows.
  const sample = ids.slice(0, NAIVE_SAMPLE).map(Number);
  await time(`per-record Prisma loop: load, set, save (sample of ${NAIVE_SAMPLE.toLocaleString("en")})`, sample.length, () =>
    prisma.$transaction(async (tx) => {
      for (const id of sample) {
        const book = await tx.book.findUnique({ where: { id }, include: { genres: true } });
        await tx.book.update({
          where: { id: book!.id },
          data: { bestseller: !book!.bestseller, editor: { connect: { id: editor } }, genres: { connect: { id: genre } } },
        });
      }
    }, { timeout: 600_000, maxWait: 10_000 }),
  );
  await reset();

  const rate = (name: string) => {
    const runs = results.filter((result) => result.name === name).map((result) => result.rows / (result.ms / 1000)).sort((a, b) => a - b);
    return runs[Math.floor(runs.length / 2)]!;
  };
  const names = [...new Set(results.map((result) => result.name))];
  const executor = rate(names[0]!);
  const rows = names.map((name) => [name, Math.round(rate(name)).toLocaleString("en"), `${(executor / rate(name)).toFixed(2)}×`]);

  const selection = await selectionTimings(pool, prisma);
  await prisma.$disconnect();
  await pool.end();
  return [
    `Bulk edit of ${ids.length.toLocaleString("en")} books (bestseller, editor, and add genre Poetry); median of 3 runs, rows per second:`,
    "",
    table(["method", "rows/s", "PowerCRUD executor is"], rows),
    "",
    "Selection, full HTTP request through PowerCRUD on the 1,000,000-book table (ms over 40 runs):",
    "",
    selection,
  ].join("\n");
}

async function selectionTimings(pool: ReturnType<typeof createPool>, prisma: ReturnType<typeof createPrisma>): Promise<string> {
  const server = await benchServer(pool, prisma);
  const base = server.base;

  const first = await fetch(`${base}/`);
  const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(await first.text())![1]!;
  const post = async (form: Record<string, string>) => {
    const response = await fetch(`${base}/_selection`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": token, "hx-request": "true", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
    if (response.status !== 200) throw new Error(`selection: HTTP ${response.status} ${await response.text()}`);
    await response.text();
  };

  // 100,000 explicitly selected rows, ticked 10,000 at a time as a user's page and range clicks would.
  await post({ op: "clear" });
  const { rows } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "Book" ORDER BY id LIMIT 100000`);
  for (let index = 0; index < rows.length; index += 10_000) {
    await post({ op: "rows", selected: "1", ids: rows.slice(index, index + 10_000).map((row) => row.id).join(",") });
  }
  const one = rows[rows.length - 1]!.id;
  const [untick, tick] = await interleaved(() => post({ op: "rows", selected: "0", ids: one }), () => post({ op: "rows", selected: "1", ids: one }));
  const [selectAll, count] = await interleaved(
    () => post({ op: "all", _list: "" }),
    async () => {
      const response = await fetch(`${base}/_selection/count`, { headers: { cookie, "hx-request": "true" } });
      await response.text();
    },
    20,
    2,
  );
  await post({ op: "clear" });
  server.close();
  return table(
    ["operation", "p50", "p95"],
    [
      ["untick one row with 100,000 selected", fmt(untick.p50), fmt(untick.p95)],
      ["tick one row with 100,000 selected", fmt(tick.p50), fmt(tick.p95)],
      ["select all matching (1,000,000 rows, unfiltered)", fmt(selectAll.p50), fmt(selectAll.p95)],
      ["then count that selection exactly (loaded by the bar after the click)", fmt(count.p50), fmt(count.p95)],
    ],
  );
}
