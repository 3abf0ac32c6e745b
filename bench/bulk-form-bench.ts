import { createPool, createPrisma } from "../src/db/clients";
import { benchServer, fmt, interleaved, table } from "./support";

const SELECTED = 10_000;
const FILTER = "status=DRAFT&q=harbour";

/**
 * Issue #8's figures: opening the bulk edit form and its preview with about 10,000 of 1,000,000
 * books selected (picked, or all matching a filter) and with all of them, as full HTTP requests,
 * beside a list page of the same app in the same run.
 */
export async function bulkFormBench(url: string): Promise<string> {
  const pool = createPool(url, 4);
  const prisma = createPrisma(url);
  const server = await benchServer(pool, prisma);
  const base = server.base;
  try {
    const first = await fetch(`${base}/`);
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await first.text())![1]!;
    const headers = { cookie, "x-csrf-token": csrf, "hx-request": "true", "hx-target": "div#pc-modal-content" };
    const post = async (path: string, form: Record<string, string>) => {
      const response = await fetch(`${base}${path}`, { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
      return text;
    };
    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`, { headers });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
      return text;
    };

    const tokenOf = async () => /name="selection" value="([^"]+)"/.exec(await get("/_bulk/edit"))![1]!;
    const measure = async (name: string, iterations: number) => {
      const token = await tokenOf();
      const change = { selection: token, _change: "bestseller", bestseller: "true" };
      const [list, edit] = await interleaved(() => get("/"), () => get("/_bulk/edit"), iterations, 3);
      const [list2, preview] = await interleaved(() => get("/"), () => post("/_bulk/preview", change), iterations, 3);
      return [
        [`GET _bulk/edit, ${name}`, fmt(edit.p50), fmt(edit.p95), fmt(list.p50), `${(edit.p50 / list.p50).toFixed(1)}×`],
        [`POST _bulk/preview, ${name}`, fmt(preview.p50), fmt(preview.p95), fmt(list2.p50), `${(preview.p50 / list2.p50).toFixed(1)}×`],
      ];
    };

    // 10,000 scattered books, picked as explicit rows: the forms state their exact count.
    await post("/_selection", { op: "clear" });
    const { rows } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "Book" WHERE id % 97 = 3 ORDER BY id LIMIT $1`, [SELECTED]);
    await post("/_selection", { op: "rows", selected: "1", ids: rows.map((row) => row.id).join(",") });
    if (!(await get("/_bulk/edit")).includes(`Edit ${SELECTED.toLocaleString("en")} books`)) throw new Error("the form does not state the exact count");
    const picked = await measure(`${SELECTED.toLocaleString("en")} picked`, 40);

    // About 10,000 books matching a search and a status: counting them takes longer than a form
    // should wait, so the forms show at once and load the exact count after.
    await post("/_selection", { op: "all", _list: FILTER });
    const matches = Number((await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM "Book" b WHERE status = 'DRAFT' AND (title ILIKE '%harbour%' OR isbn ILIKE '%harbour%' OR "authorId" IN (SELECT id FROM "Author" WHERE name ILIKE '%harbour%'))`,
    )).rows[0]!.n);
    const filtered = await measure(`all ${matches.toLocaleString("en")} matching ${FILTER}`, 20);
    const [, loadCount] = await interleaved(async () => {}, () => get("/_selection/count?form=1"), 10, 1);

    // Every one of the million books.
    await post("/_selection", { op: "all", _list: "" });
    const everything = await measure("all 1,000,000 matching", 20);
    await post("/_selection", { op: "clear" });
    return [
      `Bulk edit form and preview on 1,000,000 books, full HTTP requests (ms), beside the list's first page in the same run:`,
      "",
      table(
        ["request", "p50", "p95", "list page p50", "ratio (p50)"],
        [
          ...picked,
          ...filtered,
          [`then the exact count the form loads (${matches.toLocaleString("en")})`, fmt(loadCount.p50), fmt(loadCount.p95), "", ""],
          ...everything,
        ],
      ),
    ].join("\n");
  } finally {
    server.close();
    await prisma.$disconnect();
    await pool.end();
  }
}
