import type { Resource } from "../config/resolve-resource";
import { activeFilters, whereSql } from "../list/filters";
import { filterParams, searchOf } from "../list/list-state";
import { idColumn, idSqlType } from "../model/relations";
import type { SelectionTarget } from "./selection-store";

/** A query string as the query object Express gives the list (repeated keys become arrays). */
export function queryObject(queryString: string): Record<string, string[]> {
  const params = new URLSearchParams(queryString);
  return Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key)]));
}

/**
 * The canonical filter of a list query: its search and filters exactly as the list validates them
 * (junk dropped, values cut to 200 characters), without sort or page. The one form a selection
 * stores, so a stored filter is never larger or other than what the list itself would run.
 */
export function filterQueryOf(query: Record<string, unknown>, resource: Resource): string {
  const keep = new URLSearchParams();
  const search = searchOf(query);
  if (search) keep.set("q", search);
  for (const filter of activeFilters(resource.filters, query)) {
    for (const [key, value] of filterParams([filter])) {
      // Chosen values as repeated keys, not one comma list: the list cuts each value to 200
      // characters, so a long comma list would not read back as itself.
      if (key === filter.spec.name && filter.values) for (const item of filter.values) keep.append(key, item);
      else keep.append(key, value);
    }
  }
  return keep.toString();
}

/** How selections of this resource reach its rows and rebuild a stored filter as SQL. */
export function selectionTarget(resource: Resource): SelectionTarget {
  return {
    table: resource.model.dbName,
    idColumn: idColumn(resource.model),
    idType: idSqlType(resource.model),
    canonical: (filterQuery) => filterQueryOf(queryObject(filterQuery), resource),
    matchSql(filterQuery, firstParam) {
      const query = queryObject(filterQuery);
      const where = whereSql(activeFilters(resource.filters, query), { text: searchOf(query), conditions: resource.searchConditions }, resource.model, firstParam);
      return { sql: where.clauses.length ? where.clauses.join(" AND ") : "TRUE", params: where.params };
    },
  };
}
