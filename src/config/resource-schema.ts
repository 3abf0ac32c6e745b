import { z } from "zod";
import type { Request } from "express";
import { fn } from "./schema-helpers";
import { permissionsSchema, type PermissionResult } from "./permissions-schema";
import { resourceBackgroundSchema } from "./background-schema";
import { resourceExportSchema } from "./export-schema";
import type { FieldCheck } from "../forms/types";

const fieldName = z.string().min(1);

export type RecordRow = Record<string, any>;

const propertySchema = z
  .object({
    label: z.string(),
    /** Computes the value from the record (which includes the fields named in `needs`). */
    value: fn<(record: RecordRow) => unknown>("(record) => value"),
    /** Fields or relation paths the computation reads, fetched with the row ("author.name"). */
    needs: z.array(fieldName).default([]),
  })
  .strict();

/** Any zod schema (or object with zod's safeParse); checked by shape so a host's own zod copy works too. */
const fieldCheckSchema = z.custom<FieldCheck>((value) => typeof (value as { safeParse?: unknown } | null)?.safeParse === "function", {
  message: "must be a zod schema, e.g. z.string().regex(/^\\d{13}$/, \"Enter 13 digits.\")",
});

const listColumnSchema = z.union([
  fieldName,
  z
    .object({
      field: fieldName,
      label: z.string().optional(),
      /** Link this column to the record's detail view. */
      link: z.boolean().optional(),
    })
    .strict(),
]);

export type ActionVisibility = (ctx: { user: any; req: Request; record?: RecordRow }) => PermissionResult | Promise<PermissionResult>;

const rowActionSchema = z
  .object({
    label: z.string(),
    /** URL for the record: a function, or a template where {id} is replaced by the record id. */
    href: z.union([z.string(), fn<(record: RecordRow) => string>("(record) => url")]),
    /** Open the target in the modal (its response must be a fragment) instead of navigating. */
    modal: z.boolean().default(false),
    permission: fn<ActionVisibility>("(ctx) => boolean | string").optional(),
    variant: z.enum(["default", "primary", "secondary", "accent", "error", "warning", "ghost"]).default("ghost"),
  })
  .strict();

const toolbarButtonSchema = rowActionSchema.extend({
  href: z.string(),
});

const templatesSchema = z
  .object({
    list: z.string().optional(),
    table: z.string().optional(),
    detail: z.string().optional(),
    form: z.string().optional(),
    deleteConfirm: z.string().optional(),
  })
  .strict();

