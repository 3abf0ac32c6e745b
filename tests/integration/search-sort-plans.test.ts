/**
 * Search with sort, by PostgreSQL's own plans for the statements the list runs (from the list-query
 * module), on 150,000 books analysed as a big catalogue is: a search matching many rows sorted by an
 * indexed column walks the sort index and filters, stopping after a page, instead of fetching every
 * match to sort it; a search matching few rows fetches them through the trigram indexes and sorts
 * that handful; and the count combines index scans instead of reading the table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoCrud } from "../../src/demo/crud";
import { seedCatalogue } from "../../src/demo/seed";
import { countQuery, pageIdsQuery } from "../../src/list/list-query";
import { parseListState } from "../../src/list/list-state";
import { listStateOptions, listWhere } from "../../src/web/list-page";
import { connect } from "../support/database";

const db = connect();
const BOOKS = 150_000;
const resource = demoCrud({ pool: db.pool, prisma: db.prisma }).routers.books.resource;

beforeAll(async () => {
  // seedCatalogue ends with VACUUM ANALYZE: statistics and the visibility map as on a live table.
  await seedCatalogue(db.pool, { books: BOOKS, authors: 300, genres: 20 });
}, 60_000);
afterAll(() => db.close());

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  "Scan Direction"?: string;
  Plans?: PlanNode[];
}

/** The statements a list URL's query runs for its page and its count, with their plans. */
async function plans(query: Record<string, string>) {
  const state = parseListState(query, listStateOptions(resource));
  const where = await listWhere(resource, state);
  const page = pageIdsQuery(resource.model, resource.listColumns, state, where);
  const count = countQuery(resource.model, where);
  const explain = async (statement: { text: string; values: unknown[] }) =>
    nodes((await db.pool.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values)).rows[0]!["QUERY PLAN"][0]!.Plan);
  return { page: await explain(page), count: await explain(count), pageSql: page.text, matches: await matches(count) };
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function matches(count: { text: string; values: unknown[] }): Promise<number> {
  return Number((await db.pool.query<{ total: string }>(count.text, count.values)).rows[0]!.total);
}

const indexScans = (plan: PlanNode[]) => plan.filter((node) => node["Node Type"] === "Index Scan" || node["Node Type"] === "Index Only Scan");
const walks = (plan: PlanNode[], index: string) => indexScans(plan).find((node) => node["Index Name"] === index);
/** A Sort node sorts everything under it; an Incremental Sort only rows that tie on what the index gives. */
const sorts = (plan: PlanNode[]) => plan.some((node) => node["Node Type"] === "Sort");
const bitmapOn = (plan: PlanNode[], index: string) => plan.some((node) => node["Node Type"] === "Bitmap Index Scan" && node["Index Name"] === index);
const readsWholeBookTable = (plan: PlanNode[]) => plan.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "Book");

describe("a search matching many rows, sorted by an indexed column", () => {
  it.each([
    [{ q: "harbour", sort: "price" }, "Book_price_id_idx", "Forward"],
    [{ q: "harbour", sort: "-price" }, "Book_price_id_idx", "Backward"],
    [{ q: "harbour", sort: "-publishedDate" }, "Book_publishedDate_id_idx", "Backward"],
    [{ q: "the", sort: "title" }, "Book_title_id_idx", "Forward"],
    [{ q: "the", sort: "-pages" }, "Book_pages_id_idx", "Backward"],
    [{ q: "harbour", status: "DRAFT", sort: "pages" }, "Book_pages_id_idx", "Forward"],
  ])("%o walks %s (%s) and filters, with no sort of the matches", async (query, index, direction) => {
    const plan = await plans(query);
    expect(plan.matches).toBeGreaterThan(1_000);
    expect(walks(plan.page, index), plan.pageSql).toMatchObject({ "Scan Direction": direction });
    expect(sorts(plan.page)).toBe(false);
  });

  it("a related row's name in the search (authors called Thea) is compared as ids, and the sort index is still walked", async () => {
    const plan = await plans({ q: "thea", sort: "price" });
    expect(plan.pageSql).toMatch(/t\."authorId" = ANY\(\$\d+::int4\[\]\)/);
    expect(plan.matches).toBeGreaterThan(1_000);
    expect(walks(plan.page, "Book_price_id_idx")).toBeDefined();
    expect(sorts(plan.page)).toBe(false);
  });

  it("sorted by a relation, walks the related table's (name, id) index and each one's books by (key, id)", async () => {
    const plan = await plans({ q: "harbour", sort: "author" });
    expect(walks(plan.page, "Author_name_id_idx")).toBeDefined();
    expect(walks(plan.page, "Book_authorId_id_idx")).toBeDefined();
    expect(sorts(plan.page)).toBe(false);
  });

  it("is counted by combining index scans (the title, ISBN and author indexes), never by reading the table", async () => {
    const plan = await plans({ q: "harbour", sort: "price" });
    expect(bitmapOn(plan.count, "Book_title_trgm_idx")).toBe(true);
    expect(bitmapOn(plan.count, "Book_isbn_trgm_idx")).toBe(true);
    expect(readsWholeBookTable(plan.count)).toBe(false);
  });
});

describe("a search matching few rows, sorted", () => {
  it("fetches the matches through the trigram indexes and sorts only them, instead of walking the sort index", async () => {
    const plan = await plans({ q: "12345", sort: "price" });
    expect(plan.matches).toBeGreaterThan(0);
    expect(plan.matches).toBeLessThan(50);
    expect(bitmapOn(plan.page, "Book_isbn_trgm_idx")).toBe(true);
    expect(walks(plan.page, "Book_price_id_idx")).toBeUndefined();
    expect(readsWholeBookTable(plan.page)).toBe(false);
  });
});
