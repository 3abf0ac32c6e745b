import type { Request, Router } from "express";
import { recordHistory, type HistoryCursor, type HistoryPage } from "../history/record-history";
import { checkInteger, integerDomain, type ColumnDomain } from "../model/column-domain";
import { HttpError } from "./http-error";
import { canDo } from "./permissions";
import { targets } from "./htmx";
import { parseRecordId } from "./record-id";
import type { ResourceWeb } from "./resource-web";

/** Changes a History panel shows at once; "Show older changes" loads the next as many. */
export const HISTORY_PAGE_SIZE = 20;
const OLDER_ID = "pc-history-older";

/** What the History panel partial needs: the entries and the link to the older ones. */
export interface HistoryView extends HistoryPage {
  olderUrl?: string;
}

/** The first page of a record's history for its detail view; undefined when the resource keeps none or the user may not see it. */
export async function historyView(web: ResourceWeb, req: Request, recordId: string, cursor: HistoryCursor = {}): Promise<HistoryView | undefined> {
  const { resource } = web;
  if (!resource.history.enabled || !(await canDo(resource, "history", req)).allowed) return undefined;
  const page = await recordHistory(resource, recordId, cursor, HISTORY_PAGE_SIZE, resource.global.tasks.url);
  const older = page.older && new URLSearchParams({ ...(page.older.task !== undefined ? { tasks: String(page.older.task) } : {}), ...(page.older.change !== undefined ? { changes: String(page.older.change) } : {}) });
  return { ...page, ...(older ? { olderUrl: `${req.baseUrl}/${encodeURIComponent(recordId)}/history?${older}` } : {}) };
}

/**
 * GET /:id/history?tasks=&changes=: older entries of a record's History panel. "Show older changes"
 * swaps itself for them (htmx); without JavaScript it opens the same entries on a page of their own.
 */
export function historyRoutes(router: Router, web: ResourceWeb): void {
  const { resource, route, require, render, renderPartial } = web;
  router.get("/:id/history", route(async (req, res) => {
    await require(req, "detail");
    if (!resource.history.enabled) throw new HttpError(404, `${resource.plural} keep no history.`);
    await require(req, "history");
    const id = String(parseRecordId(resource.global.dataModel, resource.model, String(req.params.id), resource.singular));
    const history = await historyView(web, req, id, { task: cursorOf(req.query.tasks, TASK_ID), change: cursorOf(req.query.changes, CHANGE_ID) });
    const context = { history, recordUrl: `${req.baseUrl}/${encodeURIComponent(id)}`, pageTitle: `History of ${resource.singular.toLowerCase()} ${id}` };
    if (targets(req, OLDER_ID)) return render(req, res, "powercrud/partials/record-history-entries.njk", context);
    renderPartial(req, res, "powercrud/partials/record-history.njk", { ...context, standalone: true });
  }));
}

// The cursors are ids of powercrud.task (integer) and powercrud.record_change (bigserial, read as a
// JavaScript number): one outside them would reach PostgreSQL as an error instead of a 400.
const TASK_ID = integerDomain("int4");
const CHANGE_ID = { ...integerDomain("int8"), max: BigInt(Number.MAX_SAFE_INTEGER) };

function cursorOf(value: unknown, domain: Extract<ColumnDomain, { kind: "integer" }>): number | undefined {
  if (value === undefined || value === "") return undefined;
  const checked = typeof value === "string" ? checkInteger(value, domain) : undefined;
  if (!checked?.ok || checked.value < 1n) throw new HttpError(400, `The history page's position (tasks, changes) must be a whole number from 1 to ${domain.max}.`);
  return Number(checked.value);
}
