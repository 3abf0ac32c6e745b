import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import type { BulkChange } from "../bulk/bulk-changes";
import { columnCast, sqlValue } from "../bulk/bulk-plan";
import { ident } from "../db/sql";
import { fieldOf, idColumn } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";
import type { JournalScope } from "../tasks/interfaces";
import { chunkSnapshotSql, idMatch, linkOf, literal, objectSql, wholeRows, type LinkTable } from "./snapshot-sql";

/** Journals one chunk of a bulk operation inside the caller's transaction, just before it is applied. */
export interface JournalWriter {
  scope: JournalScope;
  write(client: pg.PoolClient, taskId: number, ids: string[]): Promise<void>;
}

/**
 * The journal of a bulk edit: for each record of the chunk, one row with the edited columns and link
 * sets before (read from the row) and after (what the edit writes: its values, and each link set
 * with the ids added, removed or replaced). One INSERT ... SELECT per chunk, set-based like the
 * edit itself; the rows are locked (FOR NO KEY UPDATE, as the UPDATE would) so no other writer can
 * slip in between the journal and the change.
 */
export function updateJournal(dataModel: DataModelMeta, model: ModelMeta, changes: BulkChange[]): JournalWriter {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value) + 2}`;
  const columns: Array<[string, string]> = [];
  const links: LinkTable[] = [];
  const linkAfter: Array<[string, string]> = [];
  for (const change of changes) {
    const meta = fieldOf(model, change.field.name);
    if (!meta) throw new Error(`Unknown field ${change.field.name}`);
    if (meta.kind === "object") {
      const link = linkOf(dataModel, model, meta.name);
      links.push(link);
      linkAfter.push([link.field, linkSetAfter(link, change, param)]);
    } else {
      columns.push([meta.dbName, `${param(sqlValue(change.value, meta.kind === "scalar" ? meta.nativeType : undefined))}::${columnCast(meta)}`]);
    }
  }
  const scope: JournalScope = { kind: "fields", columns: columns.map(([column]) => column), links: links.map((link) => link.field) };
  // The new values pass through the table's row type once per statement, so the "after" side holds
  // them exactly as the columns store them (a Decimal(10, 2) keeps two places).
  const after = columns.length
    ? `(SELECT ${objectSql(columns.map(([column]) => [column, `r.${ident(column)}`]))} FROM jsonb_populate_record(NULL::${ident(model.dbName)}, ${objectSql(columns)}) r)`
    : `'{}'::jsonb`;
  const chunk = chunkSnapshotSql(dataModel, model, scope, "t", "$1");
  const sql = `INSERT INTO powercrud.journal ("taskId", "recordId", before, after)
    SELECT $2::int, s.id, s.snap, jsonb_build_object('row', ${after}, 'links', ${objectSql(linkAfter)})
    FROM (SELECT t.${ident(idColumn(model))}::text AS id, ${chunk.snapshot} AS snap
          FROM ${ident(model.dbName)} t ${chunk.joins} WHERE ${idMatch(model, "t", "$1")} FOR NO KEY UPDATE OF t) s`;
  return { scope, write: (client, taskId, ids) => client.query(sql, [ids, taskId, ...params]).then(() => undefined) };
}

/** The link set a many-to-many change leaves (from the set before, `s.snap`), as the executor writes it. */
function linkSetAfter(link: LinkTable, change: BulkChange, param: (value: unknown) => string): string {
  const before = `SELECT jsonb_array_elements_text(s.snap->'links'->${literal(link.field)})::${link.targetType}`;
  const given = `SELECT unnest(${param((change.value as unknown[]).map(String))}::text[]::${link.targetType}[])`;
  const set = change.mode === "replace" ? `SELECT DISTINCT x FROM (${given}) g(x)` : `${before} ${change.mode === "remove" ? "EXCEPT" : "UNION"} ${given}`;
  // Ordered by the ids' own type, as snapshots are (a bare "ORDER BY x" would sort the text output).
  return `to_jsonb(ARRAY(SELECT u.x::text FROM (${set}) u(x) ORDER BY u.x))`;
}

/**
 * The journal of a recoverable bulk delete: each deleted row whole (every column, so it can be put
 * back exactly) with all its many-to-many link sets, and nothing after. Locked FOR UPDATE, as the
 * DELETE would lock them.
 */
export function deleteJournal(dataModel: DataModelMeta, model: ModelMeta): JournalWriter {
  const scope: JournalScope = { kind: "deleted", ...wholeRows(dataModel, model) };
  const chunk = chunkSnapshotSql(dataModel, model, scope, "t", "$1");
  const sql = `INSERT INTO powercrud.journal ("taskId", "recordId", before, after)
    SELECT $2::int, t.${ident(idColumn(model))}::text, ${chunk.snapshot}, NULL
    FROM ${ident(model.dbName)} t ${chunk.joins} WHERE ${idMatch(model, "t", "$1")} FOR UPDATE OF t`;
  return { scope, write: (client, taskId, ids) => client.query(sql, [ids, taskId]).then(() => undefined) };
}

/** The journal a resource keeps of a bulk operation, if any: edits when history is on, deletes when they are recoverable too. */
export function journalFor(resource: Resource, kind: "update" | "delete", changes: BulkChange[]): JournalWriter | undefined {
  if (!resource.history.enabled) return undefined;
  const { dataModel } = resource.global;
  if (kind === "update") return updateJournal(dataModel, resource.model, changes);
  return resource.config.bulk.recoverableDelete ? deleteJournal(dataModel, resource.model) : undefined;
}
