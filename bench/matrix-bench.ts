import { createPool, createPrisma } from "../src/db/clients";
import { demoBenchServer, ensureBooks, fmt, interleaved, table, type Timing } from "./support";

const BOOKS = 1_000_000;
const PAGE_SIZE = 25;

/** A list order: the query's sort parameter and the hand-written ORDER BY (with any join) for the same rows. */
interface Sort {
  name: string;
  param: string;
  join?: string;
  order: string;
  /** For a nullable relation: the rows without one, their order, and whether they come first. */
  without?: { where: string; order: string; first: boolean };
}

/** A list filter: the query string and the hand-written WHERE for the same rows. */
interface Filter {
  name: string;
  query: string;
  where: string;
  params: unknown[];
  page?: number;
  /** The search's second parameter: the ids of the authors whose names match the first. */
  authors?: boolean;
}

/** Every sortable column of the demo's Book list, both ways, and its default order (newest first). */
function sorts(): Sort[] {
  const columns: Array<{ key: string; join?: string; order: (direction: string) => string; without?: string }> = [
    { key: "title", order: (d) => `b.title ${d}, b.id ${d}` },
    { key: "author", join: `JOIN "Author" a ON a.id = b."authorId"`, order: (d) => `a.name ${d}, a.id ${d}, b.id ${d}` },
    { key: "status", order: (d) => `b.status ${d}, b.id ${d}` },
    { key: "price", order: (d) => `b.price ${d}, b.id ${d}` },
    { key: "pages", order: (d) => `b.pages ${d}, b.id ${d}` },
    { key: "publishedDate", order: (d) => `b."publishedDate" ${d}, b.id ${d}` },
    { key: "bestseller", order: (d) => `b.bestseller ${d}, b.id ${d}` },
    { key: "isbn", order: (d) => `b.isbn ${d}, b.id ${d}` },
    // Books with an editor by the editor's (name, id), then those without (first when descending):
    // the two parts, each in index order, rather than one LEFT JOIN sorted whole.
    { key: "editor", join: `JOIN "Author" e ON e.id = b."editorId"`, order: (d) => `e.name ${d}, e.id ${d}, b.id ${d}`, without: `b."editorId" IS NULL` },
  ];
  return [
    { name: "default (newest)", param: "", order: "b.id DESC" },
    ...columns.flatMap((column) => ["ASC", "DESC"].map((direction) => ({
      name: `${direction === "DESC" ? "-" : ""}${column.key}`,
      param: `${direction === "DESC" ? "-" : ""}${column.key}`,
      order: column.order(direction),
      ...(column.join ? { join: column.join } : {}),
      ...(column.without ? { without: { where: column.without, order: `b.id ${direction}`, first: direction === "DESC" } } : {}),
    }))),
  ];
}

/**
 * The search fields of the demo's books (title, ISBN, author's name), as one would write them by hand
 * knowing the data: the authors whose names match are looked up first (the bench does, once per
 * cell, outside the timing) and named by id, so the planner sees how many there are.
 */
const SEARCH = `(b.title ILIKE $1 OR b.isbn ILIKE $1 OR b."authorId" = ANY ($2::int[]))`;

/** No filter, each filter type the demo offers, text searches matching many and few rows, a deep page. */
const FILTERS: Filter[] = [
  { name: "no filter", query: "", where: "", params: [] },
  { name: "relation (author)", query: "author=17", where: `b."authorId" = 17`, params: [] },
  { name: "many-to-many (genre)", query: "genres=3", where: `EXISTS (SELECT 1 FROM "_BookToGenre" m WHERE m."A" = b.id AND m."B" = 3)`, params: [] },
  { name: "enum (status)", query: "status=DRAFT", where: `b.status = 'DRAFT'`, params: [] },
  { name: "boolean (bestseller)", query: "bestseller=yes", where: `b.bestseller`, params: [] },
  { name: "number range (price)", query: "price.min=10&price.max=20", where: `b.price BETWEEN 10 AND 20`, params: [] },
  { name: "date range (published)", query: "publishedDate.min=2000-01-01&publishedDate.max=2000-12-31", where: `b."publishedDate" BETWEEN '2000-01-01' AND '2000-12-31'`, params: [] },
  { name: "search, every row (“the”)", query: "q=the", where: SEARCH, params: ["%the%"], authors: true },
  { name: "search, 3 % (“harbour”)", query: "q=harbour", where: SEARCH, params: ["%harbour%"], authors: true },
  { name: "search, 20 rows (ISBN part)", query: "q=12345", where: SEARCH, params: ["%12345%"], authors: true },
  { name: "page 10,000", query: "page=10000", where: "", params: [], page: 10_000 },
];

interface Cell {
  sort: string;
  filter: string;
  ours: Timing;
  sql: Timing;
  sameRows: boolean;
}

/**
 * The best hand-written SQL for a page: its ids in index order (no row data), then the displayed
 * values joined onto just those 25.
 */
