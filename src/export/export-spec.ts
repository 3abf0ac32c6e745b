import type { Resource } from "../config/resolve-resource";
import { EXPORT_FORMATS, type ExportFormat } from "../config/export-schema";
import { parseListState, stateQuery } from "../list/list-state";
import { queryObject } from "../selection/selection-target";
import { HttpError } from "../web/http-error";
import { listStateOptions } from "../web/list-page";

export const EXPORT_SCOPES = ["list", "selection"] as const;
export type ExportScope = (typeof EXPORT_SCOPES)[number];

/** What one export writes; a background export stores it with its task. */
export interface ExportSpec {
  format: ExportFormat;
  /** "list": every row the list's filters and search match; "selection": the selected rows. Both in the list's order. */
  scope: ExportScope;
  /** The list's query, canonical: filters, search and sort (no page or page size). */
  listQuery: string;
  /** The visible columns' keys, as the user chose them. */
  columns: string[];
}

/** A list query longer than this is refused: the list's own limits (200 characters a value) keep real ones far below. */
const MAX_LIST_QUERY = 10_000;

/** An export form's fields, checked before anything runs: a 400 names what is wrong. */
export function parseExportRequest(resource: Resource, body: Record<string, unknown>, visibleColumns: string[]): ExportSpec {
  const formats = resource.export.formats;
  const format = body.format;
  if (typeof format !== "string" || !(EXPORT_FORMATS as readonly string[]).includes(format) || !formats.includes(format as ExportFormat)) {
    throw new HttpError(400, `Choose a file format: ${formats.join(" or ")}.`);
  }
  const scope = body.scope ?? "list";
  if (typeof scope !== "string" || !(EXPORT_SCOPES as readonly string[]).includes(scope)) {
    throw new HttpError(400, "Choose what to export: the list (scope=list) or the selected rows (scope=selection).");
  }
  const raw = body._list ?? "";
  if (typeof raw !== "string") throw new HttpError(400, "The list's query (_list) must be one query string.");
  if (raw.length > MAX_LIST_QUERY) {
    throw new HttpError(422, `This list's filter is too long to export (${raw.length.toLocaleString("en")} characters, at most ${MAX_LIST_QUERY.toLocaleString("en")}). Choose fewer values.`);
  }
  return { format: format as ExportFormat, scope: scope as ExportScope, listQuery: canonicalListQuery(resource, raw), columns: visibleColumns };
}

/** The list query as the list reads it: junk dropped, the default sort left out, no page or page size. */
function canonicalListQuery(resource: Resource, raw: string): string {
  const options = listStateOptions(resource);
  const state = parseListState(queryObject(raw.replace(/^\?/, "")), options);
  return stateQuery({ ...state, page: 1, all: false, pageSize: options.pageSize }, options).replace(/^\?/, "");
}

/** "books-2026-11-29.csv": the list's name and the day, safe in any file system. */
export function exportFileName(resource: Resource, format: ExportFormat, now = new Date()): string {
  const name = resource.plural.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "export";
  return `${name}-${now.toISOString().slice(0, 10)}.${format}`;
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};
