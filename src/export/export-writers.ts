import type { Writable } from "node:stream";
import type { ExportFormat } from "../config/export-schema";
import { csvHeader } from "./csv";
import { csvEncoder, xlsxReader, type RowShape, type TextRow } from "./export-rows";
import { numberFormat } from "./export-values";
import { drained, finished, writeTo } from "./output";

/** Writes the rows of one export to its output, a batch at a time, waiting whenever the output is full. */
export interface RowWriter {
  write(rows: TextRow[]): Promise<void>;
  /** Writes what remains (the XLSX directory) and ends the output. */
  end(): Promise<void>;
}

export interface WriterOptions extends RowShape {
  format: ExportFormat;
  /** The worksheet's name (XLSX). */
  title: string;
  /** Start a CSV with the UTF-8 byte order mark. */
  bom: boolean;
}

/**
 * The writer of a format, onto `output` (an HTTP response, or the file store of a background export).
 * exceljs is loaded with the first XLSX export: a process that never writes one does not hold it.
 */
export async function rowWriter(output: Writable, options: WriterOptions): Promise<RowWriter> {
  if (options.format === "csv") return csvWriter(output, options);
  const { default: ExcelJS } = await import("exceljs");
  return xlsxWriter(ExcelJS, output, options);
}

function csvWriter(output: Writable, options: WriterOptions): RowWriter {
  const encode = csvEncoder(options);
  let header = csvHeader(options.columns.map((column) => column.label), options.bom);
  return {
    // One string per batch: a million small writes would cost more than the formatting.
    async write(rows) {
      await writeTo(output, header + encode(rows));
      header = "";
    },
    async end() {
      if (header) await writeTo(output, header);
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
function xlsxWriter(ExcelJS: typeof import("exceljs"), output: Writable, options: WriterOptions): RowWriter {
  const { columns, title } = options;
  const read = xlsxReader(options);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(title.slice(0, 31).replace(/[\\/?*[\]:]/g, " ") || "Export", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((column) => {
    const numFmt = numberFormat(column);
    return { header: column.label, key: column.key, width: Math.min(60, Math.max(10, column.label.length + 2)), ...(numFmt ? { style: { numFmt } } : {}) };
  });
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  // The deflate input the sheet writes to is a readable-stream v3 PassThrough: its "full" flag has the older name.
  const sheetStream = (sheet as unknown as { stream: { pipes?: Array<Writable & { _writableState?: { needDrain?: boolean } }> } }).stream;
  return {
    async write(rows) {
      for (const row of rows) sheet.addRow(read(row)).commit();
      for (const pipe of sheetStream.pipes ?? []) if (pipe.writableNeedDrain ?? pipe._writableState?.needDrain) await drained(pipe);
      if (output.writableNeedDrain) await drained(output);
    },
    async end() {
      sheet.commit();
      await workbook.commit();
      await finished(output);
    },
  };
}
