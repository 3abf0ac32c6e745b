import type { PropertyConfig, RecordRow } from "../config/resource-schema";
import type { ModelMeta } from "../model/types";
import type { Column } from "./columns";

type Select = { [key: string]: true | { select: Select } };

/** The Prisma `select` that fetches exactly what the columns (and their properties' needs) read. */
export function selectFor(model: ModelMeta, columns: Column[], needs: Column[]): Select {
  const select: Select = { [model.idField]: true };
  for (const column of [...columns, ...needs]) {
    if (column.kind === "property") continue;
    const path = column.kind === "many" ? [...column.path, column.itemField!] : column.path;
    addPath(select, path, column.kind === "many");
  }
  return select;
}

function addPath(select: Select, path: string[], withId: boolean): void {
  const [head, ...rest] = path;
  if (!head) return;
  if (rest.length === 0) {
    if (select[head] === undefined) select[head] = true;
    return;
  }
  const existing = select[head];
  const nested: Select = typeof existing === "object" ? existing.select : { id: true };
  if (withId) nested.id = true;
  select[head] = { select: nested };
  addPath(nested, rest, withId);
}

/** The raw value of a column in a fetched record; a list for many-to-many columns. */
export function valueAt(record: RecordRow, column: Column, properties: Record<string, PropertyConfig>): unknown {
  if (column.kind === "property") return properties[column.key]!.value(record);
  if (column.kind === "many") {
    const items = column.path.reduce<any>((value, key) => value?.[key], record);
    return Array.isArray(items) ? items.map((item) => item?.[column.itemField!]) : [];
  }
  return column.path.reduce<any>((value, key) => (value == null ? value : value[key]), record);
}
