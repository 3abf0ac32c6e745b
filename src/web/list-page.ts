import type { Request } from "express";
import type { Resource } from "../config/resolve-resource";
import type { ColumnPreferences } from "../list/column-preferences";
import { relatedSearchIds, whereSql, type SqlWhere } from "../list/filters";
import { listTotal, pageOf } from "../list/list-query";
import { parseListState, stateQuery, type ListState, type ListStateOptions } from "../list/list-state";
import { rowsOfPage } from "../list/page-rows";
import { StaleSelectionError, type SelectionStore } from "../selection/selection-store";
import { selectionTarget } from "../selection/selection-target";
import type { ResourceWeb } from "./resource-web";
import { loadSelectionBar } from "./selection-routes";
import { isFragmentRequest } from "./htmx";
import { filterBarView } from "./filter-bar";
import { savedViewsMenu } from "./saved-views-menu";
import type { SavedViewStore } from "../list/saved-views";
import { canDo } from "./permissions";
import { canExport, exportMenuView } from "./export-menu";
import { headerViews, paginationView, rowView } from "./resource-views";
import { activeTaskRead, heldRecords } from "../tasks/held-records";
import { readTogether } from "../db/read-together";

export const TABLE_ID = "pc-table";

export function listStateOptions(resource: Resource): ListStateOptions {
  const { list } = resource.config;
  return {
    pageSize: list.pageSize,
    pageSizes: list.pageSizes,
    defaultSort: list.defaultSort,
    columns: resource.listColumns,
    filters: resource.filters,
    defaultFilters: resource.defaultFilters,
    allowAll: list.allowAll,
    allLimit: list.allLimit,
  };
}

/** The columns this user sees: their saved choice, else the resource's default columns, else all. */
export async function visibleColumnKeys(resource: Resource, req: Request, preferences: ColumnPreferences): Promise<string[]> {
  return shownColumns(resource, await preferences.load(req, userKeyOf(resource, req), req.baseUrl));
}

function shownColumns(resource: Resource, saved: string[] | undefined): string[] {
  const all = resource.listColumns.map((column) => column.key);
  const chosen = (saved ?? resource.config.list.defaultColumns ?? all).filter((key) => all.includes(key));
  return chosen.length ? all.filter((key) => chosen.includes(key)) : all;
}

/** Whether rows have an actions column, and whether they offer Quick edit (a column edited in place is shown). */
export function rowControls(resource: Resource, allowed: { update: boolean; delete: boolean }, visible: string[]) {
  return {
    showActions: allowed.update || allowed.delete || resource.config.rowActions.length > 0,
    inlineEdit: allowed.update && resource.inlineFields.some((inline) => visible.includes(inline.column)),
  };
}

export function userKeyOf(resource: Resource, req: Request): string | undefined {
  const user = resource.global.getUser(req);
  return user === undefined || user === null ? undefined : resource.global.userKey(user);
}

/** The list's "Showing 1–25 of N" line with its total counted (the page showed an estimate while it ran). */
export async function listRangeContext(resource: Resource, query: Record<string, unknown>) {
  const { config } = resource;
  const state = parseListState(query, listStateOptions(resource));
  const where = await listWhere(resource, state);
  const { total, totalKind } = await listTotal(resource.global.pool, resource.model, where, { threshold: config.list.countThreshold, timeoutMs: config.list.countTimeoutMs });
  const view = paginationView(resource, state, "", total, Math.max(1, Math.ceil(total / state.pageSize)));
  return { pagination: { first: view.first, last: view.last, total, totalKind } };
}

/** The SQL conditions of a list state: its filters and its search, with the related ids the search matches looked up first. */
export async function listWhere(resource: Resource, state: ListState): Promise<SqlWhere> {
  const relatedIds = await relatedSearchIds(resource.global.pool, resource.searchConditions, state.search);
  return whereSql(state.filters, { text: state.search, conditions: resource.searchConditions, relatedIds }, resource.model);
}

