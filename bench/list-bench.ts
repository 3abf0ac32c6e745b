import { createPool, createPrisma } from "../src/db/clients";
import { benchServer, ensureBooks, fmt, interleaved, table } from "./support";

const BOOKS = 1_000_000;

/** The pages issue #4 names, each beside the bare SQL that yields the same rows. */
const CASES: Array<{ name: string; query: string; where: string; order: string; offset: number; params: unknown[] }> = [
  { name: "page 1, unfiltered", query: "", where: "", order: "b.id DESC", offset: 0, params: [] },
  { name: "filtered by author", query: "?author=17", where: `WHERE b."authorId" = 17`, order: "b.id DESC", offset: 0, params: [] },
  { name: "filtered by author, sorted by price", query: "?author=17&sort=-price", where: `WHERE b."authorId" = 17`, order: "b.price DESC, b.id DESC", offset: 0, params: [] },
  {
    name: "text search “harbour”", query: "?q=harbour", order: "b.id DESC", offset: 0, params: ["%harbour%"],
    where: `WHERE b.title ILIKE $1 OR b.isbn ILIKE $1 OR b."authorId" = ANY (ARRAY(SELECT id FROM "Author" WHERE name ILIKE $1))`,
  },
  { name: "sorted by author name", query: "?sort=author", where: "", order: "a.name ASC, a.id ASC, b.id ASC", offset: 0, params: [] },
  { name: "page 10,000", query: "?page=10000", where: "", order: "b.id DESC", offset: 249_975, params: [] },
];

export async function listBench(url: string): Promise<string> {
  const pool = createPool(url, 4);
  await ensureBooks(pool, BOOKS);
  const prisma = createPrisma(url);
  const server = await benchServer(pool, prisma);

  const rows: string[][] = [];
  let cookie = ""; // one browser session, as a signed-in user has
  for (const c of CASES) {
    const page = async () => {
      const response = await fetch(`${server.base}/${c.query}`, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`${c.name}: HTTP ${response.status}`);
      cookie = (response.headers.get("set-cookie") ?? cookie).split(";")[0]!;
      await response.text();
    };
    // The best hand-written SQL for the same rows: find the page's ids (index order, no row data),
    // then join the displayed values onto just those 25.
    const bare = () =>
      pool.query(
        `WITH page AS (
           SELECT b.id, row_number() OVER () AS n FROM (
             SELECT b.id FROM "Book" b ${c.order.includes("a.") ? `JOIN "Author" a ON a.id = b."authorId"` : ""} ${c.where}
             ORDER BY ${c.order} LIMIT 25 OFFSET ${c.offset}) b)
         SELECT b.id, b.title, a.name AS author, b.status, b.price, b.pages, b."publishedDate", b.bestseller,
                (SELECT string_agg(g.name, ', ') FROM "_BookToGenre" bg JOIN "Genre" g ON g.id = bg."B" WHERE bg."A" = b.id) AS genres
         FROM page JOIN "Book" b ON b.id = page.id JOIN "Author" a ON a.id = b."authorId" ORDER BY page.n`,
        c.params,
      );
    const [ours, sql] = await interleaved(page, bare);
    rows.push([c.name, fmt(ours.p50), fmt(ours.p95), fmt(sql.p50), fmt(sql.p95), `${(ours.p50 / sql.p50).toFixed(1)}×`]);
  }

  // A relation filter's type-to-search (the one related-record search behind filters and forms),
  // beside the two statements it comes down to: a page of 20 (one more to tell "more") and a capped count.
  const choices = () =>
    fetch(`${server.base}/_filter-choices/author?q=an&page=1`, { headers: { cookie, "hx-request": "true" } }).then(async (response) => {
      if (response.status !== 200) throw new Error(`filter choices: HTTP ${response.status}`);
      await response.text();
    });
  const bareChoices = () =>
    Promise.all([
      pool.query(`SELECT id, name FROM "Author" WHERE name ILIKE '%an%' ORDER BY name, id LIMIT 21`),
      pool.query(`SELECT count(*) FROM (SELECT 1 FROM "Author" WHERE name ILIKE '%an%' LIMIT 1001) c`),
    ]);
  const [ours, sql] = await interleaved(choices, bareChoices);
  rows.push(["author filter choices, “an”", fmt(ours.p50), fmt(ours.p95), fmt(sql.p50), fmt(sql.p95), `${(ours.p50 / sql.p50).toFixed(1)}×`]);

  const plan = await pool.query(`EXPLAIN (FORMAT JSON) SELECT id FROM "Book" WHERE title ILIKE '%harbour%'`);
  const usesTrigram = JSON.stringify(plan.rows[0]).includes("Book_title_trgm_idx");
  server.close();
  await prisma.$disconnect();
  await pool.end();
  return [
    `List pages on ${BOOKS.toLocaleString("en")} books: full HTTP request through PowerCRUD (count, ids, rows, permissions, render) vs the bare SQL for the same 25 rows; ms over 40 runs each, interleaved.`,
    "",
    table(["page", "PowerCRUD p50", "p95", "bare SQL p50", "p95", "ratio (p50)"], rows),
    "",
    `Text search served by the pg_trgm index Book_title_trgm_idx: ${usesTrigram ? "yes" : "NO (sequential scan)"}`,
  ].join("\n");
}
