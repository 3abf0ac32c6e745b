import type { Request, Response, Router } from "express";
import type { ColumnPreferences } from "../list/column-preferences";
import { parseListState, stateQuery } from "../list/list-state";
import { checkViewName, DuplicateViewName, TooManyViews, MAX_VIEWS_PER_USER, type SavedView, type SavedViewStore } from "../list/saved-views";
import { queryObject } from "../selection/selection-target";
import { nameOf } from "../tasks/queue-for-user";
import { addFlash } from "./flash";
import { formFlag } from "./form-flag";
import { isFragmentRequest, triggerClientEvent } from "./htmx";
import { HttpError } from "./http-error";
import { listStateOptions, userKeyOf, visibleColumnKeys } from "./list-page";
import { canDo } from "./permissions";
import type { ResourceWeb } from "./resource-web";

/** Draws the list for a query (the table region for htmx, else the page), with extra context. */
export type ListRenderer = (req: Request, res: Response, query: Record<string, unknown>, extra?: Record<string, unknown>) => Promise<void>;

/** Longest list query a view keeps; the list's own limits (200 characters a value) keep real ones far below. */
const MAX_VIEW_QUERY = 10_000;

/**
 * Saved views: save the list as it is (POST /_views), apply one (POST /_views/:id/apply), rename,
 * share or stop sharing, delete. A view belongs to the user key that saved it; only its owner changes
 * it, and sharing needs the shareViews permission. Every route answers an htmx request with the list
 * it came from (a toast says what happened) and a plain form with a redirect to it.
 */
export function savedViewRoutes(router: Router, web: ResourceWeb, deps: { store: SavedViewStore; preferences: ColumnPreferences; renderList: ListRenderer }): void {
  const { resource, route, require, returnUrlOf } = web;
  const { store, preferences, renderList } = deps;

  const ownerKey = async (req: Request): Promise<string> => {
    await require(req, "list");
    const key = userKeyOf(resource, req);
    if (key === undefined) throw new HttpError(403, "Sign in to keep views of this list.");
    return key;
  };
  const requireShare = async (req: Request) => {
    const decision = await canDo(resource, "shareViews", req);
    if (!decision.allowed) throw new HttpError(403, decision.reason!);
  };
  /** The user's own view, or why not: 404 when they cannot see it, 403 when it is someone else's shared view. */
  const ownView = async (req: Request, key: string, verb: string): Promise<SavedView> => {
    const view = await visibleView(req, key);
    if (view.ownerKey !== key) throw new HttpError(403, `Only the person who saved the view “${view.name}” can ${verb} it.`);
    return view;
  };
  const visibleView = async (req: Request, key: string): Promise<SavedView> => {
    const text = String(req.params.id);
    const view = /^[1-9]\d{0,8}$/.test(text) ? await store.find(req.baseUrl, key, Number(text)) : undefined;
    if (!view) throw new HttpError(404, "There is no such saved view of this list. It may have been deleted.");
    return view;
  };
  const done = async (req: Request, res: Response, message: string) => {
    const returnUrl = returnUrlOf(req);
    if (!isFragmentRequest(req)) {
      addFlash(req, { kind: "success", message });
      return res.redirect(303, returnUrl);
    }
    triggerClientEvent(res, "pc:toast", { message });
    await renderList(req, res, listQueryOf(returnUrl));
  };
  /** A name the store refused: the list again, the Views menu open with the message and the name as typed. */
  const refuse = async (req: Request, res: Response, message: string, viewId?: number) => {
    res.status(422);
    const draftName = typeof req.body?.name === "string" ? req.body.name.slice(0, 200) : "";
    await renderList(req, res, listQueryOf(returnUrlOf(req)), { viewsRefusal: { error: message, draftName, viewId } });
  };

  router.post("/_views", route(async (req, res) => {
    const key = await ownerKey(req);
    const checked = checkViewName(req.body?.name);
    if (!checked.ok) return refuse(req, res, checked.message);
    const shared = sharedOf(req);
    if (shared) await requireShare(req);
    // Kept as the list itself reads it back: junk dropped, defaults left out, no page.
    const options = listStateOptions(resource);
    const list = req.body?._list ?? "";
    if (typeof list !== "string") throw new HttpError(400, "The list's query (_list) must be one query string.");
    const state = parseListState(queryObject(list), options);
    const query = stateQuery(state, options, { page: 1 }).slice(1);
    if (query.length > MAX_VIEW_QUERY) return refuse(req, res, `This list's filters are too long to keep as a view (${query.length.toLocaleString("en")} characters, at most ${MAX_VIEW_QUERY.toLocaleString("en")}).`);
    const columns = await visibleColumnKeys(resource, req, preferences);
    try {
      await store.create(req.baseUrl, { key, name: nameOf(resource.global.getUser(req)) }, { name: checked.name, query, columns, shared });
    } catch (error) {
      if (error instanceof DuplicateViewName) return refuse(req, res, `You already have a view named “${checked.name}”. Choose another name.`);
      if (error instanceof TooManyViews) return refuse(req, res, `You have ${MAX_VIEWS_PER_USER} views of this list, the most there can be. Delete one first.`);
      throw error;
    }
    await done(req, res, shared ? `Saved view “${checked.name}” and shared it with everyone.` : `Saved view “${checked.name}”.`);
  }));

  router.post("/_views/:id/apply", route(async (req, res) => {
    const view = await visibleView(req, await ownerKey(req));
    const known = resource.listColumns.map((column) => column.key);
    const columns = (view.columns ?? []).filter((column) => known.includes(column));
    if (columns.length) await preferences.save(req, userKeyOf(resource, req), req.baseUrl, columns);
    const target = `${req.baseUrl}/${view.query ? `?${view.query}` : ""}`;
    if (!isFragmentRequest(req)) return res.redirect(303, target);
    res.set("HX-Push-Url", target);
    await renderList(req, res, queryObject(view.query));
  }));

  router.post("/_views/:id/rename", route(async (req, res) => {
    const key = await ownerKey(req);
    const view = await ownView(req, key, "rename");
    const checked = checkViewName(req.body?.name);
    if (!checked.ok) return refuse(req, res, checked.message, view.id);
    try {
      if (!(await store.rename(req.baseUrl, key, view.id, checked.name))) throw new HttpError(404, "This view was deleted meanwhile.");
    } catch (error) {
      if (error instanceof DuplicateViewName) return refuse(req, res, `You already have a view named “${checked.name}”. Choose another name.`, view.id);
      throw error;
    }
    await done(req, res, `Renamed view “${view.name}” to “${checked.name}”.`);
  }));

  router.post("/_views/:id/share", route(async (req, res) => {
    const key = await ownerKey(req);
    const view = await ownView(req, key, "share or stop sharing");
    await requireShare(req);
    const shared = sharedOf(req);
    if (!(await store.setShared(req.baseUrl, key, view.id, shared))) throw new HttpError(404, "This view was deleted meanwhile.");
    await done(req, res, shared ? `View “${view.name}” is shared with everyone.` : `View “${view.name}” is no longer shared.`);
  }));

  router.post("/_views/:id/delete", route(async (req, res) => {
    const key = await ownerKey(req);
    const view = await ownView(req, key, "delete");
    await store.remove(req.baseUrl, key, view.id);
    await done(req, res, `Deleted view “${view.name}”.`);
  }));
}

function sharedOf(req: Request): boolean {
  return formFlag(req.body, "shared", { on: "1", off: "0", meaning: "share with everyone" });
}

function listQueryOf(url: string): Record<string, string[]> {
  return queryObject(new URL(url, "http://x").search.slice(1));
}
