import type { Request, Response, Router } from "express";
import { keyDomain, parseKey, type ColumnDomain } from "../model/column-domain";
import { StaleSelectionError, type Selection, type SelectionStore } from "../selection/selection-store";
import { filterQueryOf, queryObject, selectionTarget } from "../selection/selection-target";
import { addFlash } from "./flash";
import { isFragmentRequest, triggerClientEvent } from "./htmx";
import { HttpError } from "./http-error";
import type { ResourceWeb } from "./resource-web";
import { canDo } from "./permissions";
import { selectionScope, type SelectionScope } from "./selection-view";

const MAX_IDS_PER_REQUEST = 10_000;
/** A stored filter longer than this is refused: the list's own limits (200 characters a value) keep real ones far below. */
export const MAX_FILTER_QUERY = 10_000;

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
  /** The filter the selection was made under, and whether the list now shows another one. */
  scope: SelectionScope;
  /** Why the selection was just cleared, when it could not be used any more. */
  notice?: string;
}

type Abilities = { edit: boolean; delete: boolean };

export function sessionIdOf(req: Request): string {
  if (!req.sessionID) throw new Error("PowerCRUD selections need express-session mounted before the resources.");
  return req.sessionID;
}

/** Bulk edit and delete as this user may use them on this resource. */
export async function bulkAbilities(web: ResourceWeb, req: Request): Promise<Abilities> {
  const { resource } = web;
  // Bulk work is editing or deleting many records: it needs those permissions too, and the list's.
  const [bulk, list, update, remove] = await Promise.all((["bulk", "list", "update", "delete"] as const).map(async (action) => (await canDo(resource, action, req)).allowed));
  const allowed = Boolean(bulk && list);
  return { edit: allowed && Boolean(update) && resource.bulkFields.length > 0, delete: allowed && Boolean(remove) && resource.config.bulk.delete };
}

/** The session's selection of this list, or why it was just dropped. */
export async function findSelection(web: ResourceWeb, req: Request, store: SelectionStore): Promise<{ selection?: Selection; notice?: string }> {
  try {
    return { selection: await store.find(sessionIdOf(req), req.baseUrl, selectionTarget(web.resource)) };
  } catch (error) {
    if (error instanceof StaleSelectionError) return { notice: error.message };
    throw error;
  }
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
  const { selection, notice } = await findSelection(web, req, store);
  return { bar: await barView(web, req, selection, listQuery, abilities, notice), selection };
}

/**
 * The list's query string, from the page the htmx request came from. A header that is no address
 * is refused before anything is written.
 */
function currentListQuery(req: Request): string {
  const header = req.get("HX-Current-URL");
  if (header === undefined || header === "") return "";
  try {
    return new URL(header, "http://x").search.slice(1);
  } catch {
    throw new HttpError(400, "The HX-Current-URL header is not a valid address: reload the list and try again.");
  }
}

export async function barView(web: ResourceWeb, req: Request, selection: Selection | undefined, listQuery: string, abilities: Abilities, notice?: string): Promise<SelectionBarView> {
  return {
    matchingLabel: matchingLabelOf(req),
    token: selection?.token ?? "",
    mode: selection?.mode ?? "ids",
    size: selection ? selection.size : 0,
    listQuery,
    canEdit: abilities.edit,
    canDelete: abilities.delete,
    scope: await selectionScope(web.resource, req.baseUrl + "/", selection, listQuery),
    ...(notice ? { notice } : {}),
  };
}

/** A selection change, fully parsed and checked before anything is written. */
type Change =
  | { op: "rows"; ids: string[]; selected: boolean }
  | { op: "page"; ticked: string[]; unticked: string[] }
  | { op: "all"; filterQuery: string }
  | { op: "clear" };

function parseChange(body: Record<string, unknown>, web: ResourceWeb, key: ColumnDomain): Change {
  switch (body.op) {
    case "rows":
      return { op: "rows", ids: idsFrom(body.ids, key), selected: body.selected === "1" };
    case "page": {
      // Without JavaScript the table posts its page: the ticked ids are selected, the rest of the page not.
      const page = idsFrom(body.page_ids, key);
      const ticked = new Set(idsFrom(body.ids, key));
      return { op: "page", ticked: page.filter((id) => ticked.has(id)), unticked: page.filter((id) => !ticked.has(id)) };
    }
    case "all": {
      // Stored exactly as the list validates it, so a selection never keeps more than the list would run.
      const filterQuery = filterQueryOf(queryObject(typeof body._list === "string" ? body._list : ""), web.resource);
      if (filterQuery.length > MAX_FILTER_QUERY) {
        throw new HttpError(422, `This filter is too long to select all its matches (${filterQuery.length.toLocaleString("en")} characters, at most ${MAX_FILTER_QUERY.toLocaleString("en")}). Choose fewer values.`);
      }
      return { op: "all", filterQuery };
    }
    case "clear":
      return { op: "clear" };
    default:
      throw new HttpError(400, "Unknown selection action: choose rows, page, all or clear.");
  }
}

/**
 * Selection routes: toggle rows or a shift-click range, select a page, "all matching the filter",
 * clear. Each answers with the selection bar; the browser never receives a list of selected ids.
 */
