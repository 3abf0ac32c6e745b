import { afterAll, describe, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { connect } from "../support/database";

const db = connect();
afterAll(() => db.close());

describe("seedCatalogue", () => {
  it("makes the same catalogue every time, with every field kind filled and valid", async () => {
    await seedCatalogue(db.pool, { books: 2_000, authors: 50, genres: 12 });
    const first = await db.pool.query(`SELECT md5(string_agg(b::text, ',' ORDER BY id)) AS digest FROM "Book" b`);
    await seedCatalogue(db.pool, { books: 2_000, authors: 50, genres: 12 });
    const second = await db.pool.query(`SELECT md5(string_agg(b::text, ',' ORDER BY id)) AS digest FROM "Book" b`);
    expect(second.rows[0].digest).toBe(first.rows[0].digest);

    const { rows } = await db.pool.query(`
      SELECT (SELECT count(*)::int FROM "Book") AS books,
             (SELECT count(*)::int FROM "Author") AS authors,
             (SELECT count(*)::int FROM "Genre") AS genres,
             (SELECT count(DISTINCT status)::int FROM "Book") AS statuses,
             (SELECT count(*)::int FROM "Book" WHERE "editorId" IS NULL) AS without_editor,
             (SELECT count(*)::int FROM "Book" WHERE bestseller) AS bestsellers,
             (SELECT count(*)::int FROM "Book" b WHERE NOT EXISTS (SELECT 1 FROM "_BookToGenre" WHERE "A" = b.id)) AS without_genre,
             (SELECT count(*)::int FROM pg_indexes WHERE tablename = 'Book') AS book_indexes`);
    expect(rows[0]).toMatchObject({ books: 2000, authors: 50, genres: 12, statuses: 3, without_genre: 0 });
    expect(rows[0].without_editor).toBeGreaterThan(0);
    expect(rows[0].bestsellers).toBeGreaterThan(0);
    // The bulk load drops and rebuilds indexes; all of them must be back.
    expect(rows[0].book_indexes).toBe(13);
  });
});
