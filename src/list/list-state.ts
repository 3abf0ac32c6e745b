import type { Column } from "./columns";
import { activeFilters, type ActiveFilter, type FilterSpec } from "./filters";

export interface SortKey {
  key: string;
  descending: boolean;
}

/** Everything that decides which rows a list shows; it lives in the URL's query string. */
export interface ListState {
  page: number;
  pageSize: number;
  /** "All" was chosen: one page of at most the resource's allLimit rows. */
  all: boolean;
  sort: SortKey[];
  /** Free-text search across the resource's search fields. */
  search: string;
  filters: ActiveFilter[];
  /** Optional filters the user added to the panel ("Add filter") that have no value yet. */
  shownFilters: string[];
}

export interface ListStateOptions {
  pageSize: number;
  pageSizes: number[];
  defaultSort: string[];
  columns: Column[];
  filters: FilterSpec[];
  /** Filters the panel shows without being added; the others wait behind "Add filter". */
  defaultFilters: string[];
  allowAll: boolean;
  allLimit: number;
}

const MAX_PAGE = 10_000_000;

/**
 * Reads list state from a query object. Bad values fall back quietly (a stale bookmark or a typo in
 * the URL still shows a sensible page); unknown sort keys are dropped.
 */
export function parseListState(query: Record<string, unknown>, options: ListStateOptions): ListState {
  const pageSize = Number(first(query.size));
  const page = Number(first(query.page));
  const sortable = new Set(options.columns.filter((column) => column.sortable).map((column) => column.key));
  const requested = typeof first(query.sort) === "string" ? String(first(query.sort)).split(",") : options.defaultSort;
  const sort = requested
    .map((raw) => raw.trim())
    .filter(Boolean)
    .map((raw) => ({ key: raw.replace(/^-/, ""), descending: raw.startsWith("-") }))
    .filter((key, index, all) => sortable.has(key.key) && all.findIndex((other) => other.key === key.key) === index);
  const all = options.allowAll && first(query.size) === "all";
  const filters = activeFilters(options.filters, query);
  return {
    page: all ? 1 : Number.isInteger(page) && page >= 1 ? Math.min(page, MAX_PAGE) : 1,
    pageSize: all ? options.allLimit : options.pageSizes.includes(pageSize) ? pageSize : options.pageSize,
    all,
    sort,
    search: searchOf(query),
    filters,
    shownFilters: shownFiltersOf(query, options, filters),
  };
}

/**
 * The optional filters named by `add` (comma list or repeated) that are not already shown: known
 * names only, in the order of the filters, each once.
 */
function shownFiltersOf(query: Record<string, unknown>, options: ListStateOptions, active: ActiveFilter[]): string[] {
  const named = new Set([query.add].flat().filter((value): value is string => typeof value === "string").flatMap((value) => value.split(",")));
  return options.filters
    .map((spec) => spec.name)
    .filter((name) => named.has(name) && !options.defaultFilters.includes(name) && !active.some((filter) => filter.spec.name === name));
}

/**
 * The search text of a query as the list uses it: no NUL (Postgres text cannot hold it), at most 200
 * characters, trimmed after the cut too, so reading it back gives the same text.
 */
export function searchOf(query: Record<string, unknown>): string {
  const search = first(query.q);
  return typeof search === "string" ? search.replaceAll("\0", "").trim().slice(0, 200).trim() : "";
}

/** The query string for a state, leaving out defaults so URLs stay short. */
export function stateQuery(state: ListState, options: Pick<ListStateOptions, "pageSize" | "defaultSort">, change: Partial<ListState> = {}): string {
  const next = { ...state, ...change };
  const params = new URLSearchParams();
  if (next.search) params.set("q", next.search);
  for (const [key, value] of filterParams(next.filters)) params.append(key, value);
  // A filter with a value shows anyway: only empty added ones need naming.
  const added = next.shownFilters.filter((name) => !next.filters.some((filter) => filter.spec.name === name));
  if (added.length) params.set("add", added.join(","));
  const sort = next.sort.map((key) => (key.descending ? "-" : "") + key.key).join(",");
  if (sort !== options.defaultSort.join(",")) params.set("sort", sort);
  if (next.all) params.set("size", "all");
  else if (next.pageSize !== options.pageSize) params.set("size", String(next.pageSize));
  if (next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Header click cycle for a column: ascending, then descending, then off. */
export function toggleSort(state: ListState, key: string): SortKey[] {
  const current = state.sort.find((sortKey) => sortKey.key === key);
  if (!current) return [{ key, descending: false }];
  if (!current.descending) return [{ key, descending: true }];
  return [];
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** The canonical query parameters of the active filters (only values that passed validation). */
export function filterParams(filters: ActiveFilter[]): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  for (const filter of filters) {
    const name = filter.spec.name;
    if (filter.text) params.push([name, filter.text]);
    if (filter.values?.length) params.push([name, filter.values.join(",")]);
    if (filter.all) params.push([`${name}.all`, "1"]);
    if (filter.preset) params.push([`${name}.preset`, filter.preset]);
    if (filter.min) params.push([`${name}.min`, filter.min]);
    if (filter.max) params.push([`${name}.max`, filter.max]);
    if (filter.empty !== undefined) params.push([`${name}.empty`, filter.empty ? "1" : "0"]);
  }
  return params;
}
