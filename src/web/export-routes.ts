import type { Request, Response, Router } from "express";
import type { ColumnPreferences } from "../list/column-preferences";
import { exportQuery, type SelectionSql } from "../export/export-query";
import { hasAtLeast } from "../export/export-size";
import { CONTENT_TYPES, exportFileName, parseExportRequest, type ExportSpec } from "../export/export-spec";
import { ExportAborted } from "../export/output";
import { queueExport } from "../export/queue-export";
import { runExport } from "../export/run-export";
import type { Selection, SelectionStore } from "../selection/selection-store";
import { selectionTarget } from "../selection/selection-target";
import { addFlash } from "./flash";
import { HttpError } from "./http-error";
import { visibleColumnKeys } from "./list-page";
import { canExport } from "./export-menu";
import type { ResourceWeb } from "./resource-web";
import { findSelection } from "./selection-routes";

/**
 * POST /_export: the list (its filters, search, order and the user's visible columns) or the
 * session's selection, as CSV or XLSX. Below the background threshold the file streams straight
 * from a database cursor into the response; at or above it, the export is queued as a background
 * task and the browser goes to its page, which offers the file when it is ready.
 */
export function exportRoutes(router: Router, web: ResourceWeb, selections: SelectionStore, preferences: ColumnPreferences): void {
  const { resource, route } = web;
  const { global } = resource;
  const target = selectionTarget(resource);

  /** The session's selection for an export of the selection; a 422 (or 409 when it was dropped) without one. */
  const selectionOf = async (req: Request, spec: ExportSpec): Promise<Selection | undefined> => {
    if (spec.scope !== "selection") return undefined;
    const { selection, notice } = await findSelection(web, req, selections);
    if (selection) return selection;
    if (notice) throw new HttpError(409, notice, "Selection cleared");
    throw new HttpError(422, `Select the ${resource.plural.toLowerCase()} to export first, or export the whole list.`);
  };

  router.post("/_export", route(async (req, res) => {
    const decision = await canExport(resource, req);
    if (!decision.allowed) throw new HttpError(403, decision.reason!);
    const spec = parseExportRequest(resource, (req.body ?? {}) as Record<string, unknown>, await visibleColumnKeys(resource, req, preferences));
    const selection = await selectionOf(req, spec);
    const selectionSql = selection && selections.resolveSql(selection, target);
    if (resource.background.enabled && (await hasAtLeast(global.pool, exportQuery(resource, spec, selectionSql).matching, resource.export.backgroundMinRecords))) {
      const queued = await queueExport(resource, req, spec, selection, selections);
      addFlash(req, {
        kind: "info",
        message: queued.kind === "duplicate"
          ? "This export is already being prepared: download it here when it is ready."
          : `This export has ${resource.export.backgroundMinRecords.toLocaleString("en")} rows or more, so it is prepared in the background: download it here when it is ready.`,
      });
      return res.redirect(303, `${global.tasks.url.replace(/\/$/, "")}/${queued.taskId}`);
    }
    await streamDownload(req, res, spec, selectionSql);
  }));

  async function streamDownload(req: Request, res: Response, spec: ExportSpec, selection: SelectionSql | undefined): Promise<void> {
    try {
      await runExport(resource, spec, selection, {
        output: () => {
          res.status(200);
          res.set({
            "Content-Type": CONTENT_TYPES[spec.format],
            "Content-Disposition": `attachment; filename="${exportFileName(resource, spec.format)}"`,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
          });
          return res;
        },
      });
    } catch (error) {
      if (!res.headersSent) throw error;
      // Part of the file is out: cut the connection, so the browser reports a failed download
      // instead of keeping a file that looks complete.
      res.destroy();
      if (!(error instanceof ExportAborted) && !req.destroyed) global.logError(error);
    }
  }
}
