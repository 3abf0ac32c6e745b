import type { Resource } from "../config/resolve-resource";
import { activeFilters, type ActiveFilter } from "../list/filters";
import { searchOf } from "../list/list-state";
import { relatedChoices, type Choice } from "../model/related-search";
import type { Selection } from "../selection/selection-store";
import { filterQueryOf, queryObject } from "../selection/selection-target";
import { chipLabel, searchLabel } from "./filter-bar";

/** What a selection covers, in words a user can check before acting on it. */
export interface SelectionScope {
  mode: "ids" | "all";
  /** The stored filter in words ("Status: is Draft; Search: “harbour”"); "" when the selection is not by filter or the filter is empty. */
  filterLabel: string;
  /** The list showing the selection's filter. */
  showUrl: string;
  /** The selection was made under another filter than the list's: it is kept apart from the list. */
  apart: boolean;
}

/**
 * Names the filter an "all matching" selection was made under, with the same words as the filter
 * chips (relation ids become their display names), and says whether the list shows another filter.
 */
export async function selectionScope(resource: Resource, listUrl: string, selection: Selection | undefined, listQuery: string): Promise<SelectionScope> {
  if (!selection || selection.mode !== "all") return { mode: "ids", filterLabel: "", showUrl: listUrl, apart: false };
  const query = queryObject(selection.filterQuery);
  const active = activeFilters(resource.filters, query);
  const words = await Promise.all(active.map(async (filter) => chipLabel(filter, await chosenNames(resource, filter))));
  const search = searchOf(query);
  if (search) words.unshift(searchLabel(search));
  return {
    mode: "all",
    filterLabel: words.join("; "),
    showUrl: listUrl + (selection.filterQuery ? `?${selection.filterQuery}` : ""),
    apart: filterQueryOf(queryObject(listQuery), resource) !== selection.filterQuery,
  };
}

/** Display names of the related records a relation filter chose. */
async function chosenNames(resource: Resource, filter: ActiveFilter): Promise<Choice[]> {
  return filter.spec.relation ? relatedChoices(resource.global.prisma, filter.spec.relation, filter.values ?? []) : [];
}

/** One sentence for bulk forms: exactly which rows the action takes, by filter and exceptions or by ticks. */
export function scopeSentence(resource: Resource, scope: SelectionScope, count: number, exceptions: { included: number; excluded: number }): string {
  const plural = resource.plural.toLowerCase();
  const ticked = (n: number) => `${n.toLocaleString("en")} ${n === 1 ? resource.singular.toLowerCase() : plural} you ticked`;
  if (scope.mode !== "all") return `The ${ticked(count)}.`;
  const parts = [scope.filterLabel ? `Every ${resource.singular.toLowerCase()} matching ${scope.filterLabel}` : `Every ${resource.singular.toLowerCase()}, unfiltered`];
  if (exceptions.excluded) parts.push(`minus ${exceptions.excluded.toLocaleString("en")} you unticked`);
  if (exceptions.included) parts.push(`plus ${exceptions.included.toLocaleString("en")} you ticked outside the filter`);
  return `${parts.join(", ")}.`;
}
