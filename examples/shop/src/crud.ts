import { fileURLToPath } from "node:url";
import type pg from "pg";
import { z } from "zod";
import { createPowerCrud, type PermissionContext, type RecordPermissionContext, type ResourceOptions } from "powercrud";
import type { PrismaClient } from "./generated/prisma/client.js";
import { dataModel } from "./generated/powercrud/index.js";
import type { Role, ShopUser } from "./users.js";

export const ASSETS_URL = "/assets";
export const TASKS_URL = "/tasks";
/** Bulk changes of this many records or more run in the background (PowerCRUD's default is 1,000). */
export const BACKGROUND_FROM = 25;

type Context = PermissionContext<ShopUser>;
const is = (...roles: Role[]) => (context: Context) => roles.includes(context.user?.role as Role);

/** Who may do what: viewers read, clerks also create, edit and bulk edit, managers also delete. */
const permissions = {
  list: is("viewer", "clerk", "manager"),
  detail: is("viewer", "clerk", "manager"),
  create: (context: Context) => is("clerk", "manager")(context) || "Only clerks and managers add records.",
  update: (context: Context) => is("clerk", "manager")(context) || "Only clerks and managers edit records.",
  bulk: (context: Context) => is("clerk", "manager")(context) || "Only clerks and managers change records in bulk.",
  delete: (context: Context) => is("manager")(context) || "Only managers delete records.",
};

const products: ResourceOptions = {
  model: "Product",
  helpText: "Everything the shop sells.",
  labels: { sku: "SKU" },
  list: {
    fields: ["name", "sku", "category", "tags", "status", "price", "stock"],
    filters: ["category", "tags", "status", "price", "stock"],
    search: ["name", "sku"],
    defaultSort: ["name"],
  },
  bulkFields: ["status", "category", "tags", "price"],
  form: {
    help: { sku: "Letters, digits and dashes, unique in the shop." },
    validate: {
      sku: z.string().regex(/^[A-Z0-9-]+$/, "Use capital letters, digits and dashes."),
      price: z.string().refine((price) => !price.startsWith("-"), "A price cannot be negative."),
      stock: z.number().int().min(0, "Stock cannot be negative."),
    },
  },
  permissions: {
    // Checked per record, for single edits and for each record of a bulk edit (in the worker too).
    updateRecord: ({ user, record }: RecordPermissionContext<ShopUser, { status?: string }>) =>
      record.status !== "DISCONTINUED" || user?.role === "manager" || "Only managers change discontinued products.",
  },
};

const stockMovements: ResourceOptions = {
  model: "StockMovement",
  title: "Stock movements",
  list: {
    fields: ["product", "quantity", "note", "createdAt"],
    filters: ["product", "quantity", "createdAt"],
    search: ["note", "product.name"],
  },
  bulkFields: ["note"],
};

/** PowerCRUD for the shop, with its two resources mounted. */
export function shopCrud(options: { prisma: PrismaClient; pool: pg.Pool }) {
  const crud = createPowerCrud({
    prisma: options.prisma,
    pool: options.pool,
    dataModel,
    getUser: (req) => req.user,
    views: [fileURLToPath(new URL("../views", import.meta.url))],
    layout: "layout.njk",
    assetsUrl: ASSETS_URL,
    permissions,
    bulk: { background: { minRecords: BACKGROUND_FROM, notify: ["messages"] } },
    tasks: { url: TASKS_URL, canManage: ({ user }) => (user as ShopUser | undefined)?.role === "manager" },
  });
  return {
    crud,
    products: crud.resource(products),
    stockMovements: crud.resource(stockMovements),
  };
}

export type ShopCrud = ReturnType<typeof shopCrud>;