/** Everything the list page and its table partial render, for the list state in `query`. */
export async function listContext(web: ResourceWeb, req: Request, query: Record<string, unknown>, preferences: ColumnPreferences, selections: SelectionStore, views: SavedViewStore) {
  const { resource } = web;
  const { model, config, global } = resource;
  const options = listStateOptions(resource);
  const state = parseListState(query, options);
  const where = await listWhere(resource, state);
  const listUrl = req.baseUrl + "/";
  const target = selectionTarget(resource);
  let stale: StaleSelectionError | undefined;
  const staleAs = <T>(fallback: T) => (error: unknown): T => {
    if (!(error instanceof StaleSelectionError)) throw error;
    stale = error;
    return fallback;
  };
  // Independent reads run side by side (the pool gives each its own connection): the count and the
  // page's rows, permissions, the filter panel, the selection bar, and in one statement the user's
  // columns, their saved views and whether a task holds records of the model. The rows come with
  // their ids in one statement, with every list column (the user's choice is read at the same time)
  // and every scalar column, so record hooks and row-action permissions can read the record.
  const rowColumns = [...resource.listColumns, ...resource.propertyNeeds];
  const userKey = userKeyOf(resource, req);
  const companions = readTogether(global.pool, {
    taskActive: activeTaskRead(model.name),
    ...(userKey === undefined ? {} : { columns: preferences.read(userKey, req.baseUrl), views: views.visibleRead(req.baseUrl, userKey) }),
  });
  const [visible, page, permissions, filterBar, loadedBar, savedViews, taskActive, exporting] = await Promise.all([
    companions.then((read) => shownColumns(resource, userKey === undefined ? preferences.inSession(req, req.baseUrl) : read.columns)),
    pageOf(
      global.pool, model, resource.listColumns, state, where, { threshold: config.list.countThreshold, timeoutMs: config.list.countTimeoutMs },
      (statement) => rowsOfPage(global.pool, resource, statement, rowColumns), (record) => record[model.idField] as number | string,
    ),
    Promise.all((["detail", "update", "delete", "create"] as const).map((action) => canDo(resource, action, req))),
    filterBarView(resource, state, listUrl, query),
    loadSelectionBar(web, req, selections, stateQuery(state, options).slice(1)),
    userKey === undefined ? undefined : companions.then((read) => savedViewsMenu(resource, req, read.views ?? [], userKey, stateQuery(state, options, { page: 1 }).slice(1))),
    companions.then((read) => read.taskActive),
    canExport(resource, req),
  ]);
  const [detail, update, remove, create] = permissions;
  const allowed = { detail: detail!.allowed, update: update!.allowed, delete: remove!.allowed };
  const columns = resource.listColumns.filter((column) => visible.includes(column.key));
  const shownState = { ...state, page: page.page };
  const currentUrl = listUrl + stateQuery(shownState, options);
  let selectionBar = loadedBar?.bar;
  const selection = loadedBar?.selection;
  const records = page.rows;
  const [selected, , held] = await Promise.all([
    selections.selectedAmong(selection, target, page.ids).catch(staleAs(new Set<string>())),
    (async () => {
      // Picked rows may have been deleted since: recount them (bounded by the picks) whenever the list
      // is drawn. A fresh "all" selection is counted by the bar after the click; a full page (maybe
      // without JavaScript) counts it now.
      const recount = selection && selectionBar && (selection.mode === "ids" || (selection.size === null && !isFragmentRequest(req)));
      if (recount) await selections.countNow(selection, target).then((size) => (selectionBar!.size = size), staleAs(undefined));
    })(),
    taskActive ? heldRecords(global.pool, model.name, page.ids) : new Map<string, number>(),
  ]);
  // A stored filter PostgreSQL refused was dropped: the list shows no selection and says why.
  if (stale && selectionBar) selectionBar = { ...selectionBar, token: "", mode: "ids", size: 0, scope: { ...selectionBar.scope, mode: "ids", apart: false }, notice: stale.message };
  const shownSelected = stale ? new Set<string>() : selected;
  const rows = await Promise.all(records.map((record) => rowView(resource, req, record, allowed, columns)));
  return {
    rows: rows.map((row) => ({ ...row, selected: shownSelected.has(row.id), heldBy: held.get(row.id) })),
    tasksUrl: global.tasks.url.replace(/\/$/, ""),
    selectionBar,
    allOnPageSelected: rows.length > 0 && rows.every((row) => shownSelected.has(row.id)),
    headers: headerViews(resource, shownState, listUrl, columns),
    columnChooser: resource.listColumns.map((column) => ({ key: column.key, label: column.label, visible: visible.includes(column.key) })),
    pagination: {
      ...paginationView(resource, shownState, listUrl, page.total, page.pageCount),
      totalKind: page.totalKind,
      ...(page.counting ? { countUrl: `${listUrl}_count${stateQuery(shownState, options)}` } : {}),
    },
    filterBar,
    savedViews,
    currentUrl,
    canCreate: create!.allowed,
    createUrl: `${req.baseUrl}/new`,
    pageTitle: resource.plural,
    tableTemplate: resource.templates.table,
    pastEnd: page.ids.length === 0 && page.page > 1,
    firstPageUrl: listUrl + stateQuery(shownState, options, { page: 1 }),
    ...rowControls(resource, allowed, visible),
    exportMenu: exporting.allowed
      ? exportMenuView(resource, req, stateQuery({ ...shownState, page: 1 }, options).slice(1), page, selectionBar && { size: selectionBar.size })
      : undefined,
  };
}
