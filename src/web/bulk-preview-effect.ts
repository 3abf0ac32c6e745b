import type { Resource } from "../config/resolve-resource";
import type { BulkChange } from "../bulk/bulk-changes";
import { changeTest } from "../bulk/change-test";
import { ident } from "../db/sql";
import { resolveColumn, type Column } from "../list/columns";
import { formatValue } from "../list/format";
import { pageRows } from "../list/page-rows";
import { valueAt } from "../list/record-select";
import { fieldOf, idColumn } from "../model/relations";
import { recordName } from "./resource-views";

/** How many records a bulk edit would really change, and for the first ten, before → after per field. */
export interface PreviewEffect {
  /** Whether counting finished within the time the preview may wait, and its count. */
  counted: boolean;
  changing: number;
  rows: Array<{ name: string; fields: Array<{ label: string; before: string; after: string }> }>;
}

const SAMPLE = 10;
const WAIT_MS = 60;

/**
 * Counts the selected records a bulk edit would really change (a record that already has the new
 * values is left as it is) and shows the first ten of them before → after, within a short time limit:
 * on a huge selection the count gives way rather than holding up the preview.
 */
export async function previewEffect(
  resource: Resource,
  selection: { sql: string; params: unknown[] },
  changes: BulkChange[],
  nameOf: (model: string, ids: unknown[]) => Promise<string[]>,
): Promise<PreviewEffect> {
  const { global, model } = resource;
  const test = changeTest(global.dataModel, model, changes, selection.params.length + 1);
  const from = `FROM (${selection.sql}) s JOIN ${ident(model.dbName)} t ON t.${ident(idColumn(model))} = s.id WHERE ${test.sql}`;
  const params = [...selection.params, ...test.params];
  const client = await global.pool.connect();
  let changing: number | null = null;
  let ids: string[] = [];
  try {
    await client.query("BEGIN");
    await client.query(`SET LOCAL statement_timeout = ${WAIT_MS}`);
    ids = (await client.query<{ id: string }>(`SELECT s.id::text AS id ${from} ORDER BY s.id LIMIT ${SAMPLE}`, params)).rows.map((row) => row.id);
    changing = ids.length < SAMPLE ? ids.length : Number((await client.query<{ n: string }>(`SELECT count(*) AS n ${from}`, params)).rows[0]!.n);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if ((error as { code?: unknown }).code !== "57014") throw error;
  } finally {
    client.release();
  }
  const columns = changes.map((change) => columnOf(resource, change));
  const records = await pageRows(global.pool, resource, ids, columns);
  const afters = await Promise.all(changes.map((change) => afterOf(change, nameOf)));
  return {
    counted: changing !== null,
    changing: changing ?? 0,
    rows: records.map((record) => ({
      name: recordName(resource, record),
      fields: changes.map((change, index) => {
        const before = valueAt(record, columns[index]!, resource.config.properties);
        return { label: change.field.label, before: text(before, columns[index]!), after: afters[index]!(before) };
      }),
    })),
  };
}

/** The list column that shows a bulk field's current value: a foreign key by its relation. */
function columnOf(resource: Resource, change: BulkChange): Column {
  const { global, model, config } = resource;
  const meta = fieldOf(model, change.field.name);
  const key = meta?.kind === "scalar" && meta.foreignKeyOf ? meta.foreignKeyOf : change.field.name;
  return resolveColumn(
    { dataModel: global.dataModel, model, labels: config.labels, properties: config.properties, displayFields: { ...global.displayFields, [model.name]: resource.displayField } },
    key,
  );
}

function text(value: unknown, column: Column): string {
  const shown = formatValue(value, column);
  return shown === "" ? "—" : shown;
}

/** The field's new value as text, given its value before (many-to-many modes add to or take from it). */
async function afterOf(change: BulkChange, nameOf: (model: string, ids: unknown[]) => Promise<string[]>): Promise<(before: unknown) => string> {
  const { field, value, mode } = change;
  if (field.widget === "relations") {
    const names = await nameOf(field.relation!.model, value as unknown[]);
    return (before) => {
      const current = Array.isArray(before) ? before.map(String) : [];
      const after = mode === "replace" ? names : mode === "remove" ? current.filter((name) => !names.includes(name)) : [...new Set([...current, ...names])].sort();
      return after.length ? after.join(", ") : "—";
    };
  }
  if (field.widget === "relation") {
    const [name] = value === null ? [] : await nameOf(field.relation!.model, [value]);
    return () => name ?? "—";
  }
  if (field.widget === "select") {
    const label = field.choices?.find((choice) => choice.value === value)?.label ?? "—";
    return () => label;
  }
  const format = field.widget === "checkbox" ? "boolean" : field.widget === "date" ? "date" : field.widget === "datetime" ? "datetime" : field.widget === "decimal" ? "decimal" : "text";
  const shown = formatValue(value, { format, ...(field.scale !== undefined ? { scale: field.scale } : {}) });
  return () => (shown === "" ? "—" : shown);
}
