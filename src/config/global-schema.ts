import { z } from "zod";
import type { Request } from "express";
import type pg from "pg";
import type { DataModelMeta } from "../model/types";
import { fn } from "./schema-helpers";
import { permissionsSchema } from "./permissions-schema";
import { globalBackgroundSchema, tasksSchema } from "./background-schema";
import { globalExportSchema } from "./export-schema";

export const globalSchema = z
  .object({
    /** Your PrismaClient (generated with the driver adapter or not). */
    prisma: z.custom<Record<string, any>>((value) => typeof value === "object" && value !== null && "$transaction" in value, {
      message: "must be a PrismaClient instance",
    }),
    /** A pg Pool on the same database, for the set-based SQL that Prisma cannot express. */
    pool: z.custom<pg.Pool>((value) => typeof value === "object" && value !== null && "query" in value && "connect" in value, {
      message: "must be a pg Pool",
    }),
    /** The metadata written by the powercrud-metadata Prisma generator. */
    dataModel: z.custom<DataModelMeta>((value) => typeof value === "object" && value !== null && "models" in value && "enums" in value, {
      message: "must be the dataModel exported by the powercrud-metadata generator",
    }),
    /** Returns the signed-in user (any shape) or undefined; passed to every permission hook. */
    getUser: fn<(req: Request) => unknown>("(req) => user | undefined").default(() => () => undefined),
    /** Your template folders, searched before PowerCRUD's own. */
    views: z.array(z.string()).default([]),
    /** The template every full page extends; yours can extend "powercrud/base.njk". */
    layout: z.string().default("powercrud/base.njk"),
    /** Where you mount `crud.assets()`. */
    assetsUrl: z.string().default("/powercrud-assets"),
    /** Permission hooks applied to every resource (a resource's own hooks win). */
    permissions: permissionsSchema.default({}),
    /** A stable key for the signed-in user, under which list preferences are stored; default: user.id, else user.email. */
    userKey: fn<(user: any) => string | undefined>("(user) => string | undefined").default(() => defaultUserKey),
    /** Display field per model name, e.g. { Author: "name" }. */
    displayFields: z.record(z.string(), z.string()).default({}),
    /**
     * Longest text, in characters, accepted for a String column that declares no length (@db.VarChar(n)
     * does) and that no B-tree index holds, e.g. a @db.Text description.
     */
    maxTextLength: z.number().int().min(1).max(100_000_000).default(100_000),
    /**
     * The same for a String column held by a B-tree index (@id, @unique, @@index): PostgreSQL refuses
     * index entries over 2,704 bytes, and 500 characters of up to 4 bytes each always fit.
     */
    maxIndexedTextLength: z.number().int().min(1).max(675).default(500),
    /** Re-read templates on every render (development). */
    watchTemplates: z.boolean().default(false),
    bulk: z
      .object({
        /** Large bulk operations run in the background; a resource's `bulk.background` overrides each setting. */
        background: globalBackgroundSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    /** Export of lists as CSV and XLSX; a resource's `export` overrides each setting. */
    export: globalExportSchema.prefault({}).describe("Export of lists as CSV and XLSX; a resource's `export` overrides each setting."),
    /** Background tasks: their pages, who manages them, notifications, and how workers watch each other. */
    tasks: tasksSchema.prefault({}),
    /** Receives unexpected errors (500s); default console.error. */
    logError: fn<(error: unknown) => void>("(error) => void").default(() => (error: unknown) => console.error(error)),
  })
  .strict();

function defaultUserKey(user: any): string | undefined {
  const key = user?.id ?? user?.email;
  return key === undefined || key === null ? undefined : String(key);
}

export type PowerCrudOptions = z.input<typeof globalSchema>;
export type PowerCrudConfig = z.output<typeof globalSchema>;
