import { z } from "zod";
import type { Request } from "express";
import { fn } from "./schema-helpers";

export interface PermissionContext<User = unknown> {
  user: User | undefined;
  req: Request;
  /** The resource's model name. */
  model: string;
}

export interface RecordPermissionContext<User = unknown, Row = Record<string, unknown>> extends Omit<PermissionContext<User>, "req"> {
  /** The request; undefined when the hook runs in a background worker (user is then the user who queued the task). */
  req?: Request;
  record: Row;
}

/**
 * true allows; false denies; a string denies and says why (shown as a tooltip and in the 403).
 */
export type PermissionResult = boolean | string;
export type ActionPermission = (ctx: PermissionContext<any>) => PermissionResult | Promise<PermissionResult>;
export type RecordPermission = (ctx: RecordPermissionContext<any, any>) => PermissionResult | Promise<PermissionResult>;

export type Action = "list" | "detail" | "create" | "update" | "delete" | "bulk" | "shareViews" | "export" | "history";

export const permissionsSchema = z
  .object({
    list: fn<ActionPermission>("(ctx) => boolean | string").optional().meta(askedBefore("the list")),
    detail: fn<ActionPermission>("(ctx) => boolean | string").optional().meta(askedBefore("a detail view; links to it")),
    create: fn<ActionPermission>("(ctx) => boolean | string").optional().meta(askedBefore("the create form and saving it")),
    update: fn<ActionPermission>("(ctx) => boolean | string").optional().meta(askedBefore("the edit form and saving it")),
    delete: fn<ActionPermission>("(ctx) => boolean | string").optional().meta(askedBefore("the delete confirmation and deleting")),
    bulk: fn<ActionPermission>("(ctx) => boolean | string").optional().meta(
      askedBefore("selecting rows, bulk edit and bulk delete; bulk edit also needs `list` and `update`, bulk delete `list` and `delete`"),
    ),
    shareViews: fn<ActionPermission>("(ctx) => boolean | string").optional().meta({
      description:
        "Asked before a user shares one of their saved views with everyone who may list the resource, or stops sharing it. Saving, " +
        "renaming and deleting one's own views needs only `list`.",
      defaultText: "`bulk`'s answer (those trusted to change many records at once may publish views)",
    }),
    export: fn<ActionPermission>("(ctx) => boolean | string").optional().meta({
      description: "Asked before the Export menu and exporting, after `list` allowed; without it, whoever may see the list may export it.",
      defaultText: "none: allowed",
    }),
    history: fn<ActionPermission>("(ctx) => boolean | string").optional().meta({
      description:
        "Asked before the History panel of a detail view and its older entries (`GET /:id/history`), after `detail` allowed: who " +
        "changed what, with the values before and after. Return true to show it to everyone who may see the record.",
      defaultText: "`update`'s answer (as in Django's admin, those who may edit the records see their history)",
    }),
    updateRecord: fn<RecordPermission>("(ctx with record) => boolean | string").optional().meta(
      askedBefore("editing one record, after `update` allowed; also asked for every record of a bulk edit"),
    ),
    deleteRecord: fn<RecordPermission>("(ctx with record) => boolean | string").optional().meta(
      askedBefore("deleting one record, after `delete` allowed; also asked for every record of a bulk delete"),
    ),
  })
  .strict();

export type Permissions = z.infer<typeof permissionsSchema>;

/** The reference text of a permission hook: what it is asked before, and that a missing hook allows. */
function askedBefore(what: string) {
  return { description: `Asked before ${what}.`, defaultText: "none: allowed" };
}
