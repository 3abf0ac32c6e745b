import { z } from "zod";

export const EXPORT_FORMATS = ["csv", "xlsx"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const formats = z.array(z.enum(EXPORT_FORMATS)).min(1, "offer at least one format, or set enabled to false");

/** Export of lists, as createPowerCrud sets it for every resource. */
export const globalExportSchema = z
  .object({
    enabled: z.boolean().default(true).describe("Offer Export on lists (the `export` permission hook decides who may use it)."),
    formats: formats.default([...EXPORT_FORMATS]).describe('The file formats offered: "csv" and "xlsx".'),
    backgroundMinRecords: z
      .number().int().min(1).optional()
      .describe("Exports of at least this many rows are prepared in the background and offered as a download on their task page; default: the resource's `bulk.background.minRecords`. Smaller ones stream straight to the browser."),
    expiresAfterHours: z
      .number().int().min(1).max(8_760).default(24)
      .describe("How long a file prepared in the background can be downloaded; the task cleanup then removes it."),
    csvBom: z
      .boolean().default(true)
      .describe("Start CSV files with a UTF-8 byte order mark, so that Excel reads accents and other non-ASCII text correctly. CSV files are always UTF-8."),
    includeId: z.boolean().default(true).describe("Write each record's id as the first column, before the list's visible columns."),
    batchSize: z
      .number().int().min(100).max(100_000).default(5_000)
      .describe("Rows read from the database cursor at a time; what an export holds in memory is about one batch."),
  })
  .strict();

/** A resource's own export settings; what it leaves out comes from createPowerCrud's. */
export const resourceExportSchema = z
  .object({
    enabled: z.boolean().optional().describe("Offer Export on this list; default: createPowerCrud's `export.enabled`."),
    formats: formats.optional().describe("The formats this list offers; default: createPowerCrud's `export.formats`."),
    backgroundMinRecords: z.number().int().min(1).optional().describe("This list's background threshold; default: createPowerCrud's `export.backgroundMinRecords`, else this resource's `bulk.background.minRecords`."),
    expiresAfterHours: z.number().int().min(1).max(8_760).optional().describe("Default: createPowerCrud's `export.expiresAfterHours`."),
    csvBom: z.boolean().optional().describe("Default: createPowerCrud's `export.csvBom`."),
    includeId: z.boolean().optional().describe("Default: createPowerCrud's `export.includeId`."),
    batchSize: z.number().int().min(100).max(100_000).optional().describe("Default: createPowerCrud's `export.batchSize`."),
  })
  .strict();

/** A resource's export settings with every default filled in (the threshold resolved too). */
export type ExportConfig = Omit<z.output<typeof globalExportSchema>, "backgroundMinRecords"> & { backgroundMinRecords: number };
