import type { Resource } from "../config/resolve-resource";
import { activeFilters, whereSql } from "../list/filters";
import { idColumn } from "../model/relations";
import type { SelectionTarget } from "./selection-store";

/** The list query parameters a selection keeps for "all matching": search and filters, nothing else. */
export function filterQueryOf(query: Record<string, unknown>, resource: Resource): string {
  const keep = new URLSearchParams();
  const names = new Set(["q", ...resource.filters.flatMap((spec) => [spec.name, `${spec.name}.min`, `${spec.name}.max`, `${spec.name}.empty`, `${spec.name}.all`])]);
  for (const [key, value] of Object.entries(query)) {
    if (!names.has(key)) continue;
    for (const item of [value].flat()) if (typeof item === "string" && item !== "") keep.append(key, item);
  }
  return keep.toString();
}

/** How selections of this resource reach its rows and rebuild a stored filter as SQL. */
export function selectionTarget(resource: Resource): SelectionTarget {
  return {
    table: resource.model.dbName,
    idColumn: idColumn(resource.model),
    matchSql(filterQuery, firstParam) {
      const query = Object.fromEntries(
        [...new URLSearchParams(filterQuery).keys()].map((key) => [key, new URLSearchParams(filterQuery).getAll(key)]),
      );
      const search = typeof query.q?.[0] === "string" ? query.q[0].replaceAll("\0", "").trim() : "";
      const where = whereSql(activeFilters(resource.filters, query), { text: search, conditions: resource.searchConditions }, resource.model, firstParam);
      return { sql: where.clauses.length ? where.clauses.join(" AND ") : "TRUE", params: where.params };
    },
  };
}
