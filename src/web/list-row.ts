import type { Request } from "express";
import type { RecordRow } from "../config/resource-schema";
import type { ColumnPreferences } from "../list/column-preferences";
import { pageRows } from "../list/page-rows";
import { StaleSelectionError, type SelectionStore } from "../selection/selection-store";
import { selectionTarget } from "../selection/selection-target";
import { heldRecords } from "../tasks/held-records";
import { HttpError } from "./http-error";
import { rowControls, visibleColumnKeys } from "./list-page";
import { canDo } from "./permissions";
import { rowView, type RowView } from "./resource-views";
import type { ResourceWeb } from "./resource-web";
import { bulkAbilities, findSelection } from "./selection-routes";

/** One list row as the table draws it, with what the row partial needs around it. */
export interface RowContext {
  row: RowView & { selected: boolean; heldBy?: number };
  /** The record as the list loads it (visible columns and every scalar field). */
  record: RecordRow;
  /** The keys of the columns this user sees, in order. */
  visible: string[];
  /** The row has a selection checkbox (the user may select for bulk work). */
  selectionBar: boolean;
  showActions: boolean;
  inlineEdit: boolean;
  currentUrl: string;
  tasksUrl: string;
}

/**
 * A single row of the list, exactly as the whole table would draw it for this user (their columns,
 * permissions, selection tick and the task that holds it), for swapping one row in place.
 */
export async function rowContext(web: ResourceWeb, req: Request, id: string | number | bigint, preferences: ColumnPreferences, selections: SelectionStore): Promise<RowContext> {
  const { resource } = web;
  const { global, model } = resource;
  const visible = await visibleColumnKeys(resource, req, preferences);
  const columns = resource.listColumns.filter((column) => visible.includes(column.key));
  const [records, permissions, abilities, held, selected] = await Promise.all([
    pageRows(global.pool, resource, [id as number | string], [...columns, ...resource.propertyNeeds]),
    Promise.all((["detail", "update", "delete"] as const).map(async (action) => (await canDo(resource, action, req)).allowed)),
    bulkAbilities(web, req),
    heldRecords(global.pool, model.name, [String(id)]),
    isSelected(web, req, selections, String(id)),
  ]);
  const record = records[0];
  if (!record) throw new HttpError(404, `There is no ${resource.singular.toLowerCase()} with id ${String(id)}. It may have been deleted.`);
  const [detail, update, remove] = permissions as [boolean, boolean, boolean];
  const row = await rowView(resource, req, record, { detail, update, delete: remove }, columns);
  return {
    row: { ...row, selected, heldBy: held.get(row.id) },
    record,
    visible,
    selectionBar: abilities.edit || abilities.delete,
    ...rowControls(resource, { update, delete: remove }, visible),
    currentUrl: web.returnUrlOf(req),
    tasksUrl: global.tasks.url.replace(/\/$/, ""),
  };
}

async function isSelected(web: ResourceWeb, req: Request, selections: SelectionStore, id: string): Promise<boolean> {
  const { selection } = await findSelection(web, req, selections);
  try {
    return (await selections.selectedAmong(selection, selectionTarget(web.resource), [id])).has(id);
  } catch (error) {
    // The list drops a stored filter PostgreSQL refuses, and says so; a single row just shows no tick.
    if (error instanceof StaleSelectionError) return false;
    throw error;
  }
}
