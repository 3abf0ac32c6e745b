import type { Resource } from "../config/resolve-resource";
import { ident } from "../db/sql";
import type { Column } from "../list/columns";
import { manyToManySql } from "../list/page-rows";
import { withLiterals } from "./copy-out";
import type { ExportQuery } from "./export-query";

/**
 * A CSV export as one `COPY (...) TO STDOUT` statement: the export's rows (its joins, filters and
 * order), each column formatted in SQL exactly as the cursor path formats it in Node (export-values
 * and csv.ts): ISO dates, `true`/`false`, decimals as PostgreSQL prints them at their scale,
 * many-to-many names joined, and the formula guard. PostgreSQL then writes the CSV itself, which is
 * the cheapest way there is to read a million rows out. Undefined when a column needs Node (a
 * computed property): that export goes through the cursor.
 */
export function csvCopySql(resource: Resource, query: ExportQuery): string | undefined {
  const selects = query.columns.map((column) => csvExpression(resource, column));
  if (selects.some((select) => select === undefined)) return undefined;
  return withLiterals(`COPY (SELECT ${selects.join(", ")} ${query.from}) TO STDOUT WITH (FORMAT csv)`, query.params);
}

function csvExpression(resource: Resource, column: Column): string | undefined {
  if (column.kind === "many") {
    const names = manyToManySql(resource, column, "names");
    return names && guarded(names);
  }
  if (column.kind === "property" || !column.sql) return undefined;
  const value = `${column.sql.alias}.${ident(column.sql.column)}`;
  switch (column.format) {
    case "integer":
    case "number":
    case "decimal":
      return value;
    case "boolean":
      return `CASE WHEN ${value} THEN 'true' WHEN NOT ${value} THEN 'false' END`;
    case "date":
      return `to_char(${value}, 'YYYY-MM-DD')`;
    case "datetime":
      // TimeZone is UTC in the export's transaction: timestamptz columns print in UTC too.
      return `to_char(${value}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    default:
      return guarded(`${value}::text`);
  }
}

/** OWASP's CSV injection guard (see csv.ts): a leading apostrophe before =, +, -, @, tab or carriage return. */
function guarded(text: string): string {
  return `regexp_replace(${text}, '^([-=+@\\t\\r])', '''\\1')`;
}
