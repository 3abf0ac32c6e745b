import { z } from "zod";
import type { Request } from "express";
import type pg from "pg";
import type { DataModelMeta } from "../model/types";
import { fn } from "./schema-helpers";
import { permissionsSchema } from "./permissions-schema";
import { globalBackgroundSchema, tasksSchema } from "./background-schema";
import { globalExportSchema } from "./export-schema";
import { historySchema } from "./history-schema";

export const globalSchema = z
  .object({
    prisma: z.custom<Record<string, any>>((value) => typeof value === "object" && value !== null && "$transaction" in value, {
      message: "must be a PrismaClient instance",
    }).meta({
      typeText: "PrismaClient",
      description: "Your Prisma client, with or without a driver adapter. Must have the delegates of the models you mount.",
    }),
    pool: z.custom<pg.Pool>((value) => typeof value === "object" && value !== null && "query" in value && "connect" in value, {
      message: "must be a pg Pool",
    }).meta({
      typeText: "pg.Pool",
      description: "A `pg` pool on the same database, for the SQL Prisma cannot express (list paging, sorting, filters, search, counts) and the list preferences.",
    }),
    dataModel: z.custom<DataModelMeta>((value) => typeof value === "object" && value !== null && "models" in value && "enums" in value, {
      message: "must be the dataModel exported by the powercrud-metadata generator",
    }).meta({ typeText: "DataModelMeta", description: "The `dataModel` exported by the `powercrud-metadata` Prisma generator." }),
    getUser: fn<(req: Request) => unknown>("(req) => user | undefined").default(() => () => undefined).meta({
      defaultText: "`() => undefined`",
      description: "The signed-in user, any shape; passed to every permission hook as `user`.",
    }),
    views: z.array(z.string()).default([]).describe(
      "Your template folders, searched in order before the package's own. Relative paths are resolved against the working directory.",
    ),
    layout: z.string().default("powercrud/base.njk").describe("The template every full page extends. Yours can extend `powercrud/base.njk`."),
    assetsUrl: z.string().default("/powercrud-assets").describe("Where you mount `crud.assets()`; the templates load CSS and scripts from it."),
    permissions: permissionsSchema.default({}).describe("Permission hooks for every resource; a resource's own hook of the same name wins."),
    userKey: fn<(user: any) => string | undefined>("(user) => string | undefined").default(() => defaultUserKey).meta({
      defaultText: "`user.id`, else `user.email`, as a string",
      description:
        "A stable key for a signed-in user, under which their [column choices](../guides/list-views.md#choosing-columns) are stored in the " +
        "`powercrud_list_preference` table. `undefined` (or no user): they are kept in the session.",
    }),
    displayFields: z.record(z.string(), z.string()).default({}).describe(
      'The field that names records of a model, by model name: `{ Author: "fullName" }`. Checked here: the model and the field must exist.',
    ),
    maxTextLength: z.number().int().min(1).max(100_000_000).default(100_000).describe(
      "Longest text, in characters, a form, bulk edit or filter accepts for a `String` column that declares no length (`@db.VarChar(n)` and " +
        "`@db.Char(n)` do) and that no B-tree index holds, e.g. a `@db.Text` description. Longer text gets the field message " +
        '*"At most 100,000 characters."*',
    ),
    maxIndexedTextLength: z.number().int().min(1).max(675).default(500).describe(
      "The same for a `String` column without a declared length that a B-tree index holds (`@id`, `@unique`, `@@index`, `@@unique`). " +
        "PostgreSQL refuses an index entry over 2,704 bytes; 500 characters of up to 4 bytes each always fit, and such text is also capped " +
        "at 2,000 UTF-8 bytes.",
    ),
    migrate: z
      .boolean()
      .default(true)
      .describe(
        "Create and update PowerCRUD's own tables (PostgreSQL schema `powercrud`) and graphile-worker's before the first request or " +
          "worker needs them. Off: run `npx powercrud migrate` when you deploy; requests answer 503 until the tables are up to date. " +
          "See [PowerCRUD's tables](../guides/mounting-resources.md#powercruds-tables).",
      ),
    watchTemplates: z.boolean().default(false).describe("Re-read templates on every render (development)."),
    bulk: z
      .object({
        background: globalBackgroundSchema.prefault({}).describe(
          "Background execution of large bulk operations on graphile-worker. See [Background tasks](../guides/background-tasks.md).",
        ),
      })
      .strict()
      .prefault({})
      .describe("When bulk operations run in the background, for every resource; a resource's `bulk.background` overrides each setting."),
    history: historySchema.prefault({}),
    export: globalExportSchema.prefault({}).describe(
      "Export of lists as CSV and XLSX, for every resource; a resource's `export` overrides each setting. See [Export](../guides/export.md).",
    ),
    tasks: tasksSchema.prefault({}).describe("Background task pages, who manages them, notifications, and how workers watch each other."),
    logError: fn<(error: unknown) => void>("(error) => void").default(() => (error: unknown) => console.error(error)).meta({
      defaultText: "`console.error`",
      description: "Receives unexpected errors (those shown as a 500).",
    }),
  })
  .strict();

function defaultUserKey(user: any): string | undefined {
  const key = user?.id ?? user?.email;
  return key === undefined || key === null ? undefined : String(key);
}

export type PowerCrudOptions = z.input<typeof globalSchema>;
export type PowerCrudConfig = z.output<typeof globalSchema>;