function bareSql(sort: Sort, filter: Filter): string {
  const offset = ((filter.page ?? 1) - 1) * PAGE_SIZE;
  const where = (...conditions: string[]) => {
    const all = [filter.where, ...conditions].filter(Boolean);
    return all.length ? `WHERE ${all.join(" AND ")}` : "";
  };
  let ids = `SELECT b.id FROM "Book" b ${sort.join ?? ""} ${where()} ORDER BY ${sort.order} LIMIT ${PAGE_SIZE} OFFSET ${offset}`;
  if (sort.without) {
    const reach = PAGE_SIZE + offset;
    const parts = [
      `(SELECT b.id, row_number() OVER (ORDER BY ${sort.order}) AS n FROM "Book" b ${sort.join} ${where()} ORDER BY ${sort.order} LIMIT ${reach})`,
      `(SELECT b.id, row_number() OVER (ORDER BY ${sort.without.order}) AS n FROM "Book" b ${where(sort.without.where)} ORDER BY ${sort.without.order} LIMIT ${reach})`,
    ];
    if (sort.without.first) parts.reverse();
    ids = `SELECT id FROM (SELECT id, 0 AS part, n FROM ${parts[0]} x UNION ALL SELECT id, 1, n FROM ${parts[1]} y) u
           ORDER BY part, n LIMIT ${PAGE_SIZE} OFFSET ${offset}`;
  }
  return `WITH page AS (
      SELECT p.id, row_number() OVER () AS n FROM (${ids}) p)
    SELECT b.id, b.title, a.name AS author, b.status, b.price, b.pages, b."publishedDate", b.bestseller,
           (SELECT string_agg(g.name, ', ' ORDER BY g.name) FROM "_BookToGenre" bg JOIN "Genre" g ON g.id = bg."B" WHERE bg."A" = b.id) AS genres
    FROM page JOIN "Book" b ON b.id = page.id JOIN "Author" a ON a.id = b."authorId" ORDER BY page.n`;
}

/**
 * Every sortable column (both ways) × no filter, each filter type, three searches and a deep page, on
 * 1,000,000 books: the demo's list page through full HTTP, signed in, beside the bare SQL for the
 * same rows, interleaved. Each cell also checks that both show the same rows.
 */
export async function matrixBench(url: string, options: { iterations?: number; only?: RegExp } = {}): Promise<string> {
  const iterations = options.iterations ?? 20;
  const pool = createPool(url, 10);
  await ensureBooks(pool, BOOKS);
  const prisma = createPrisma(url);
  const server = await demoBenchServer(pool, prisma);
  const cells: Cell[] = [];
  const started = Date.now();
  try {
    for (const filter of FILTERS) {
      for (const sort of sorts()) {
        if (options.only && !options.only.test(`${sort.name} × ${filter.name}`)) continue;
        const query = [filter.query, sort.param ? `sort=${sort.param}` : ""].filter(Boolean).join("&");
        const pageUrl = `${server.origin}/books/${query ? `?${query}` : ""}`;
        let html = "";
        const page = async () => {
          const response = await fetch(pageUrl, { headers: { cookie: server.cookie } });
          if (response.status !== 200) throw new Error(`${pageUrl}: HTTP ${response.status}`);
          html = await response.text();
        };
        const sql = bareSql(sort, filter);
        const params = filter.authors
          ? [...filter.params, (await pool.query<{ id: number }>(`SELECT id FROM "Author" WHERE name ILIKE $1`, filter.params)).rows.map((row) => row.id)]
          : filter.params;
        let sqlIds: number[] = [];
        const bare = async () => {
          sqlIds = (await pool.query<{ id: number }>(sql, params)).rows.map((row) => row.id);
        };
        const [ours, sqlTiming] = await interleaved(page, bare, iterations, 3);
        const pageIds = [...html.matchAll(/data-pc-row="(\d+)"/g)].map((match) => Number(match[1]));
        cells.push({ sort: sort.name, filter: filter.name, ours, sql: sqlTiming, sameRows: pageIds.length > 0 && pageIds.join() === sqlIds.join() });
      }
    }
  } finally {
    server.close();
    await prisma.$disconnect();
    await pool.end();
  }
  return report(cells, iterations, (Date.now() - started) / 1000);
}

function report(cells: Cell[], iterations: number, seconds: number): string {
  const ratio = (cell: Cell) => cell.ours.p95 / cell.sql.p95;
  const worst = [...cells].sort((a, b) => b.ours.p95 - a.ours.p95).slice(0, 10);
  const missed = cells.filter((cell) => cell.ours.p95 > 50 || ratio(cell) > 3);
  const differing = cells.filter((cell) => !cell.sameRows);
  const sortNames = [...new Set(cells.map((cell) => cell.sort))];
  const grid = sortNames.map((sort) => [sort, ...FILTERS.map((filter) => {
    const cell = cells.find((candidate) => candidate.sort === sort && candidate.filter === filter.name);
    return cell ? `${fmt(cell.ours.p95)} (${ratio(cell).toFixed(1)}×)` : "–";
  })]);
  return [
    `List matrix on ${BOOKS.toLocaleString("en")} books: the demo's list page through full HTTP (signed in as admin) vs the bare SQL for the same 25 rows; ${cells.length} cells, ${iterations} interleaved runs each, ${seconds.toFixed(0)} s.`,
    "",
    "Ten worst cells (ms):",
    "",
    table(["sort", "filter", "PowerCRUD p50", "p95", "bare SQL p50", "p95", "ratio (p95)"], worst.map((cell) => [
      cell.sort, cell.filter, fmt(cell.ours.p50), fmt(cell.ours.p95), fmt(cell.sql.p50), fmt(cell.sql.p95), `${ratio(cell).toFixed(1)}×`,
    ])),
    "",
    `Cells over 50 ms p95: ${cells.filter((cell) => cell.ours.p95 > 50).length}; over 3× their bare SQL (p95): ${cells.filter((cell) => ratio(cell) > 3).length}; missing either target: ${missed.length} of ${cells.length}.`,
    `Cells whose page showed other rows than the bare SQL: ${differing.length ? differing.map((cell) => `${cell.sort} × ${cell.filter}`).join("; ") : "none"}.`,
    "",
    "Every cell, PowerCRUD p95 in ms (ratio to its bare SQL's p95):",
    "",
    table(["sort", ...FILTERS.map((filter) => filter.name)], grid),
  ].join("\n");
}
