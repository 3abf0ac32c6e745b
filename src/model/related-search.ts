import { parseKey, type ColumnDomain } from "./column-domain";
import { humanize, pluralize } from "./labels";
import { delegateOf } from "./relations";

/**
 * The one search over a related model's display field, behind both the filter panel's relation
 * comboboxes (/_filter-choices) and the form's relation fields (/_choices). It is a Prisma query
 * because a dependent field's choices are narrowed by a Prisma `where` (form.dependentChoices) that
 * must apply before the page is cut. The SQL it becomes is the same a hand-written one would be:
 * `label ILIKE '%term%'` (served by a trigram index on the display field) and `ORDER BY label, id
 * LIMIT n` (served by a (label, id) btree); the index advisor asks for both, and
 * tests/integration/related-search.test.ts checks the plans.
 */

/** Where a relation's choices come from: the related model, its id and its display field. */
export interface RelatedModel {
  model: string;
  idField: string;
  labelField: string;
  /** The display field is text, so a search matches it; otherwise a search names an id. */
  labelIsText: boolean;
  /** What the related id holds: searches and chosen values are parsed by it before any query. */
  key: ColumnDomain;
}

export interface Choice {
  value: string;
  label: string;
}

export interface ChoiceQuery {
  /** Text to find in the display field (case-insensitive, `%` and `_` match themselves); "" lists all. */
  search: string;
  /** 1-based; a page holds `pageSize` choices. */
  page: number;
  pageSize: number;
  /** A dependent field's filter (Prisma `where` of the related model): only matching records are choices. */
  restrict?: Record<string, unknown>;
}

export interface ChoicePage {
  options: Choice[];
  /** Another page follows (never past CHOICES_MAX_PAGE). */
  more: boolean;
  /** How many records match, counted up to MATCH_COUNT_LIMIT. */
  matches: number;
  /** More than MATCH_COUNT_LIMIT match: `matches` is that limit, not the total. */
  manyMatches: boolean;
}

/** Paging stops here: past it, typing narrows the list faster than scrolling. */
export const CHOICES_MAX_PAGE = 50;
/** Counting stops here, so a search over a huge table reads at most this many index entries to count. */
export const MATCH_COUNT_LIMIT = 1_000;
/** Longest search text looked for; longer input is cut (no display name is that long to type). */
const SEARCH_MAX_LENGTH = 200;

/** One page of the related records whose display field contains `search`, in display-field order. */
export async function searchRelated(prisma: Record<string, any>, related: RelatedModel, query: ChoiceQuery): Promise<ChoicePage> {
  const matching = matchWhere(related, query.search);
  if (!matching) return { options: [], more: false, matches: 0, manyMatches: false };
  const where = both(query.restrict, matching);
  const delegate = delegateOf(prisma, related.model);
  const [rows, counted] = await Promise.all([
    delegate.findMany({
      where,
      select: selectOf(related),
      orderBy: [{ [related.labelField]: "asc" }, { [related.idField]: "asc" }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize + 1,
    }) as Promise<Array<Record<string, unknown>>>,
    delegate.count({ where, take: MATCH_COUNT_LIMIT + 1 }) as Promise<number>,
  ]);
  return {
    options: rows.slice(0, query.pageSize).map((row) => choiceOf(related, row)),
    more: rows.length > query.pageSize && query.page < CHOICES_MAX_PAGE,
    matches: Math.min(counted, MATCH_COUNT_LIMIT),
    manyMatches: counted > MATCH_COUNT_LIMIT,
  };
}

/**
 * The chosen records, in the order given, with their labels: one query for just those ids. Values the
 * id cannot hold and ids that name no record (or that `restrict` excludes) are left out.
 */
export async function relatedChoices(prisma: Record<string, any>, related: RelatedModel, values: string[], restrict?: Record<string, unknown>): Promise<Choice[]> {
  const keys = keysOf(related, values);
  if (keys.length === 0) return [];
  const rows: Array<Record<string, unknown>> = await delegateOf(prisma, related.model).findMany({
    where: both(restrict, { [related.idField]: { in: keys } }),
    select: selectOf(related),
  });
  const found = new Map(rows.map((row) => [String(row[related.idField]), choiceOf(related, row)]));
  return keys.flatMap((key) => found.get(String(key)) ?? []);
}

/** How many related records `restrict` allows, counted up to `limit` + 1 (enough to tell "more than limit"). */
export async function countRelated(prisma: Record<string, any>, related: RelatedModel, limit: number, restrict?: Record<string, unknown>): Promise<number> {
  return delegateOf(prisma, related.model).count({ ...(restrict ? { where: restrict } : {}), take: limit + 1 });
}

/** What a combobox announces after a search: how many match, or that there are too many to count. */
export function choiceStatus(related: RelatedModel, page: Pick<ChoicePage, "matches" | "manyMatches">): string {
  const one = humanize(related.model).toLowerCase();
  const many = pluralize(one);
  if (page.manyMatches) return `More than ${page.matches.toLocaleString("en")} ${many} match: type more to narrow them down.`;
  if (page.matches === 0) return `No ${many} match.`;
  return page.matches === 1 ? `1 ${one} matches.` : `${page.matches.toLocaleString("en")} ${many} match.`;
}

/** The search text as the routes take it from a query string: the first value, trimmed and cut. */
export function searchText(value: unknown): string {
  const first = [value].flat()[0];
  return typeof first === "string" ? first.trim().slice(0, SEARCH_MAX_LENGTH) : "";
}

/** The Prisma condition for a search, or undefined when nothing can match (no row holds NUL, or a non-key). */
function matchWhere(related: RelatedModel, search: string): Record<string, unknown> | undefined {
  const term = search.trim();
  if (term === "") return {};
  if (term.includes("\u0000")) return undefined;
  // Prisma hands % and _ to ILIKE as they are: escaped, they match themselves.
  if (related.labelIsText) return { [related.labelField]: { contains: term.replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" } };
  const [key] = keysOf(related, [term]);
  return key === undefined ? undefined : { [related.idField]: key };
}

function both(restrict: Record<string, unknown> | undefined, condition: Record<string, unknown>): Record<string, unknown> {
  return restrict && Object.keys(restrict).length ? { AND: [restrict, condition] } : condition;
}

function selectOf(related: RelatedModel): Record<string, true> {
  return { [related.idField]: true, [related.labelField]: true };
}

function choiceOf(related: RelatedModel, row: Record<string, unknown>): Choice {
  const value = String(row[related.idField]);
  const label = row[related.labelField];
  return { value, label: label === null || label === undefined ? value : label instanceof Date ? label.toISOString() : String(label) };
}

/** The keys among `values` the related id can hold, each once; anything else names no record. */
function keysOf(related: RelatedModel, values: string[]): Array<number | bigint | string> {
  const keys = new Map<string, number | bigint | string>();
  for (const value of values) {
    const key = typeof value === "string" ? parseKey(related.key, value.trim()) : undefined;
    if (key !== undefined) keys.set(String(key), key);
  }
  return [...keys.values()];
}
