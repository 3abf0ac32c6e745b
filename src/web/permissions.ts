import type { Request } from "express";
import type { Action } from "../config/permissions-schema";
import type { Resource } from "../config/resolve-resource";
import type { RecordRow } from "../config/resource-schema";

export interface Decision {
  allowed: boolean;
  /** Why not, when denied: shown as a tooltip and in the 403 page. */
  reason?: string;
}

const ALLOWED: Decision = { allowed: true };

function decide(result: boolean | string, fallback: string): Decision {
  if (result === true) return ALLOWED;
  return { allowed: false, reason: typeof result === "string" && result ? result : fallback };
}

/** May this user perform this action on the resource at all? (No hook means yes.) */
export async function canDo(resource: Resource, action: Action, req: Request): Promise<Decision> {
  if (action === "export" && !resource.export.enabled) return { allowed: false, reason: `${resource.plural} cannot be exported here.` };
  if (action !== "bulk" && action !== "shareViews" && action !== "export" && action !== "history" && !resource.config.routes[action]) {
    return { allowed: false, reason: `${resource.plural} cannot be ${pastTense(action)} here.` };
  }
  const hook = hookOf(resource, action);
  if (!hook) return ALLOWED;
  const result = await hook({ user: resource.global.getUser(req), req, model: resource.model.name });
  return decide(result, `You do not have permission to ${verb(action)} ${resource.plural.toLowerCase()}.`);
}

/**
 * The hook that decides an action. Without their own, sharing views asks whoever decides bulk
 * changes, and the history whoever decides edits (the hook, whether or not the edit screens are on).
 */
function hookOf(resource: Resource, action: Action) {
  const { permissions } = resource;
  if (action === "shareViews") return permissions.shareViews ?? permissions.bulk;
  if (action === "history") return permissions.history ?? permissions.update;
  return permissions[action];
}

/** May this user change or delete this particular record? Checks the action first. */
export async function canDoToRecord(resource: Resource, action: "update" | "delete", req: Request, record: RecordRow): Promise<Decision> {
  const general = await canDo(resource, action, req);
  return general.allowed ? recordDecision(resource, action, req, record) : general;
}

/** The per-record hook alone, for lists that have already checked the action once. */
export async function recordDecision(resource: Resource, action: "update" | "delete", req: Request, record: RecordRow): Promise<Decision> {
  const hook = action === "update" ? resource.permissions.updateRecord : resource.permissions.deleteRecord;
  if (!hook) return ALLOWED;
  const result = await hook({ user: resource.global.getUser(req), req, model: resource.model.name, record });
  return decide(result, `You cannot ${verb(action)} this ${resource.singular.toLowerCase()}.`);
}

function verb(action: Action): string {
  return { list: "list", detail: "view", create: "create", update: "edit", delete: "delete", bulk: "bulk edit", shareViews: "share views of", export: "export", history: "see the history of" }[action];
}

function pastTense(action: Exclude<Action, "bulk" | "shareViews" | "export" | "history">): string {
  return { list: "listed", detail: "viewed", create: "created", update: "edited", delete: "deleted" }[action];
}
