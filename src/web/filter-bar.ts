import type { Resource } from "../config/resolve-resource";
import { DATE_PRESETS, presetLabel } from "../list/date-presets";
import type { ActiveFilter, FilterSpec } from "../list/filters";
import { stateQuery, type ListState } from "../list/list-state";
import { relatedChoices, searchRelated, searchText, type Choice, type ChoicePage } from "../model/related-search";
import { CHOICES_PAGE_SIZE } from "./choice-page";

export interface FilterControl {
  spec: FilterSpec;
  active?: ActiveFilter;
  /** Shown in the panel: a default filter, one with a value, or one the user added. */
  shown: boolean;
  /** Not a default filter: "Add filter" offers it while it is hidden. */
  optional: boolean;
  /** The list with this filter added to the panel (the "Add filter" link without JavaScript). */
  addHref?: string;
  /** Relation and many-to-many: the chosen records with their labels, in the order chosen. */
  chosen?: Choice[];
  /** Relation and many-to-many: where the combobox loads its choices. */
  choicesUrl?: string;
  /** Without JavaScript: the choices matching the text submitted in the filter's search box. */
  found?: ChoicePage & { search: string };
}

export interface FilterBarView {
  searchable: boolean;
  search: string;
  controls: FilterControl[];
  /** Hidden optional filters, offered by "Add filter". */
  addable: FilterControl[];
  /** One chip per active filter (and one for the search text), each with the URL that removes it. */
  chips: Array<{ label: string; removeHref: string }>;
  clearHref: string;
  /** Chips shown: filters and the search text (the table's empty state reads it). */
  activeCount: number;
  /** Active filters, the search text not counted: the Filters button's badge. */
  filterCount: number;
  /** Hidden inputs that carry sort and page size through a filter change (which resets the page). */
  keep: Array<[string, string]>;
  datePresets: typeof DATE_PRESETS;
}

export async function filterBarView(resource: Resource, state: ListState, listUrl: string, query: Record<string, unknown>): Promise<FilterBarView> {
  const options = { pageSize: resource.config.list.pageSize, defaultSort: resource.config.list.defaultSort };
  const prisma = resource.global.prisma;
  const at = (change: Partial<ListState>) => listUrl + stateQuery(state, options, { page: 1, ...change });
  const controls: FilterControl[] = await Promise.all(
    resource.filters.map(async (spec) => {
      const active = state.filters.find((filter) => filter.spec === spec);
      const optional = !resource.defaultFilters.includes(spec.name);
      const shown = !optional || Boolean(active) || state.shownFilters.includes(spec.name);
      const control: FilterControl = { spec, shown, optional, ...(active ? { active } : {}) };
      if (optional && !shown) control.addHref = `${at({ shownFilters: [...state.shownFilters, spec.name] })}#pc-filter-${spec.name}`;
      if (spec.relation) {
        const relation = spec.relation;
        control.choicesUrl = `${listUrl}_filter-choices/${encodeURIComponent(spec.name)}`;
        const labels = await relatedChoices(prisma, relation, active?.values ?? []);
        control.chosen = (active?.values ?? []).map((value) => labels.find((label) => label.value === value) ?? { value, label: value });
        const search = choiceSearchOf(query, spec.name);
        if (search !== undefined && shown) control.found = { search, ...(await searchRelated(prisma, relation, { search, page: 1, pageSize: CHOICES_PAGE_SIZE })) };
      }
      return control;
    }),
  );
  const chips = state.filters.map((filter) => ({
    label: chipLabel(filter, controls.find((control) => control.spec === filter.spec)?.chosen ?? []),
    // Removing a filter takes it out of the panel too.
    removeHref: at({ filters: state.filters.filter((other) => other !== filter), shownFilters: state.shownFilters.filter((name) => name !== filter.spec.name) }),
  }));
  if (state.search) chips.unshift({ label: searchLabel(state.search), removeHref: at({ search: "" }) });
  const keepQuery = new URLSearchParams(stateQuery(state, options, { page: 1, search: "", filters: [], shownFilters: [] }).slice(1));
  return {
    searchable: resource.searchConditions.length > 0,
    search: state.search,
    controls,
    addable: controls.filter((control) => !control.shown),
    chips,
    clearHref: at({ search: "", filters: [], shownFilters: [] }),
    activeCount: chips.length,
    filterCount: state.filters.length,
    keep: [...keepQuery.entries()],
    datePresets: DATE_PRESETS,
  };
}

/**
 * What a relation filter's search box sent (`author.q`): without JavaScript, the panel lists the
 * matching records to choose from. Absent when the box was empty (every Apply sends it).
 */
function choiceSearchOf(query: Record<string, unknown>, name: string): string | undefined {
  return searchText(query[`${name}.q`]) || undefined;
}

export function searchLabel(text: string): string {
  return `Search: “${text}”`;
}

/** A filter in words, as its chip shows it ("Status: is Draft"); also names a selection's filter. */
export function chipLabel(filter: ActiveFilter, options: Choice[]): string {
  const { spec } = filter;
  const parts: string[] = [];
  if (filter.empty !== undefined) parts.push(filter.empty ? "is empty" : "is not empty");
  if (filter.text) parts.push(`contains “${filter.text}”`);
  if (filter.values?.length) {
    const names = filter.values.map((value) => spec.choices?.find((c) => c.value === value)?.label ?? options.find((o) => o.value === value)?.label ?? value);
    if (spec.kind === "boolean") parts.push(filter.values[0] === "yes" ? "yes" : "no");
    else parts.push(`${filter.all && names.length > 1 ? "all of" : names.length > 1 ? "any of" : "is"} ${names.join(", ")}`);
  }
  if (filter.preset) parts.push(presetLabel(filter.preset).toLowerCase());
  else if (filter.min && filter.max) parts.push(`between ${filter.min} and ${filter.max}`);
  else if (filter.min) parts.push(`from ${filter.min}`);
  else if (filter.max) parts.push(`up to ${filter.max}`);
  return `${spec.label}: ${parts.join(", ")}`;
}
