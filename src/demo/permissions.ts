import type { PermissionContext } from "../config/permissions-schema";
import type { DemoUser } from "./auth";

type Ctx = PermissionContext<DemoUser>;

const role = (ctx: Ctx) => ctx.user?.role;

/** Demo roles: viewers read; editors also create and edit; admins also delete; ops read and run tasks. */
export const demoPermissions = {
  list: (ctx: Ctx) => Boolean(ctx.user),
  detail: (ctx: Ctx) => Boolean(ctx.user),
  create: (ctx: Ctx) => role(ctx) === "EDITOR" || role(ctx) === "ADMIN" || "Only editors and admins can create records.",
  update: (ctx: Ctx) => role(ctx) === "EDITOR" || role(ctx) === "ADMIN" || "Only editors and admins can edit records.",
  delete: (ctx: Ctx) => role(ctx) === "ADMIN" || "Only admins can delete records.",
  bulk: (ctx: Ctx) => role(ctx) === "EDITOR" || role(ctx) === "ADMIN" || "Only editors and admins can change records in bulk.",
};
