import { z } from "zod";
import type { Request } from "express";
import { fn } from "./schema-helpers";
import { permissionsSchema, type PermissionResult } from "./permissions-schema";
import { resourceBackgroundSchema } from "./background-schema";
import { resourceExportSchema } from "./export-schema";
import { resourceHistorySchema } from "./history-schema";
import type { ChoicesWhere, FieldCheck } from "../forms/types";

const fieldName = z.string().min(1);

export type RecordRow = Record<string, any>;

const propertySchema = z
  .object({
    label: z.string().describe("The property's label."),
    value: fn<(record: RecordRow) => unknown>("(record) => value").describe(
      "Computes the value, synchronously, from the record (which includes the fields named in `needs`).",
    ),
    needs: z.array(fieldName).default([]).describe('Fields or paths the function reads (`"author.name"`); fetched with every row.'),
  })
  .strict();

/** Any zod schema (or object with zod's safeParse); checked by shape so a host's own zod copy works too. */
const fieldCheckSchema = z.custom<FieldCheck>((value) => typeof (value as { safeParse?: unknown } | null)?.safeParse === "function", {
  message: "must be a zod schema, e.g. z.string().regex(/^\\d{13}$/, \"Enter 13 digits.\")",
}).meta({ typeText: "ZodType" });

const listColumnSchema = z.union([
  fieldName,
  z
    .object({
      field: fieldName.describe("The column's name (field, path, relation or property)."),
      label: z.string().optional().meta({ defaultText: "the `labels` entry, or the humanized name", description: "The header of this column." }),
      link: z.boolean().optional().meta({ defaultText: "whether `linkFields` names it", description: "Link this column to the detail view." }),
    })
    .strict(),
]);

export type ActionVisibility = (ctx: { user: any; req: Request; record?: RecordRow }) => PermissionResult | Promise<PermissionResult>;

const rowActionSchema = z
  .object({
    label: z.string().describe("Button text."),
    href: z.union([z.string(), fn<(record: RecordRow) => string>("(record) => url")]).describe(
      "The URL: a function of the record, or a string in which `{id}` is replaced by the URL-encoded record id.",
    ),
    modal: z.boolean().default(false).describe(
      "Load the URL into the record modal with htmx (its response must be an HTML fragment) instead of navigating.",
    ),
    permission: fn<ActionVisibility>("(ctx) => boolean | string").optional().meta({
      defaultText: "none: always shown",
      description:
        "`ctx` is `{ user, req, record }` (toolbar: `{ user, req }`); may be async. `true`: shown; `false`: hidden; a string: shown " +
        "disabled, the string as tooltip.",
    }),
    variant: z.enum(["default", "primary", "secondary", "accent", "error", "warning", "ghost"]).default("ghost").describe(
      "daisyUI button colour (`btn-<variant>`). `secondary`, `accent` and `warning` need your own CSS build " +
        "([Templates](../guides/templates.md#styling-and-tailwind)).",
    ),
  })
  .strict();

const toolbarButtonSchema = rowActionSchema.extend({
  href: z.string().describe("The URL."),
});

/** How a relation field's choices follow other fields of the same form. */
const dependentChoiceSchema = z
  .object({
    on: z.array(fieldName).min(1).describe(
      "The fields whose values narrow the choices: fields, enums or foreign keys of the model (a foreign key also by its relation " +
        "name; not many-to-many relations, not the field itself). When one changes in a form, the choices reload.",
    ),
    where: fn<ChoicesWhere>("({ values, user, req }) => Prisma where of the related model | undefined").meta({
      typeText: "({ values, user, req }) => where | undefined",
      description:
        "The Prisma `where` of the related model that the choices must match; may be async. `values` holds the parsed values of the " +
        "`on` fields the form sets (or the record has), by form field name; an unknown one is absent. `undefined` or `{}`: every record.",
    }),
    message: z.string().optional().meta({
      defaultText: '"This &lt;field&gt; is not available for the chosen &lt;on fields&gt;. Choose another."',
      description: "The field message when a saved value is outside the choices.",
    }),
  })
  .strict();

