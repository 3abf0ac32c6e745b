import { ident } from "../db/sql";
import { fieldOf, idColumn, idSqlType, manyToMany } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";
import type { JournalScope } from "../tasks/interfaces";

/**
 * A record's values as the journal and the audit trail keep them, built in SQL from the row itself:
 * `{"row": {column: value}, "links": {relation field: [related ids as text, in id order]}}`. Columns
 * are keyed by their database names, so `jsonb_populate_record` turns a snapshot back into typed
 * values exactly (numeric, timestamps, enums, bytea alike), and two snapshots of equal values are
 * equal as jsonb: comparing them is how a revert tells a record changed since.
 */
export type SnapshotScope = Pick<JournalScope, "columns" | "links">;

/** jsonb_build_object takes at most 100 arguments: wider objects are built in parts and joined. */
const PAIRS_PER_CALL = 40;

/** A text literal for SQL; the names it quotes come from metadata, never from users. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A jsonb object of these key → SQL expression pairs. */
export function objectSql(pairs: Array<[string, string]>): string {
  if (pairs.length === 0) return `'{}'::jsonb`;
  const parts: string[] = [];
  for (let start = 0; start < pairs.length; start += PAIRS_PER_CALL) {
    parts.push(`jsonb_build_object(${pairs.slice(start, start + PAIRS_PER_CALL).map(([key, value]) => `${literal(key)}, ${value}`).join(", ")})`);
  }
  return parts.join(" || ");
}

/** The snapshot of the row `alias` (a table alias of the model) for this scope: for one record. */
export function snapshotSql(dataModel: DataModelMeta, model: ModelMeta, scope: SnapshotScope, alias: string): string {
  const ownId = `${alias}.${ident(idColumn(model))}`;
  const links = objectSql(scope.links.map((field) => [field, linkSetSql(linkOf(dataModel, model, field), ownId)]));
  return `jsonb_build_object('row', ${rowSql(scope, alias)}, 'links', ${links})`;
}

/**
 * The snapshots of a chunk of rows at once, equal to snapshotSql's value for value: each link set is
 * aggregated in one pass over its join table for all the chunk's ids (`ids`, SQL of a text[]), one
 * LEFT JOIN per relation after the row's alias, instead of a subquery per row (half the cost).
 */
export function chunkSnapshotSql(dataModel: DataModelMeta, model: ModelMeta, scope: SnapshotScope, alias: string, ids: string): { joins: string; snapshot: string } {
  const joins: string[] = [];
  const links = scope.links.map((field, index): [string, string] => {
    const link = linkOf(dataModel, model, field);
    const name = `${alias}_links${index}`;
    const own = `m.${ident(link.ownColumn)}`;
    const target = `m.${ident(link.targetColumn)}`;
    joins.push(`LEFT JOIN (SELECT ${own} AS own, array_agg(${target}::text ORDER BY ${target}) AS ids FROM ${ident(link.joinTable)} m
      WHERE ${own} = ANY(${ids}::text[]::${idSqlType(model)}[]) GROUP BY ${own}) ${name} ON ${name}.own = ${alias}.${ident(idColumn(model))}`);
    return [field, `to_jsonb(COALESCE(${name}.ids, '{}'::text[]))`];
  });
  return { joins: joins.join("\n"), snapshot: `jsonb_build_object('row', ${rowSql(scope, alias)}, 'links', ${objectSql(links)})` };
}

function rowSql(scope: SnapshotScope, alias: string): string {
  return scope.columns === "all" ? `to_jsonb(${alias})` : objectSql(scope.columns.map((column) => [column, `${alias}.${ident(column)}`]));
}

export interface LinkTable {
  field: string;
  joinTable: string;
  ownColumn: string;
  targetColumn: string;
  /** SQL type of the related model's id. */
  targetType: string;
}

export function linkOf(dataModel: DataModelMeta, model: ModelMeta, field: string): LinkTable {
  const meta = fieldOf(model, field);
  const m2m = meta && manyToMany(dataModel, model, meta);
  if (!m2m) throw new Error(`${model.name}.${field} is not a many-to-many relation.`);
  return { field, joinTable: m2m.joinTable, ownColumn: m2m.ownColumn, targetColumn: m2m.targetColumn, targetType: idSqlType(m2m.target) };
}

/** The related ids of one record, as a sorted jsonb array of text (ids sort by their own type). */
export function linkSetSql(link: LinkTable, ownId: string): string {
  const target = `m.${ident(link.targetColumn)}`;
  return `to_jsonb(ARRAY(SELECT ${target}::text FROM ${ident(link.joinTable)} m WHERE m.${ident(link.ownColumn)} = ${ownId} ORDER BY ${target}))`;
}

/** Every many-to-many relation of a model: what a whole-row snapshot keeps besides the row. */
export function allLinks(dataModel: DataModelMeta, model: ModelMeta): string[] {
  return model.fields.filter((field) => manyToMany(dataModel, model, field)).map((field) => field.name);
}

/** The model's columns a whole-row snapshot writes back when the record exists: all but the id. */
export function writableColumns(model: ModelMeta, scope: SnapshotScope): string[] {
  if (scope.columns !== "all") return scope.columns;
  const id = idColumn(model);
  return model.fields.flatMap((field) => (field.kind !== "object" && field.dbName !== id ? [field.dbName] : []));
}

/** Whole rows and every link set: what a recoverable delete keeps. */
export function wholeRows(dataModel: DataModelMeta, model: ModelMeta): SnapshotScope {
  return { columns: "all", links: allLinks(dataModel, model) };
}

/** The id column of the model compared with ids that travel as text. */
export function idMatch(model: ModelMeta, alias: string, param: string): string {
  return `${alias}.${ident(idColumn(model))} = ANY(${param}::text[]::${idSqlType(model)}[])`;
}
