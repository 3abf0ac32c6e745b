import type { Resource } from "../config/resolve-resource";
import { ident } from "../db/sql";
import { resolveColumn, type Column } from "../list/columns";
import { whereSql } from "../list/filters";
import { listOrder } from "../list/list-query";
import { parseListState } from "../list/list-state";
import { rowSql } from "../list/page-rows";
import { idColumn } from "../model/relations";
import { queryObject } from "../selection/selection-target";
import { listStateOptions } from "../web/list-page";
import type { ExportSpec } from "./export-spec";

export interface ExportQuery {
  /** The rows in the list's order, each with what the columns read (flat: "author.name" keys). */
  sql: string;
  params: unknown[];
  /** The columns written, in order: the id (when included), then the list's visible columns. */
  columns: Column[];
  /** What the property columns read besides the written columns. */
  needs: Column[];
  /** The exported rows, unsorted and unjoined: what counting them needs. */
  matching: { sql: string; params: unknown[] };
  /** `FROM ... JOIN ... WHERE ... ORDER BY ...` of `sql` (with its params): the rows, for a select list of another shape. */
  from: string;
}

/** The selected ids as SQL (column `id`), for an export of a selection. */
export type SelectionSql = { sql: string; params: unknown[] };

/**
 * The SQL of an export: the list's own filters, search and order (read from the list's query
 * exactly as the list page reads it), or a selection in the list's order, selecting what the
 * columns show through the same row SQL as list pages. One statement, so one cursor walks it.
 */
export function exportQuery(resource: Resource, spec: ExportSpec, selection?: SelectionSql): ExportQuery {
  const { model } = resource;
  const state = parseListState(queryObject(spec.listQuery), listStateOptions(resource));
  const columns = exportColumns(resource, spec.columns);
  const needs = columns.some((column) => column.kind === "property") ? resource.propertyNeeds : [];

  const order = listOrder(model, resource.listColumns, state);
  const rows = rowSql(resource, [...columns, ...needs], "columns");
  // A sort's join and a column's join of the same path share the alias; the sort's (inner where the
  // key is required) stands for both.
  const joins = new Map([...order.joins, ...[...rows.joins].filter(([alias]) => !order.joins.has(alias))]);

  let where: { clauses: string[]; params: unknown[] };
  if (spec.scope === "selection") {
    if (!selection) throw new Error("An export of a selection needs the selection's SQL.");
    where = { clauses: [`t.${ident(idColumn(model))} IN (SELECT s.id FROM (${selection.sql}) s)`], params: selection.params };
  } else {
    where = whereSql(state.filters, { text: state.search, conditions: resource.searchConditions }, model);
  }
  const whereText = where.clauses.length ? `WHERE ${where.clauses.join(" AND ")}` : "";
  const from = `FROM ${ident(model.dbName)} t ${[...joins.values()].join(" ")} ${whereText} ORDER BY ${order.orderBy}`;
  return {
    sql: `SELECT ${rows.selects.join(", ")} ${from}`,
    params: where.params,
    columns,
    needs,
    matching: { sql: `SELECT 1 FROM ${ident(model.dbName)} t ${whereText}`, params: where.params },
    from,
  };
}

/** The columns an export writes: the id (unless the resource leaves it out), then the chosen list columns in the list's order. */
export function exportColumns(resource: Resource, keys: string[]): Column[] {
  const visible = resource.listColumns.filter((column) => keys.includes(column.key));
  return resource.export.includeId ? [idColumnOf(resource), ...visible] : visible;
}

/** The record id as a column of its own, labelled as the resource labels it ("ID" otherwise). */
function idColumnOf(resource: Resource): Column {
  const { global, model, config } = resource;
  const column = resolveColumn(
    { dataModel: global.dataModel, model, labels: config.labels, properties: {}, displayFields: global.displayFields },
    model.idField,
  );
  return config.labels[model.idField] ? column : { ...column, label: "ID" };
}
