import { z } from "zod";

export const EXPORT_FORMATS = ["csv", "xlsx"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const formats = z.array(z.enum(EXPORT_FORMATS)).min(1, "offer at least one format, or set enabled to false");

/** Export of lists, as createPowerCrud sets it for every resource. */
export const globalExportSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Offer Export in the list's toolbar. Who may use it is the [`export` permission](#permissions)'s say."),
    formats: formats.default([...EXPORT_FORMATS]).describe('The file formats offered: `"csv"` (UTF-8) and `"xlsx"` (an Excel workbook).'),
    backgroundMinRecords: z.number().int().min(1).optional().meta({
      defaultText: "the resource's `bulk.background.minRecords`",
      description:
        "An export of at least this many rows is prepared in the background and offered as a download on its task page; a smaller one " +
        "streams straight to the browser. With `bulk.background.enabled` off, every export streams.",
    }),
    expiresAfterHours: z.number().int().min(1).max(8_760).default(24).describe(
      "How long the file of a background export can be downloaded; the task cleanup then deletes it.",
    ),
    csvBom: z.boolean().default(true).describe(
      "Start CSV files with the UTF-8 byte order mark, so that Excel reads accents and other non-ASCII text correctly (CSV files are always UTF-8).",
    ),
    includeId: z.boolean().default(true).describe("Write each record's id as the first column, before the list's visible columns."),
    batchSize: z.number().int().min(100).max(100_000).default(5_000).describe(
      "Rows an XLSX export (or a CSV with a computed column) reads from its database cursor at a time; it holds about two batches in " +
        "memory, whatever its size. Other CSV exports are written by PostgreSQL's `COPY` and need no batches.",
    ),
  })
  .strict();

/** A resource's own export settings; what it leaves out comes from createPowerCrud's. */
export const resourceExportSchema = z
  .object({
    enabled: z.boolean().optional().meta(overrides("enabled")),
    formats: formats.optional().meta(overrides("formats")),
    backgroundMinRecords: z.number().int().min(1).optional().meta(overrides("backgroundMinRecords")),
    expiresAfterHours: z.number().int().min(1).max(8_760).optional().meta(overrides("expiresAfterHours")),
    csvBom: z.boolean().optional().meta(overrides("csvBom")),
    includeId: z.boolean().optional().meta(overrides("includeId")),
    batchSize: z.number().int().min(100).max(100_000).optional().meta(overrides("batchSize")),
  })
  .strict();

/** The reference text of a resource's setting: createPowerCrud's setting of the same name, for this resource. */
function overrides(option: keyof z.input<typeof globalExportSchema>) {
  return { description: `Overrides createPowerCrud's [\`export.${option}\`](#global-export) for this resource.`, defaultText: "createPowerCrud's" };
}

/** A resource's export settings with every default filled in (the threshold resolved too). */
export type ExportConfig = Omit<z.output<typeof globalExportSchema>, "backgroundMinRecords"> & { backgroundMinRecords: number };
