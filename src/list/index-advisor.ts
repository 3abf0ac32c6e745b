import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import { fieldOf, idColumn } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";

/** An index a list needs and the database lacks, with the line that adds it. */
export interface IndexAdvice {
  /** The resource's key, and what asked for the index: "sort by price", "filter by status", "search title". */
  resource: string;
  use: string;
  /** The model whose table needs the index, and the line for its block in schema.prisma. */
  model: string;
  prisma: string;
  /** The same as SQL, for databases not managed by Prisma migrations. */
  sql: string;
}

interface TableIndex {
  table: string;
  method: string;
  columns: string[];
  opclasses: string[];
}

interface Need {
  use: string;
  model: ModelMeta;
  /** Leading column wanted; a btree (then ordered by the id for a stable order) or a trigram GIN. */
  column: string;
  kind: "btree" | "trigram";
}

/**
 * Which of a resource's lists will scan its table: every sortable column, filter and search field
 * needs an index that starts with its column (a trigram index for "contains" searches), or
 * PostgreSQL reads and sorts the whole table for a page of 25 rows. Compares what the options ask
 * for with the database's real indexes (one catalog query) and answers with the missing ones.
 */
export async function adviseIndexes(pool: pg.Pool, resources: Resource[]): Promise<IndexAdvice[]> {
  const needs = resources.flatMap((resource) => needsOf(resource).map((need) => ({ resource, need })));
  if (needs.length === 0) return [];
  const indexes = await tableIndexes(pool, [...new Set(needs.map(({ need }) => need.model.dbName))]);
  const advice = new Map<string, IndexAdvice>();
  for (const { resource, need } of needs) {
    const table = need.model.dbName;
    const served = indexes.some((index) =>
      index.table === table && index.columns[0] === need.column &&
      (need.kind === "btree" ? index.method === "btree" : index.method === "gin" && index.opclasses[0] === "gin_trgm_ops"),
    );
    if (served) continue;
    const key = `${resource.key}|${table}|${need.column}|${need.kind}`;
    if (!advice.has(key)) advice.set(key, { resource: resource.key, use: need.use, model: need.model.name, ...lines(need) });
  }
  return [...advice.values()];
}

/** The advice as lines a developer can act on, one per missing index. */
export function describeAdvice(advice: IndexAdvice[]): string[] {
  return advice.map((item) => `${item.resource}: ${item.use} scans the table. Add to model ${item.model}: ${item.prisma}  (SQL: ${item.sql})`);
}

function needsOf(resource: Resource): Need[] {
  const { model, global } = resource;
  const needs: Need[] = [];
  for (const column of resource.listColumns) {
    if (!column.sortable || !column.sql) continue;
    const last = column.sql.joins.at(-1);
    if (!last) {
      needs.push({ use: `sort by ${column.key}`, model, column: column.sql.column, kind: "btree" });
      continue;
    }
    const related = modelByTable(global.dataModel, last.table);
    if (related) needs.push({ use: `sort by ${column.key}`, model: related, column: column.sql.column, kind: "btree" });
    const first = column.sql.joins[0]!;
    needs.push({ use: `sort by ${column.key}`, model, column: first.fromColumn.split(".")[1]!, kind: "btree" });
  }
  for (const spec of resource.filters) {
    if (spec.column) {
      needs.push({ use: `filter by ${spec.name}`, model, column: spec.column, kind: spec.kind === "text" ? "trigram" : "btree" });
    }
  }
  // Relation comboboxes (filters and form fields) search the related display field and list it in order.
  const related = [
    ...resource.filters.flatMap((spec) => (spec.relation ? [{ name: spec.name, ...spec.relation }] : [])),
    ...resource.formFields.flatMap((field) => (field.relation ? [{ name: field.name, ...field.relation }] : [])),
  ];
  for (const relation of related) {
    const target = global.dataModel.models[relation.model];
    const label = target && fieldOf(target, relation.labelField);
    if (!target || !label || label.kind === "object") continue;
    const use = `choices of ${relation.name}`;
    needs.push({ use, model: target, column: label.dbName, kind: "btree" });
    if (relation.labelIsText) needs.push({ use, model: target, column: label.dbName, kind: "trigram" });
  }
  for (const path of resource.config.list.search) {
    const [head, tail] = path.split(".");
    const field = fieldOf(model, head!);
    if (tail === undefined) {
      if (field && field.kind !== "object") needs.push({ use: `search ${path}`, model, column: field.dbName, kind: "trigram" });
      continue;
    }
    const related = field?.kind === "object" ? global.dataModel.models[field.type] : undefined;
    const target = related && fieldOf(related, tail);
    if (related && target && target.kind !== "object") needs.push({ use: `search ${path}`, model: related, column: target.dbName, kind: "trigram" });
  }
  return needs;
}

function modelByTable(dataModel: DataModelMeta, table: string): ModelMeta | undefined {
  return Object.values(dataModel.models).find((candidate) => candidate.dbName === table);
}

function lines(need: Need): { prisma: string; sql: string } {
  const field = need.model.fields.find((candidate) => candidate.kind !== "object" && candidate.dbName === need.column);
  const name = field?.name ?? need.column;
  const id = need.model.idField;
  const table = `"${need.model.dbName}"`;
  if (need.kind === "trigram") {
    return {
      prisma: `@@index([${name}(ops: raw("gin_trgm_ops"))], type: Gin)`,
      sql: `CREATE INDEX ON ${table} USING gin ("${need.column}" gin_trgm_ops);`,
    };
  }
  // With the id after the column the index serves the list's order (column, then id) and stops after one page.
  const withId = name === id ? `[${name}]` : `[${name}, ${id}]`;
  const sqlColumns = name === id ? `"${need.column}"` : `"${need.column}", "${idColumn(need.model)}"`;
  return { prisma: `@@index(${withId})`, sql: `CREATE INDEX ON ${table} (${sqlColumns});` };
}

async function tableIndexes(pool: pg.Pool, tables: string[]): Promise<TableIndex[]> {
  const { rows } = await pool.query<TableIndex>(
    `SELECT t.relname AS table, am.amname AS method,
            ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            ARRAY(SELECT o.opcname::text FROM unnest(ix.indclass::oid[]) WITH ORDINALITY c(opclass, ord)
                  JOIN pg_opclass o ON o.oid = c.opclass ORDER BY c.ord) AS opclasses
     FROM pg_index ix
     JOIN pg_class i ON i.oid = ix.indexrelid
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_am am ON am.oid = i.relam
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = ANY(current_schemas(false)) AND t.relname = ANY($1::text[]) AND ix.indpred IS NULL`,
    [tables],
  );
  return rows;
}
