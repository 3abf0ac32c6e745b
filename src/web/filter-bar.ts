import type { Resource } from "../config/resolve-resource";
import { ident } from "../db/sql";
import type { ActiveFilter, FilterSpec } from "../list/filters";
import { stateQuery, type ListState } from "../list/list-state";

export interface FilterControl {
  spec: FilterSpec;
  active?: ActiveFilter;
  /** Relation choices (id, label) for relation and many-to-many filters. */
  options?: Array<{ value: string; label: string }>;
}

export interface FilterBarView {
  searchable: boolean;
  search: string;
  controls: FilterControl[];
  /** One chip per active filter, each with the URL that removes it. */
  chips: Array<{ label: string; removeHref: string }>;
  clearHref: string;
  activeCount: number;
  /** Hidden inputs that carry sort and page size through a filter change (which resets the page). */
  keep: Array<[string, string]>;
}

const RELATION_OPTION_LIMIT = 500;

export async function filterBarView(resource: Resource, state: ListState, listUrl: string): Promise<FilterBarView> {
  const options = { pageSize: resource.config.list.pageSize, defaultSort: resource.config.list.defaultSort };
  const cache = new Map<string, Promise<Option[]>>();
  const controls: FilterControl[] = await Promise.all(
    resource.filters.map(async (spec) => {
      const active = state.filters.find((filter) => filter.spec === spec);
      return { spec, ...(active ? { active } : {}), ...(spec.relation ? { options: await relationOptions(resource, spec, active, cache) } : {}) };
    }),
  );
  const chips = state.filters.map((filter) => ({
    label: chipLabel(filter, controls.find((control) => control.spec === filter.spec)?.options ?? []),
    removeHref: listUrl + stateQuery(state, options, { page: 1, filters: state.filters.filter((other) => other !== filter) }),
  }));
  if (state.search) chips.unshift({ label: searchLabel(state.search), removeHref: listUrl + stateQuery(state, options, { page: 1, search: "" }) });
  const keepQuery = new URLSearchParams(stateQuery(state, options, { page: 1, search: "", filters: [] }).slice(1));
  return {
    searchable: resource.searchConditions.length > 0,
    search: state.search,
    controls,
    chips,
    clearHref: listUrl + stateQuery(state, options, { page: 1, search: "", filters: [] }),
    activeCount: chips.length,
    keep: [...keepQuery.entries()],
  };
}

/**
 * Choices for relation filters, one query per related table per request (author and editor both list
 * authors), plus any chosen ids beyond the first slice so a chosen filter always shows as chosen.
 */
async function relationOptions(resource: Resource, spec: FilterSpec, active: ActiveFilter | undefined, cache: Map<string, Promise<Option[]>>) {
  const relation = spec.relation!;
  const table = ident(relation.table);
  const [id, label] = [ident(relation.idColumn), ident(relation.labelColumn)];
  let first = cache.get(relation.table);
  if (!first) {
    first = resource.global.pool
      .query<Option>(`SELECT ${id}::text AS value, ${label}::text AS label FROM ${table} ORDER BY ${label}, ${id} LIMIT ${RELATION_OPTION_LIMIT}`)
      .then((result) => result.rows);
    cache.set(relation.table, first);
  }
  const options = await first;
  const missing = (active?.values ?? []).filter((value) => !options.some((option) => option.value === value));
  if (missing.length === 0) return options;
  const { rows } = await resource.global.pool.query<Option>(
    `SELECT ${id}::text AS value, ${label}::text AS label FROM ${table} WHERE ${id}::text = ANY($1::text[])`,
    [missing],
  );
  return [...rows, ...options];
}

type Option = { value: string; label: string };

export function searchLabel(text: string): string {
  return `Search: “${text}”`;
}

/** A filter in words, as its chip shows it ("Status: is Draft"); also names a selection's filter. */
export function chipLabel(filter: ActiveFilter, options: Array<{ value: string; label: string }>): string {
  const { spec } = filter;
  const parts: string[] = [];
  if (filter.empty !== undefined) parts.push(filter.empty ? "is empty" : "is not empty");
  if (filter.text) parts.push(`contains “${filter.text}”`);
  if (filter.values?.length) {
    const names = filter.values.map((value) => spec.choices?.find((c) => c.value === value)?.label ?? options.find((o) => o.value === value)?.label ?? value);
    if (spec.kind === "boolean") parts.push(filter.values[0] === "yes" ? "yes" : "no");
    else parts.push(`${filter.all ? "all of" : names.length > 1 ? "any of" : "is"} ${names.join(", ")}`);
  }
  if (filter.min && filter.max) parts.push(`between ${filter.min} and ${filter.max}`);
  else if (filter.min) parts.push(`from ${filter.min}`);
  else if (filter.max) parts.push(`up to ${filter.max}`);
  return `${spec.label}: ${parts.join(", ")}`;
}