const templatesSchema = z
  .object({
    list: z.string().optional().meta({ defaultText: '`"powercrud/list.njk"`', description: "The list page." }),
    table: z.string().optional().meta({ defaultText: '`"powercrud/partials/table.njk"`', description: "The list's table, swapped by htmx." }),
    detail: z.string().optional().meta({ defaultText: '`"powercrud/partials/detail.njk"`', description: "A record's detail view." }),
    form: z.string().optional().meta({ defaultText: '`"powercrud/partials/form.njk"`', description: "The create and edit form." }),
    deleteConfirm: z.string().optional().meta({
      defaultText: '`"powercrud/partials/delete-confirm.njk"`',
      description: "The delete confirmation.",
    }),
  })
  .strict();

export const resourceSchema = z
  .object({
    model: z.string().min(1).describe('The Prisma model name, e.g. `"Book"`. The model needs a single-field primary key.'),
    key: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, "must be 1-100 letters, digits or _.:-").optional().meta({
      defaultText: "the model name (`Book~2`, `Book~3` for repeats)",
      description:
        "The name background workers find this resource by: 1 to 100 letters, digits or `_.:-`. Give each resource of one model its own " +
        "key when a separate worker process runs their tasks.",
    }),
    title: z.string().optional().meta({ defaultText: "`singular`, pluralized", description: "The list page's title." }),
    singular: z.string().optional().meta({
      defaultText: "the model name, humanized",
      description: 'One record\'s name in messages and buttons ("New book", "Deleted book …").',
    }),
    helpText: z.string().optional().describe("Text under the list's title."),
    labels: z.record(z.string(), z.string()).default({}).describe(
      "Labels by field name, path or property name, replacing the humanized names in list headers, the column chooser, detail rows and " +
        "form labels. Each key is checked at mount.",
    ),
    displayField: fieldName.optional().meta({
      defaultText: "`displayFields`' entry, else a name-like field (see below)",
      description:
        "The field that names a record of this model in titles, messages and other resources' selects. Wins over `displayFields` for " +
        "this model. Must be a field of the model (not a relation).",
    }),
    list: z
      .object({
        fields: z.array(listColumnSchema).optional().meta({
          defaultText: "the model's readable fields (see below)",
          description: "The columns, in order: names (see below) or column objects.",
        }),
        exclude: z.array(fieldName).default([]).describe("Columns to drop."),
        linkFields: z.array(fieldName).optional().meta({ defaultText: "the first column", description: "Columns that link to the detail view." }),
        pageSize: z.number().int().min(1).max(1000).default(25).describe("Rows per page."),
        pageSizes: z.array(z.number().int().min(1).max(1000)).default([10, 25, 50, 100]).describe(
          'The "Rows per page" choices, and the sizes accepted in the URL (`?size=`); any other size falls back to `pageSize`.',
        ),
        defaultSort: z.array(fieldName).default([]).describe(
          'Sort when the URL names none: sortable column names, `-` for descending (`["-publishedDate", "title"]`). The id is always ' +
            "added last; with no sort at all, rows come by id, descending.",
        ),
        filters: z.array(fieldName).default([]).describe(
          "Fields offered as filters; the field's type decides the control. Fields, to-one relations (or their foreign keys) and " +
            "many-to-many relations; not `Json`, `Bytes` or one-to-many relations. See [List views](../guides/list-views.md#filters).",
        ),
        defaultFilters: z.array(fieldName).optional().meta({
          defaultText: "every filter",
          description:
            'The filters the panel shows from the start, each one of `filters` (a relation may be named by its foreign key). The others ' +
            'wait in the panel\'s "Add filter" menu until a user adds one; a filter with a value in the URL always shows. See ' +
            "[List views](../guides/list-views.md#optional-filters).",
        }),
        search: z.array(fieldName).default([]).describe(
          '`String` fields, or `"relation.field"` paths to a `String` field one to-one relation away, searched by the search box ' +
            '("contains", case-insensitive). Empty: no search box. See [List views](../guides/list-views.md#search).',
        ),
        countThreshold: z.number().int().min(0).default(100_000).describe(
          'An unfiltered list of a table with at least this many rows, by its statistics, shows that estimate ("≈ 1.2M") instead of ' +
            "counting. Filtered lists are always counted (within `countTimeoutMs`); on a table this large (and of at least 10,000 rows) " +
            "the page waits for the count only until its rows are ready, shows the planner's estimate meanwhile and loads the exact total " +
            "right after. See [List views](../guides/list-views.md#counts).",
        ),
        countTimeoutMs: z.number().int().min(1).max(60_000).default(50).describe(
          "The time limit of an exact count; a count that takes longer is cancelled and an estimate is shown (the planner's for a " +
            "filtered list).",
        ),
        defaultColumns: z.array(fieldName).optional().meta({
          defaultText: "all of the list's columns",
          description: "Columns shown until a user chooses their own with the column chooser; each must be one of the list's columns.",
        }),
        allowAll: z.boolean().default(true).describe('Offer "All" as a page size (`?size=all`), showing at most `allLimit` rows.'),
        allLimit: z.number().int().min(1).max(10_000).default(1_000).describe('The most rows "All" shows.'),
        help: z.record(z.string(), z.string()).default({}).describe(
          "Help text for column headers, by column name (as in `fields`): a focusable question-mark button with the text as its tooltip, and the " +
            "description of the header's sort link. Each name must be a list column. See [List views](../guides/list-views.md#the-table).",
        ),
      })
      .strict()
      .default({ exclude: [], pageSize: 25, pageSizes: [10, 25, 50, 100], defaultSort: [], filters: [], search: [], countThreshold: 100_000, countTimeoutMs: 50, allowAll: true, allLimit: 1_000, help: {} })
      .describe("The list view."),
    properties: z.record(z.string(), propertySchema).default({}).describe(
      "Computed read-only values, by name, usable as list columns, detail fields and form context.",
    ),
    detail: z
      .object({
        fields: z.array(fieldName).optional().meta({
          defaultText:
            "the id, every field except `Bytes` (foreign keys as their relations), to-one relations, many-to-many relations, then every property",
          description: "The rows, in order.",
        }),
        exclude: z.array(fieldName).default([]).describe("Rows to drop."),
      })
      .strict()
      .default({ exclude: [] })
      .describe("The detail view."),
    form: z
      .object({
        fields: z.array(fieldName).optional().meta({
          defaultText: "every editable field except the id and generated fields (see below)",
          description: 'The fields, in order. A foreign key may be named by its relation (`"author"` for `authorId`).',
        }),
        exclude: z.array(fieldName).default([]).describe("Fields to drop."),
        disabled: z.array(fieldName).default([]).describe("Shown but never editable; posted values are ignored."),
        context: z.array(fieldName).default([]).describe("Read-only values (fields, paths or properties) shown above the edit form."),
        help: z.record(z.string(), z.string()).default({}).describe("Help text under a field, by field name."),
        validate: z.record(fieldName, fieldCheckSchema).default({}).describe(
          "Extra checks by field name (a foreign key also by its relation name), used by the form **and bulk edit**: a zod schema run on " +
            'the parsed value of a filled-in field, e.g. `{ isbn: z.string().regex(/^\\d{13}$/, "Enter 13 digits."), pages: z.number().min(1) }`. ' +
            "Its first issue's message is the field message. See [Form fields](../guides/mounting-resources.md#form-fields) for the value " +
            "each field type gives.",
        ),
        dependentChoices: z.record(fieldName, dependentChoiceSchema).default({}).describe(
          "Relation fields (a foreign key by its field or relation name, or a many-to-many relation) whose choices follow other fields' " +
            'values, by field name: `{ editor: { on: ["author"], where: ({ values }) => ({ id: { not: values.authorId } }) } }`. Applied in ' +
            "the create, edit, inline and bulk edit forms and checked on save (422). See [Forms and validation](../guides/forms.md#dependent-choices).",
        ),
      })
      .strict()
      .default({ exclude: [], disabled: [], context: [], help: {}, validate: {}, dependentChoices: {} })
      .describe("The create and edit forms."),
    routes: z
      .object({
        list: z.boolean().default(true).describe("`GET /`, `POST /_columns` (the column chooser)."),
        detail: z.boolean().default(true).describe("`GET /:id`."),
        create: z.boolean().default(true).describe("`GET /new`, `POST /`."),
        update: z.boolean().default(true).describe(
          "`GET /:id/edit`, `POST /:id`; with `inlineEdit` (and `list`), `GET /:id/inline`, `POST /:id/inline`, `GET /:id/row`.",
        ),
        delete: z.boolean().default(true).describe("`GET /:id/delete`, `POST /:id/delete`."),
      })
      .strict()
      .default({ list: true, detail: true, create: true, update: true, delete: true })
      .describe("Which screens exist."),
    inlineEdit: z
      .object({
        fields: z.array(fieldName).default([]).describe(
          "The fields a row's Quick edit turns into inputs, each in its own column's cells. Each must be a field of the edit form (not in " +
            "`form.exclude` or `form.disabled`; a foreign key by its field or relation name) shown as a column of `list.fields`, and the " +
            "`update` route must be on. Saving checks what the edit form checks. See [List views](../guides/list-views.md#inline-editing).",
        ),
      })
      .strict()
      .default({ fields: [] })
      .describe("Inline row editing: fields users change in place in the list. Empty: no inline editing."),
    bulkFields: z.array(fieldName).default([]).describe(
      "The fields bulk edit offers, in order. Empty: no bulk edit. See [bulkFields](#bulkfields).",
    ),
    bulk: z
      .object({
        delete: z.boolean().default(true).describe(
          "Offer bulk delete. It also needs the `bulk`, `list` and `delete` permissions (and so the delete route).",
        ),
        chunkSize: z.number().int().min(1).max(100_000).default(5_000).describe(
          "Rows per SQL statement. Every chunk of one operation runs in the same transaction, so this bounds the size of each statement " +
            "and its parameter, not what commits together.",
        ),
        veto: fn<(record: RecordRow, ctx: { operation: "update" | "delete"; user: unknown }) => string | undefined | Promise<string | undefined>>(
          "(record, ctx) => reason | undefined",
        ).optional().describe(
          'Asked for every targeted record before a bulk edit (`ctx.operation`: `"update"`) or bulk delete (`"delete"`), with ' +
            "`ctx.user`; may be async. Returning a reason refuses the whole operation (422, nothing changed). `record` holds the " +
            "record's scalar and enum fields. Opt-in because it reads every targeted row first. In a background task it is asked chunk " +
            "by chunk, and a refused record is listed as a failure while the others change. See " +
            "[Bulk operations](../guides/bulk-operations.md#per-record-checks-and-the-veto-hook).",
        ),
        background: resourceBackgroundSchema.default({}).describe(
          "This resource's own background settings, each overriding createPowerCrud's. See [Background tasks](../guides/background-tasks.md).",
        ),
        recoverableDelete: z.boolean().default(false).describe(
          "Journal the rows a bulk delete removes, whole and with their many-to-many links, so the delete can be reverted from its task " +
            "page (needs `history`). Off: the confirmation says plainly that the delete cannot be undone. See " +
            "[History and revert](../guides/history-and-revert.md#recoverable-bulk-deletes).",
        ),
      })
      .strict()
      .default({ delete: true, chunkSize: 5_000, background: {}, recoverableDelete: false })
      .describe("Bulk delete, the chunk size of bulk statements, the veto hook and background execution."),
    history: resourceHistorySchema,
    export: resourceExportSchema.default({}).describe("Export of this list as CSV and XLSX; what it leaves out comes from createPowerCrud's `export`."),
    rowActions: z.array(rowActionSchema).default([]).describe("Extra buttons on every row."),
    toolbar: z.array(toolbarButtonSchema).default([]).describe("Extra buttons above the list."),
    permissions: permissionsSchema.default({}).describe("This resource's hooks; each replaces the global hook of the same name."),
    templates: templatesSchema.default({}).describe(
      "Other templates for this resource, found through the `views` folders and then the package. See " +
        "[Templates](../guides/templates.md#one-resources-templates).",
    ),
  })
  .strict();

export type ResourceOptions = z.input<typeof resourceSchema>;
export type ResourceConfig = z.output<typeof resourceSchema>;
export type RowAction = z.output<typeof rowActionSchema>;
export type ToolbarButton = z.output<typeof toolbarButtonSchema>;
export type PropertyConfig = z.output<typeof propertySchema>;
