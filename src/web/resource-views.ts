import type { Request } from "express";
import type { Resource } from "../config/resolve-resource";
import type { RecordRow, RowAction } from "../config/resource-schema";
import type { Column } from "../list/columns";
import { formatValue } from "../list/format";
import { stateQuery, toggleSort, type ListState } from "../list/list-state";
import { valueAt } from "../list/record-select";
import { recordDecision, type Decision } from "./permissions";

export interface Cell {
  column: Column;
  text: string;
  href?: string;
}

export interface ActionView {
  label: string;
  href: string;
  modal: boolean;
  variant: string;
  allowed: boolean;
  reason?: string;
}

export interface RowView {
  id: string;
  /** The id as the suffix of element ids: any character outside [A-Za-z0-9-] written as _hex_. */
  domId: string;
  name: string;
  cells: Cell[];
  detailUrl?: string;
  edit?: Decision & { url: string };
  /** Where the row's inline edit loads from, when the resource edits fields in place. */
  inlineUrl?: string;
  remove?: Decision & { url: string };
  actions: ActionView[];
}

/** An id as element-id text that keeps distinct ids distinct ("a b" and "a_b" too). */
export function domId(id: string): string {
  return id.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.codePointAt(0)!.toString(16)}_`);
}

/** Cells of a record for the given columns, formatted for display. */
export function cellsOf(resource: Resource, record: RecordRow, columns: Column[], detailUrl?: string): Cell[] {
  return columns.map((column) => ({
    column,
    text: formatValue(valueAt(record, column, resource.config.properties), column),
    ...(column.link && detailUrl ? { href: detailUrl } : {}),
  }));
}

export function recordName(resource: Resource, record: RecordRow): string {
  const value = record[resource.displayField];
  return value === null || value === undefined || value === "" ? `${resource.singular} ${record[resource.model.idField]}` : String(value);
}

export interface ListPermissions {
  detail: boolean;
  update: boolean;
  delete: boolean;
}

/**
 * A table row: cells plus the actions this user may take on the record. Actions the user may never
 * take are left out; actions refused for this record only stay visible, disabled, with the reason.
 */
export async function rowView(resource: Resource, req: Request, record: RecordRow, allowed: ListPermissions, columns: Column[]): Promise<RowView> {
  const id = String(record[resource.model.idField]);
  const base = `${req.baseUrl}/${encodeURIComponent(id)}`;
  const detailUrl = allowed.detail ? base : undefined;
  const [edit, remove, actions] = await Promise.all([
    allowed.update ? recordDecision(resource, "update", req, record) : undefined,
    allowed.delete ? recordDecision(resource, "delete", req, record) : undefined,
    Promise.all(resource.config.rowActions.map((action) => actionView(action, req, record, id, resource.global.getUser(req)))),
  ]);
  return {
    id,
    domId: domId(id),
    name: recordName(resource, record),
    cells: cellsOf(resource, record, columns, detailUrl),
    ...(detailUrl ? { detailUrl } : {}),
    ...(edit ? { edit: { ...edit, url: `${base}/edit` } } : {}),
    ...(edit?.allowed && resource.inlineFields.length ? { inlineUrl: `${base}/inline` } : {}),
    ...(remove ? { remove: { ...remove, url: `${base}/delete` } } : {}),
    actions: actions.filter((action): action is ActionView => action !== undefined),
  };
}

async function actionView(action: RowAction, req: Request, record: RecordRow, id: string, user: unknown): Promise<ActionView | undefined> {
  const result = action.permission ? await action.permission({ user, req, record }) : true;
  if (result !== true && (typeof result !== "string" || result === "")) return undefined;
  const href = typeof action.href === "function" ? action.href(record) : action.href.replaceAll("{id}", encodeURIComponent(id));
  return {
    label: action.label,
    href,
    modal: action.modal,
    variant: action.variant,
    allowed: result === true,
    ...(typeof result === "string" ? { reason: result } : {}),
  };
}

export interface HeaderView {
  column: Column;
  /** aria-sort value. */
  sort: "ascending" | "descending" | "none";
  /** URL that applies the next sort in the cycle (asc → desc → off). */
  href?: string;
}

export function headerViews(resource: Resource, state: ListState, listUrl: string, columns: Column[]): HeaderView[] {
  const options = { pageSize: resource.config.list.pageSize, defaultSort: resource.config.list.defaultSort };
  return columns.map((column) => {
    const current = state.sort.find((key) => key.key === column.key);
    return {
      column,
      sort: current ? (current.descending ? "descending" : "ascending") : "none",
      ...(column.sortable ? { href: listUrl + stateQuery(state, options, { sort: toggleSort(state, column.key), page: 1 }) } : {}),
    };
  });
}

export interface PaginationView {
  page: number;
  pageCount: number;
  total: number;
  first: number;
  last: number;
  pages: Array<{ number: number; href: string; current: boolean } | { gap: true }>;
  previous?: string;
  next?: string;
  firstHref: string;
  lastHref: string;
  sizes: Array<{ value: string; label: string; current: boolean }>;
  /** Hidden inputs that carry search, filters and sort through the page-size form... */
  keep: Array<[string, string]>;
  /** ...and those plus the page size through the jump-to-page form. */
  keepWithSize: Array<[string, string]>;
  all: boolean;
  allLimit: number;
}

export function paginationView(resource: Resource, state: ListState, listUrl: string, total: number, pageCount: number): PaginationView {
  const options = { pageSize: resource.config.list.pageSize, defaultSort: resource.config.list.defaultSort };
  const at = (page: number) => listUrl + stateQuery(state, options, { page });
  const numbers = new Set([1, pageCount, state.page - 2, state.page - 1, state.page, state.page + 1, state.page + 2].filter((n) => n >= 1 && n <= pageCount));
  const sorted = [...numbers].sort((a, b) => a - b);
  const pages: PaginationView["pages"] = [];
  sorted.forEach((number, index) => {
    if (index > 0 && number - sorted[index - 1]! > 1) pages.push({ gap: true });
    pages.push({ number, href: at(number), current: number === state.page });
  });
  return {
    page: state.page,
    pageCount,
    total,
    first: total === 0 ? 0 : (state.page - 1) * state.pageSize + 1,
    last: Math.min(total, state.page * state.pageSize),
    pages,
    ...(state.page > 1 ? { previous: at(state.page - 1) } : {}),
    ...(state.page < pageCount ? { next: at(state.page + 1) } : {}),
    firstHref: at(1),
    lastHref: at(pageCount),
    sizes: [
      ...resource.config.list.pageSizes.map((size) => ({ value: String(size), label: String(size), current: !state.all && size === state.pageSize })),
      ...(resource.config.list.allowAll ? [{ value: "all", label: "All", current: state.all }] : []),
    ],
    keep: [...new URLSearchParams(stateQuery(state, options, { page: 1, all: false, pageSize: options.pageSize }).slice(1)).entries()],
    keepWithSize: [...new URLSearchParams(stateQuery(state, options, { page: 1 }).slice(1)).entries()],
    all: state.all,
    allLimit: resource.config.list.allLimit,
  };
}
