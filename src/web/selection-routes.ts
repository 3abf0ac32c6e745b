import type { Request, Response, Router } from "express";
import type { Selection, SelectionStore } from "../selection/selection-store";
import { filterQueryOf, selectionTarget } from "../selection/selection-target";
import { isFragmentRequest, triggerClientEvent } from "./htmx";
import { HttpError } from "./http-error";
import type { ResourceWeb } from "./resource-web";
import { canDo } from "./permissions";

const MAX_IDS_PER_REQUEST = 10_000;

export interface SelectionBarView {
  token: string;
  mode: "ids" | "all";
  /** null while an "all" selection is being counted (the bar then loads its count). */
  size: number | null;
  /** The list's total as its label showed it ("1,500", "≈ 1M"), passed back by the page. */
  matchingLabel: string;
  listQuery: string;
  canEdit: boolean;
  canDelete: boolean;
}

export function sessionIdOf(req: Request): string {
  if (!req.sessionID) throw new Error("PowerCRUD selections need express-session mounted before the resources.");
  return req.sessionID;
}

/** Bulk edit and delete as this user may use them on this resource. */
export async function bulkAbilities(web: ResourceWeb, req: Request): Promise<{ edit: boolean; delete: boolean }> {
  const { resource } = web;
  // Selections hold integer ids (bigint); models keyed by text or uuid get no bulk actions.
  const id = resource.model.fields.find((field) => field.name === resource.model.idField);
  if (!id || id.kind !== "scalar" || (id.type !== "Int" && id.type !== "BigInt")) return { edit: false, delete: false };
  // Bulk work is editing or deleting many records: it needs those permissions too, and the list's.
  const [bulk, list, update, remove] = await Promise.all((["bulk", "list", "update", "delete"] as const).map(async (action) => (await canDo(resource, action, req)).allowed));
  const allowed = Boolean(bulk && list);
  return { edit: allowed && Boolean(update) && resource.bulkFields.length > 0, delete: allowed && Boolean(remove) && resource.config.bulk.delete };
}

/** The selection bar for the list, and the selection behind it; nothing when no bulk action is allowed. */
export async function loadSelectionBar(
  web: ResourceWeb,
  req: Request,
  store: SelectionStore,
  listQuery: string,
): Promise<{ bar: SelectionBarView; selection: Selection | undefined } | undefined> {
  const abilities = await bulkAbilities(web, req);
  if (!abilities.edit && !abilities.delete) return undefined;
  const selection = await store.find(sessionIdOf(req), req.baseUrl);
  return { bar: barView(selection, listQuery, abilities, matchingLabelOf(req)), selection };
}

/** The list's query string, from the page the htmx request came from. */
function currentListQuery(req: Request): string {
  return new URL(req.get("HX-Current-URL") ?? "http://x/", "http://x").search.slice(1);
}

function barView(selection: Selection | undefined, listQuery: string, abilities: { edit: boolean; delete: boolean }, matchingLabel: string): SelectionBarView {
  return {
    matchingLabel,
    token: selection?.token ?? "",
    mode: selection?.mode ?? "ids",
    size: selection ? selection.size : 0,
    listQuery,
    canEdit: abilities.edit,
    canDelete: abilities.delete,
  };
}

/**
 * Selection routes: toggle rows or a shift-click range, select a page, "all matching the filter",
 * clear. Each answers with the selection bar; the browser never receives a list of selected ids.
 */
export function selectionRoutes(router: Router, web: ResourceWeb, store: SelectionStore): void {
  const { resource, route } = web;
  const target = selectionTarget(resource);

  const answer = async (req: Request, res: Response, refreshTable: boolean, abilities: { edit: boolean; delete: boolean }, selection?: Selection) => {
    if (!isFragmentRequest(req)) return void res.redirect(303, web.returnUrlOf(req));
    const bar = barView(selection, currentListQuery(req), abilities, matchingLabelOf(req));
    if (refreshTable) triggerClientEvent(res, "pc:selection", { refresh: true });
    web.render(req, res, "powercrud/partials/selection-bar.njk", { selectionBar: bar });
  };

  router.post("/_selection", route(async (req, res) => {
    const abilities = await bulkAbilities(web, req);
    if (!abilities.edit && !abilities.delete) throw new HttpError(403, `You cannot change ${resource.plural.toLowerCase()} in bulk, so there is nothing to select for.`);
    const sessionId = sessionIdOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    switch (body.op) {
      case "rows": {
        const selection = await store.setRows(sessionId, req.baseUrl, target, idsFrom(body.ids), body.selected === "1");
        return answer(req, res, false, abilities, selection);
      }
      case "page": {
        // Without JavaScript the table posts its page: the ticked ids are selected, the rest of the page not.
        const page = idsFrom(body.page_ids);
        const ticked = new Set(idsFrom(body.ids).map(String));
        await store.setRows(sessionId, req.baseUrl, target, page.filter((id) => ticked.has(String(id))), true);
        const selection = await store.setRows(sessionId, req.baseUrl, target, page.filter((id) => !ticked.has(String(id))), false);
        return answer(req, res, false, abilities, selection);
      }
      case "all": {
        const list = typeof body._list === "string" ? body._list : "";
        const params = new URLSearchParams(list);
        const query = Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key)]));
        const selection = await store.selectAll(sessionId, req.baseUrl, filterQueryOf(query, resource));
        return answer(req, res, true, abilities, selection);
      }
      case "clear":
        await store.clear(sessionId, req.baseUrl);
        return answer(req, res, true, abilities);
      default:
        throw new HttpError(400, "Unknown selection action: choose rows, page, all or clear.");
    }
  }));

  // An "all" selection is counted after the click, so selecting a million rows answers at once.
  router.get("/_selection/count", route(async (req, res) => {
    const abilities = await bulkAbilities(web, req);
    if (!abilities.edit && !abilities.delete) throw new HttpError(403, `You cannot change ${resource.plural.toLowerCase()} in bulk, so there is nothing to count.`);
    const selection = await store.find(sessionIdOf(req), req.baseUrl);
    if (selection && selection.size === null) await store.countNow(selection, target);
    web.render(req, res, "powercrud/partials/selection-bar.njk", { selectionBar: barView(selection, currentListQuery(req), abilities, matchingLabelOf(req)) });
  }));
}

/** Ids from a comma list or repeated fields; anything that is not a positive whole number is a 400. */
function idsFrom(raw: unknown): bigint[] {
  const values = [raw ?? []].flat().flatMap((value) => (typeof value === "string" ? value.split(",") : [])).map((value) => value.trim()).filter(Boolean);
  if (values.length > MAX_IDS_PER_REQUEST) throw new HttpError(413, `Select at most ${MAX_IDS_PER_REQUEST.toLocaleString("en")} rows at a time; use “Select all matching” for more.`);
  return values.map((value) => {
    if (!/^\d{1,18}$/.test(value) || BigInt(value) < 1n) throw new HttpError(400, `"${value.slice(0, 30)}" is not a record id.`);
    return BigInt(value);
  });
}


/** The list total's label the page sent along; only digits, separators and the estimate sign pass. */
function matchingLabelOf(req: Request): string {
  const raw = (req.body as Record<string, unknown> | undefined)?.matching ?? req.query.matching;
  return typeof raw === "string" && /^(≈ )?[\d.,]{1,12}[KMB]?$/.test(raw) ? raw : "";
}
