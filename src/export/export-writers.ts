import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { PropertyConfig, RecordRow } from "../config/resource-schema";
import type { ExportFormat } from "../config/export-schema";
import type { Column } from "../list/columns";
import { nest } from "../list/page-rows";
import { valueAt } from "../list/record-select";
import { csvLine, UTF8_BOM } from "./csv";
import { cellValue, NUMERIC_FORMATS, numberFormat, textValue } from "./export-values";
import { drained, finished, writeTo } from "./output";

/** Writes rows of one export to its output, in batches, waiting whenever the output is full. */
export interface RowWriter {
  write(rows: Array<Record<string, unknown>>): Promise<void>;
  /** Writes what remains (the XLSX directory) and ends the output. */
  end(): Promise<void>;
}

export interface WriterOptions {
  format: ExportFormat;
  columns: Column[];
  properties: Record<string, PropertyConfig>;
  /** The worksheet's name (XLSX). */
  title: string;
  /** Start a CSV with the UTF-8 byte order mark. */
  bom: boolean;
}

/** The writer of a format, onto `output` (an HTTP response, or the file store of a background export). */
export function rowWriter(output: Writable, options: WriterOptions): RowWriter {
  return options.format === "csv" ? csvWriter(output, options) : xlsxWriter(output, options);
}

/** A fetched row (flat: "author.name" keys) as the columns' raw values, properties computed. */
function valuesOf(row: Record<string, unknown>, columns: Column[], properties: Record<string, PropertyConfig>): unknown[] {
  const record: RecordRow = nest(row);
  return columns.map((column) => valueAt(record, column, properties));
}

function csvWriter(output: Writable, { columns, properties, bom }: WriterOptions): RowWriter {
  const guards = columns.map((column) => !NUMERIC_FORMATS.has(column.format));
  let pending = (bom ? UTF8_BOM : "") + csvLine(columns.map((column) => column.label), columns.map(() => true));
  return {
    async write(rows) {
      // One string per batch: a million small writes would cost more than the formatting.
      let text = pending;
      pending = "";
      for (const row of rows) {
        const values = valuesOf(row, columns, properties);
        text += csvLine(values.map((value, index) => textValue(value, columns[index]!)), guards);
      }
      await writeTo(output, text);
    },
    async end() {
      if (pending) await writeTo(output, pending);
      output.end();
      await finished(output);
    },
  };
}

/**
 * XLSX through exceljs's streaming writer: rows are committed as they come and inline strings are
 * used (shared strings would keep every distinct text in memory to the end). exceljs hands the
 * sheet's XML to the zip's deflate stream without waiting for it, so after each batch the writer
 * waits until the deflate stream and the output have taken what was written: memory stays at a batch.
 */
function xlsxWriter(output: Writable, { columns, properties, title }: WriterOptions): RowWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(title.slice(0, 31).replace(/[\\/?*[\]:]/g, " ") || "Export", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((column) => {
    const numFmt = numberFormat(column);
    return { header: column.label, key: column.key, width: Math.min(60, Math.max(10, column.label.length + 2)), ...(numFmt ? { style: { numFmt } } : {}) };
  });
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  const sheetStream = (sheet as unknown as { stream: { pipes?: Writable[] } }).stream;
  return {
    async write(rows) {
      for (const row of rows) {
        const values = valuesOf(row, columns, properties);
        sheet.addRow(values.map((value, index) => cellValue(value, columns[index]!))).commit();
      }
      for (const pipe of sheetStream.pipes ?? []) if (pipe.writableNeedDrain) await drained(pipe);
      if (output.writableNeedDrain) await drained(output);
    },
    async end() {
      sheet.commit();
      await workbook.commit();
      await finished(output);
    },
  };
}