export function selectionRoutes(router: Router, web: ResourceWeb, store: SelectionStore): void {
  const { resource, route } = web;
  const target = selectionTarget(resource);
  const { global } = resource;
  const key = keyDomain(global.dataModel, resource.model, { maxTextLength: global.maxTextLength, maxIndexedTextLength: global.maxIndexedTextLength });

  const answer = async (req: Request, res: Response, listQuery: string, refreshTable: boolean, abilities: Abilities, selection?: Selection, notice?: string) => {
    if (!isFragmentRequest(req)) {
      if (notice) addFlash(req, { kind: "warning", message: notice });
      return void res.redirect(303, web.returnUrlOf(req));
    }
    const bar = await barView(web, req, selection, listQuery, abilities, notice);
    if (refreshTable) triggerClientEvent(res, "pc:selection", { refresh: true });
    web.render(req, res, "powercrud/partials/selection-bar.njk", { selectionBar: bar });
  };

  const requireAbilities = async (req: Request, what: string): Promise<Abilities> => {
    const abilities = await bulkAbilities(web, req);
    if (!abilities.edit && !abilities.delete) throw new HttpError(403, `You cannot change ${resource.plural.toLowerCase()} in bulk, so there is nothing to ${what}.`);
    return abilities;
  };

  router.post("/_selection", route(async (req, res) => {
    const abilities = await requireAbilities(req, "select for");
    const sessionId = sessionIdOf(req);
    const listQuery = currentListQuery(req);
    const change = parseChange((req.body ?? {}) as Record<string, unknown>, web, key);
    try {
      switch (change.op) {
        case "rows":
          return await answer(req, res, listQuery, false, abilities, await store.setRows(sessionId, req.baseUrl, target, change.ids, change.selected));
        case "page":
          await store.setRows(sessionId, req.baseUrl, target, change.ticked, true);
          return await answer(req, res, listQuery, false, abilities, await store.setRows(sessionId, req.baseUrl, target, change.unticked, false));
        case "all":
          return await answer(req, res, listQuery, true, abilities, await store.selectAll(sessionId, req.baseUrl, change.filterQuery));
        case "clear":
          await store.clear(sessionId, req.baseUrl);
          return await answer(req, res, listQuery, true, abilities);
      }
    } catch (error) {
      if (!(error instanceof StaleSelectionError)) throw error;
      // No table refresh: the refreshed table would redraw the bar without the notice.
      return answer(req, res, listQuery, false, abilities, undefined, error.message);
    }
  }));

  // An "all" selection is counted after the click, so selecting a million rows answers at once; a
  // bulk form that opened before its count was ready loads it here too (form=1).
  router.get("/_selection/count", route(async (req, res) => {
    const abilities = await requireAbilities(req, "count");
    const listQuery = currentListQuery(req);
    let { selection, notice } = await findSelection(web, req, store);
    if (req.query.form === "1") {
      if (!selection) throw new HttpError(409, notice ?? "This selection has been cleared. Select the records again.", "Selection cleared");
      const count = await store.countNow(selection, target).catch((error: unknown) => {
        if (error instanceof StaleSelectionError) throw new HttpError(409, error.message, "Selection cleared");
        throw error;
      });
      const noun = count === 1 ? resource.singular.toLowerCase() : resource.plural.toLowerCase();
      return web.render(req, res, "powercrud/partials/bulk-count.njk", { count, countText: `${count.toLocaleString("en")} ${noun}` });
    }
    try {
      if (selection && selection.size === null) await store.countNow(selection, target);
    } catch (error) {
      if (!(error instanceof StaleSelectionError)) throw error;
      [selection, notice] = [undefined, error.message];
    }
    web.render(req, res, "powercrud/partials/selection-bar.njk", { selectionBar: await barView(web, req, selection, listQuery, abilities, notice) });
  }));
}

/**
 * Ids from comma lists or repeated fields, in the id column's canonical text ("007" is "7", a UUID
 * lower-cased). Inside one id "%" and "," are written %25 and %2C (the table escapes them so), so a
 * text id may hold a comma; integer, uuid and cuid ids never need it. An id the column could not
 * hold is a 400.
 */
function idsFrom(raw: unknown, key: ColumnDomain): string[] {
  const values = [raw ?? []].flat().flatMap((value) => (typeof value === "string" ? value.split(",") : [])).filter((value) => value.trim() !== "");
  if (values.length > MAX_IDS_PER_REQUEST) throw new HttpError(413, `Select at most ${MAX_IDS_PER_REQUEST.toLocaleString("en")} rows at a time; use “Select all matching” for more.`);
  return values.map((value) => {
    const text = value.replace(/%(25|2C)/gi, (escape) => (escape === "%25" ? "%" : ","));
    const id = parseKey(key, key.kind === "text" ? text : text.trim());
    if (id === undefined) throw new HttpError(400, `"${text.slice(0, 40)}" is not a record id.`);
    return String(id);
  });
}


/** The list total's label the page sent along; only digits, separators and the estimate sign pass. */
function matchingLabelOf(req: Request): string {
  const raw = (req.body as Record<string, unknown> | undefined)?.matching ?? req.query.matching;
  return typeof raw === "string" && /^(≈ )?[\d.,]{1,12}[KMB]?$/.test(raw) ? raw : "";
}
