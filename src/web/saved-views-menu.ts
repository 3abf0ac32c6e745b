import type { Request } from "express";
import type { Resource } from "../config/resolve-resource";
import type { SavedView } from "../list/saved-views";
import { canDo } from "./permissions";

export interface ViewItem {
  id: number;
  name: string;
  shared: boolean;
  ownerName: string | null;
  /** The list shows exactly this view's query. */
  current: boolean;
}

export interface SavedViewsMenu {
  mine: ViewItem[];
  shared: ViewItem[];
  /** The view the list shows now, if any: the menu's button names it. */
  current?: ViewItem;
  canShare: boolean;
  /** The list's query as a view would keep it (search, filters, sort, size; no page). */
  saveQuery: string;
}

/**
 * The Views menu of a list for a signed-in user (a view belongs to a user key; without one there is
 * no menu): their own views, the views others share, and whether they may share.
 */
export async function savedViewsMenu(resource: Resource, req: Request, views: SavedView[], userKey: string, saveQuery: string): Promise<SavedViewsMenu> {
  const share = await canDo(resource, "shareViews", req);
  const item = (view: SavedView): ViewItem => ({ id: view.id, name: view.name, shared: view.shared, ownerName: view.ownerName, current: view.query === saveQuery });
  const mine = views.filter((view) => view.ownerKey === userKey).map(item);
  const shared = views.filter((view) => view.ownerKey !== userKey).map(item);
  return { mine, shared, current: [...mine, ...shared].find((view) => view.current), canShare: share.allowed, saveQuery };
}