export const resourceSchema = z
  .object({
    /** Prisma model name, e.g. "Book". */
    model: z.string().min(1),
    /**
     * Names the resource for background workers, which find its options by it; default: the model
     * name. Give each resource of the same model its own key.
     */
    key: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "must be 1-100 letters, digits or _.:-").optional(),
    /** Plural title of the list page; default: the model name, pluralized. */
    title: z.string().optional(),
    /** Singular name of one record in messages; default: the model name. */
    singular: z.string().optional(),
    /** Help text under the page title. */
    helpText: z.string().optional(),
    /** Labels by field name or path, overriding the humanized names. */
    labels: z.record(z.string(), z.string()).default({}),
    /** Field that names a record of this model (in selects, titles, messages); default: name, title, ... */
    displayField: fieldName.optional(),
    list: z
      .object({
        /** Columns, in order: field names, relation paths ("author.name") or property names. */
        fields: z.array(listColumnSchema).optional(),
        exclude: z.array(fieldName).default([]),
        /** Columns that link to the detail view; default: the first column. */
        linkFields: z.array(fieldName).optional(),
        pageSize: z.number().int().min(1).max(1000).default(25),
        pageSizes: z.array(z.number().int().min(1).max(1000)).default([10, 25, 50, 100]),
        /** Default order: field names, "-" for descending ("-createdAt"). The id is always added last. */
        defaultSort: z.array(fieldName).default([]),
        /** Fields offered as filters; their type decides the control. */
        filters: z.array(fieldName).default([]),
        /** Text fields (or "relation.field" paths) searched by the search box; none: no search box. */
        search: z.array(fieldName).default([]),
        /** At or above this many matching rows (as the planner estimates them), the total shown is the estimate. */
        countThreshold: z.number().int().min(0).default(100_000),
        /** Below the threshold the total is counted exactly, unless that takes longer than this; then it is estimated too. */
        countTimeoutMs: z.number().int().min(1).max(60_000).default(50),
        /** Columns shown until a user chooses their own; default: all of `fields`. */
        defaultColumns: z.array(fieldName).optional(),
        /** Offer "All" as a page size, showing at most `allLimit` rows. */
        allowAll: z.boolean().default(true),
        allLimit: z.number().int().min(1).max(10_000).default(1_000),
      })
      .strict()
      .default({ exclude: [], pageSize: 25, pageSizes: [10, 25, 50, 100], defaultSort: [], filters: [], search: [], countThreshold: 100_000, countTimeoutMs: 50, allowAll: true, allLimit: 1_000 }),
    /** Computed read-only values, by name, usable as list columns and detail fields. */
    properties: z.record(z.string(), propertySchema).default({}),
    detail: z
      .object({
        fields: z.array(fieldName).optional(),
        exclude: z.array(fieldName).default([]),
      })
      .strict()
      .default({ exclude: [] }),
    form: z
      .object({
        fields: z.array(fieldName).optional(),
        exclude: z.array(fieldName).default([]),
        /** Shown in the form but never editable. */
        disabled: z.array(fieldName).default([]),
        /** Read-only values shown above the edit form for context (fields or properties). */
        context: z.array(fieldName).default([]),
        help: z.record(z.string(), z.string()).default({}),
        /**
         * Extra checks by field name, used by the form and bulk edit alike: a zod schema run on the
         * parsed value of a filled-in field, e.g. { isbn: z.string().regex(/^\d{13}$/, "Enter 13 digits.") }.
         */
        validate: z.record(fieldName, fieldCheckSchema).default({}),
      })
      .strict()
      .default({ exclude: [], disabled: [], context: [], help: {}, validate: {} }),
    routes: z
      .object({
        list: z.boolean().default(true),
        detail: z.boolean().default(true),
        create: z.boolean().default(true),
        update: z.boolean().default(true),
        delete: z.boolean().default(true),
      })
      .strict()
      .default({ list: true, detail: true, create: true, update: true, delete: true }),
    /** Fields offered (and accepted) by bulk edit; none: no bulk edit. */
    bulkFields: z.array(fieldName).default([]),
    bulk: z
      .object({
        /** Offer bulk delete (needs the delete route and permission too). */
        delete: z.boolean().default(true),
        /** Rows per SQL statement. */
        chunkSize: z.number().int().min(1).max(100_000).default(5_000),
        /**
         * Optional per-record check before any bulk change: return a reason to refuse that record
         * (the whole operation is then refused). Costs a read of every targeted row.
         */
        veto: fn<(record: RecordRow, ctx: { operation: "update" | "delete"; user: unknown }) => string | undefined | Promise<string | undefined>>(
          "(record, ctx) => reason | undefined",
        ).optional(),
        /** When and how bulk operations run in the background (defaults from createPowerCrud's `bulk.background`). */
        background: resourceBackgroundSchema.default({}),
      })
      .strict()
      .default({ delete: true, chunkSize: 5_000, background: {} }),
    /** Export of this list as CSV and XLSX (defaults from createPowerCrud's `export`). */
    export: resourceExportSchema.default({}).describe("Export of this list as CSV and XLSX; what it leaves out comes from createPowerCrud's `export`."),
    rowActions: z.array(rowActionSchema).default([]),
    toolbar: z.array(toolbarButtonSchema).default([]),
    permissions: permissionsSchema.default({}),
    templates: templatesSchema.default({}),
  })
  .strict();

export type ResourceOptions = z.input<typeof resourceSchema>;
export type ResourceConfig = z.output<typeof resourceSchema>;
export type RowAction = z.output<typeof rowActionSchema>;
export type ToolbarButton = z.output<typeof toolbarButtonSchema>;
export type PropertyConfig = z.output<typeof propertySchema>;
