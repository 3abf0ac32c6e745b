/**
 * The bulk edit preview says how many selected records will really change (those that already have
 * the new values are left out), and shows the first ten before → after, for scalar, relation and
 * many-to-many changes, counted against the real database.
 */
import { describe, expect, it } from "vitest";
import { MODAL, count, openBrowser, pickBooks, selectRows, textOf, tokenOf, useFixture } from "../support/bulk-fixture";
import { connect } from "../support/database";

const db = connect();
const fx = useFixture(db);

async function preview(ids: number[], changes: Record<string, string | string[]>) {
  const browser = await openBrowser(fx);
  await selectRows(browser, ids);
  const token = tokenOf((await browser.get("/books/_bulk/edit", MODAL)).text);
  const response = await browser.post("/books/_bulk/preview", { selection: token, ...changes }, MODAL);
  expect(response.status, response.text).toBe(200);
  return response.text;
}

const changing = (html: string) => Number(/data-testid="pc-bulk-changing">([\d,]+)</.exec(html)?.[1]?.replaceAll(",", "") ?? NaN);

describe("the bulk edit preview", () => {
  it("counts only the records whose value differs, and shows them before → after", async () => {
    const ids = await pickBooks(db, 20);
    await db.pool.query(`UPDATE "Book" SET bestseller = (id = ANY($1::int[])) WHERE id = ANY($2::int[])`, [ids.slice(0, 6), ids]);
    const html = await preview(ids, { _change: "bestseller", bestseller: "true" });
    expect(changing(html)).toBe(14);
    const rows = [...html.matchAll(/<tr>\s*<th scope="row"[^>]*>([^<]*)<\/th>\s*<td>(.*?)<\/td>/gs)].map((match) => textOf(match[2]!));
    expect(rows).toHaveLength(10);
    expect(new Set(rows)).toEqual(new Set(["No → Yes"]));
    // Nothing was written by previewing.
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE id = ANY($1::int[]) AND bestseller`, [ids])).toBe(6);
  });

  it("counts a many-to-many add only for records that lack one of the genres, and says when nothing changes", async () => {
    const ids = await pickBooks(db, 8);
    const genre = (await db.pool.query<{ id: number; name: string }>(`SELECT id, name FROM "Genre" ORDER BY id LIMIT 1`)).rows[0]!;
    await db.pool.query(`DELETE FROM "_BookToGenre" WHERE "A" = ANY($1::int[]) AND "B" = $2`, [ids, genre.id]);
    await db.pool.query(`INSERT INTO "_BookToGenre" ("A", "B") SELECT unnest($1::int[]), $2`, [ids.slice(0, 3), genre.id]);
    const html = await preview(ids, { _change: "genres", "genres._mode": "add", genres: String(genre.id) });
    expect(changing(html)).toBe(5);
    expect(textOf(html)).toContain(`→ `);
    expect(textOf(html)).toContain(genre.name);

    await db.pool.query(`INSERT INTO "_BookToGenre" ("A", "B") SELECT unnest($1::int[]), $2 ON CONFLICT DO NOTHING`, [ids, genre.id]);
    const none = await preview(ids, { _change: "genres", "genres._mode": "add", genres: String(genre.id) });
    expect(textOf(none)).toContain("already has these values: applying changes nothing");
  });
});
