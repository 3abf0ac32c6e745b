import type { Resource } from "../config/resolve-resource";
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
  const controls: FilterControl[] = [];
  for (const spec of resource.filters) {
    const active = state.filters.find((filter) => filter.spec === spec);
    controls.push({ spec, ...(active ? { active } : {}), ...(spec.relation ? { options: await relationOptions(resource, spec, active) } : {}) });
  }
  const chips = state.filters.map((filter) => ({
    label: chipLabel(filter, controls.find((control) => control.spec === filter.spec)?.options ?? []),
    removeHref: listUrl + stateQuery(state, options, { page: 1, filters: state.filters.filter((other) => other !== filter) }),
  }));
  if (state.search) chips.unshift({ label: `Search: “${state.search}”`, removeHref: listUrl + stateQuery(state, options, { page: 1, search: "" }) });
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

async function relationOptions(resource: Resource, spec: FilterSpec, active: ActiveFilter | undefined) {
  const relation = spec.relation!;
  const delegate = resource.global.prisma[relation.model.charAt(0).toLowerCase() + relation.model.slice(1)];
  const idField = resource.global.dataModel.models[relation.model]!.idField;
  const select = { [idField]: true, [relation.labelField]: true };
  const rows: any[] = await delegate.findMany({ select, orderBy: { [relation.labelField]: "asc" }, take: RELATION_OPTION_LIMIT });
  const selected = (active?.values ?? []).map(Number).filter((id) => !rows.some((row) => row[idField] === id));
  const extra: any[] = selected.length ? await delegate.findMany({ where: { [idField]: { in: selected } }, select }) : [];
  return [...extra, ...rows].map((row) => ({ value: String(row[idField]), label: String(row[relation.labelField]) }));
}

function chipLabel(filter: ActiveFilter, options: Array<{ value: string; label: string }>): string {
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
