import type pg from "pg";
import { withIndexesDeferred } from "../db/bulk-load";
import { hashPassword } from "./passwords";
import { DEMO_USERS, FIRST_NAMES, GENRES, LAST_NAMES, TITLE_ADJECTIVES, TITLE_NOUNS } from "./seed-data";

export interface SeedSize {
  books: number;
  authors: number;
  genres: number;
}

export const DEFAULT_SEED: SeedSize = { books: 5_000, authors: 300, genres: 20 };

/**
 * Replaces the demo catalogue with deterministic data (the same size always gives the same rows),
 * generated inside Postgres with set-based INSERT ... SELECT: a million books take seconds.
 */
export async function seedCatalogue(pool: pg.Pool, size: SeedSize): Promise<void> {
  const genres = GENRES.slice(0, Math.max(1, Math.min(size.genres, GENRES.length)));
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL synchronous_commit = off");
    await client.query(`TRUNCATE "_BookToGenre", "Book", "Author", "Genre" RESTART IDENTITY CASCADE`);
    await client.query(
      `INSERT INTO "Genre" (name, description) SELECT * FROM unnest($1::text[], $2::text[])`,
      [genres.map(([name]) => name), genres.map(([, description]) => description)],
    );
    await client.query(
      `INSERT INTO "Author" (name, bio, "birthDate", active)
       SELECT ($2::text[])[(1 + (i * 7) % array_length($2::text[], 1))::int] || ' ' ||
                ($3::text[])[(1 + (i * 11 + i / 50) % array_length($3::text[], 1))::int],
              CASE WHEN i % 4 = 0 THEN NULL ELSE 'Writes about ' || lower(($4::text[])[(1 + i % array_length($4::text[], 1))::int]) || ' and much else.' END,
              CASE WHEN i % 5 = 0 THEN NULL ELSE date '1930-01-01' + ((i * 3571) % 25000)::int END,
              i % 9 <> 0
       FROM generate_series(1, $1::bigint) AS i`,
      [size.authors, FIRST_NAMES, LAST_NAMES, genres.map(([name]) => name)],
    );
    await withIndexesDeferred(client, ["Book", "_BookToGenre"], async () => {
      await client.query(
        `INSERT INTO "Book" (title, isbn, pages, price, "publishedDate", bestseller, status, "authorId", "editorId",
                             description, "createdAt", "updatedAt")
         SELECT 'The ' || ($3::text[])[(1 + (i * 7) % array_length($3::text[], 1))::int] || ' ' ||
                  ($4::text[])[(1 + (i * 13 + i / 97) % array_length($4::text[], 1))::int] ||
                  CASE WHEN i % 3 = 0 THEN ' ' || (1 + i % 9)::text ELSE '' END,
                '978' || lpad(i::text, 10, '0'),
                60 + (i * 7919) % 900,
                round((4.99 + ((i * 104729) % 4500) / 100.0)::numeric, 2),
                CASE WHEN i % 11 = 0 THEN NULL ELSE date '1950-01-01' + ((i * 3571) % 27000)::int END,
                i % 17 = 0,
                (CASE WHEN i % 10 < 6 THEN 'PUBLISHED' WHEN i % 10 < 9 THEN 'DRAFT' ELSE 'OUT_OF_PRINT' END)::"BookStatus",
                1 + (i * 31 + i / 1000) % $2::int,
                -- An editor other than the author (the demo's rule): an offset of 1 to authors - 1 from them.
                CASE WHEN i % 5 < 2 AND $2::int > 1 THEN 1 + ((i * 31 + i / 1000) % $2::int + 1 + (i * 17) % ($2::int - 1)) % $2::int END,
                CASE WHEN i % 2 = 0 THEN 'A story of ' || lower(($4::text[])[(1 + i % array_length($4::text[], 1))::int]) || 's and those who keep them.' END,
                timestamp '2024-01-01' + make_interval(mins => (i % 500000)::int),
                timestamp '2024-01-01' + make_interval(mins => (i % 500000)::int)
         FROM generate_series(1, $1::bigint) AS i`,
        [size.books, size.authors, TITLE_ADJECTIVES, TITLE_NOUNS],
      );
      await client.query(
        `INSERT INTO "_BookToGenre" ("A", "B")
         SELECT DISTINCT i, 1 + g
         FROM generate_series(1, $1::bigint) AS i,
              LATERAL (VALUES ((i * 7) % $2::int), (CASE WHEN i % 3 = 0 THEN (i * 13 + 5) % $2::int END),
                              (CASE WHEN i % 5 = 0 THEN (i * 3 + 1) % $2::int END)) AS pick(g)
         WHERE g IS NOT NULL`,
        [size.books, genres.length],
      );
    });
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
  // VACUUM sets the visibility map, so deep pages can use index-only scans from the first request.
  await pool.query(`VACUUM ANALYZE "Book", "Author", "Genre", "_BookToGenre"`);
}

/** Creates the demo users (or resets their passwords and roles). */
export async function seedUsers(pool: pg.Pool): Promise<void> {
  for (const user of DEMO_USERS) {
    await pool.query(
      `INSERT INTO "User" (email, name, "passwordHash", role) VALUES ($1, $2, $3, $4::"Role")
       ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, "passwordHash" = EXCLUDED."passwordHash", role = EXCLUDED.role`,
      [user.email, user.name, await hashPassword(user.password), user.role],
    );
  }
}

/** Seeds users and catalogue when the database has neither: the first start of the demo. */
export async function seedIfEmpty(pool: pg.Pool, size: SeedSize = DEFAULT_SEED): Promise<boolean> {
  const { rows } = await pool.query<{ empty: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM "User") AND NOT EXISTS (SELECT 1 FROM "Book") AS empty`,
  );
  if (!rows[0]?.empty) return false;
  await seedUsers(pool);
  await seedCatalogue(pool, size);
  return true;
}
