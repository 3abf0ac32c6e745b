import { createPool, createPrisma } from "../src/db/clients";
import { benchServer, fmt, interleaved, table } from "./support";

const SELECTED = 10_000;

/**
 * Issue #8's figures: opening the bulk edit form and its preview with 10,000 books picked out of
 * 1,000,000, as full HTTP requests, beside a list page of the same app in the same run.
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

    // 10,000 scattered books, picked as explicit rows.
    await post("/_selection", { op: "clear" });
    const { rows } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "Book" WHERE id % 97 = 3 ORDER BY id LIMIT $1`, [SELECTED]);
    await post("/_selection", { op: "rows", selected: "1", ids: rows.map((row) => row.id).join(",") });
    const form = await get("/_bulk/edit");
    const token = /name="selection" value="([^"]+)"/.exec(form)![1]!;
    if (!form.includes(`Edit ${SELECTED.toLocaleString("en")} books`)) throw new Error("the form does not state the exact count");
    const change = { selection: token, _change: "bestseller", bestseller: "true" };

    const [list, edit] = await interleaved(() => get("/"), () => get("/_bulk/edit"));
    const [list2, preview] = await interleaved(() => get("/"), () => post("/_bulk/preview", change));

    // An "all matching" selection over the whole table: the form answers without counting a million rows.
    await post("/_selection", { op: "all", _list: "" });
    const [list3, editAll] = await interleaved(() => get("/"), () => get("/_bulk/edit"), 20, 2);
    await post("/_selection", { op: "clear" });
    const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
    return [
      `Bulk edit form with ${SELECTED.toLocaleString("en")} of 1,000,000 books selected, full HTTP requests (ms), beside the list's first page in the same run:`,
      "",
      table(
        ["request", "p50", "p95", "list page p50", "ratio (p50)"],
        [
          ["GET _bulk/edit (10,000 picked, exact count)", fmt(edit.p50), fmt(edit.p95), fmt(list.p50), ratio(edit.p50, list.p50)],
          ["POST _bulk/preview (10,000 picked, exact count)", fmt(preview.p50), fmt(preview.p95), fmt(list2.p50), ratio(preview.p50, list2.p50)],
          ["GET _bulk/edit (all 1,000,000 matching, count loads after)", fmt(editAll.p50), fmt(editAll.p95), fmt(list3.p50), ratio(editAll.p50, list3.p50)],
        ],
      ),
    ].join("\n");
  } finally {
    server.close();
    await prisma.$disconnect();
    await pool.end();
  }
}
