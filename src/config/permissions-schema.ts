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

export type Action = "list" | "detail" | "create" | "update" | "delete" | "bulk" | "export";

export const permissionsSchema = z
  .object({
    list: fn<ActionPermission>("(ctx) => boolean | string").optional(),
    detail: fn<ActionPermission>("(ctx) => boolean | string").optional(),
    create: fn<ActionPermission>("(ctx) => boolean | string").optional(),
    update: fn<ActionPermission>("(ctx) => boolean | string").optional(),
    delete: fn<ActionPermission>("(ctx) => boolean | string").optional(),
    bulk: fn<ActionPermission>("(ctx) => boolean | string").optional(),
    /** May this user export the list (CSV, XLSX)? Without a hook, whoever may see the list may export it. */
    export: fn<ActionPermission>("(ctx) => boolean | string")
      .optional()
      .describe("May this user export the list as CSV or XLSX? Checked on top of `list`; without this hook, whoever may see the list may export it."),
    /** Per record: may this user edit this record, and if not, why not. */
    updateRecord: fn<RecordPermission>("(ctx with record) => boolean | string").optional(),
    deleteRecord: fn<RecordPermission>("(ctx with record) => boolean | string").optional(),
  })
  .strict();

export type Permissions = z.infer<typeof permissionsSchema>;
