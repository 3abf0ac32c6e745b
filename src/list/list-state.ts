import type { Column } from "./columns";

export interface SortKey {
  key: string;
  descending: boolean;
}

/** Everything that decides which rows a list shows; it lives in the URL's query string. */
export interface ListState {
  page: number;
  pageSize: number;
  sort: SortKey[];
}

export interface ListStateOptions {
  pageSize: number;
  pageSizes: number[];
  defaultSort: string[];
  columns: Column[];
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
  return {
    page: Number.isInteger(page) && page >= 1 ? Math.min(page, MAX_PAGE) : 1,
    pageSize: options.pageSizes.includes(pageSize) ? pageSize : options.pageSize,
    sort,
  };
}

/** The query string for a state, leaving out defaults so URLs stay short. */
export function stateQuery(state: ListState, options: Pick<ListStateOptions, "pageSize" | "defaultSort">, change: Partial<ListState> = {}): string {
  const next = { ...state, ...change };
  const params = new URLSearchParams();
  const sort = next.sort.map((key) => (key.descending ? "-" : "") + key.key).join(",");
  if (sort !== options.defaultSort.join(",")) params.set("sort", sort);
  if (next.pageSize !== options.pageSize) params.set("size", String(next.pageSize));
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
