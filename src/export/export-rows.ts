import type { FieldDef } from "pg";
import type { PropertyConfig } from "../config/resource-schema";
import { prismaCompatibleTypes } from "../db/pg-types";
import type { Column } from "../list/columns";
import { nest } from "../list/page-rows";
import { valueAt } from "../list/record-select";
import { csvField } from "./csv";
import { cellFromSql, cellValue, NUMERIC_FORMATS, textFromSql, textValue, type Cell } from "./export-values";

/** A row as the cursor fetches it: PostgreSQL's text of each selected value, in select order. */
export type TextRow = Array<string | null>;

/** What reading an export's rows needs: the columns it writes and the fields of its query. */
export interface RowShape {
  columns: Column[];
  fields: FieldDef[];
  properties: Record<string, PropertyConfig>;
}

type Reader<T> = (row: TextRow, record: () => Record<string, unknown>) => T;

/** Formats whose text never holds a comma, quote or line break, nor starts a formula: written without a look. */
const PLAIN_FORMATS = new Set<Column["format"]>(["integer", "number", "decimal", "boolean", "date", "datetime"]);

/**
 * Rows come as PostgreSQL's text, and most values are written as they came: that saves most of the
 * cost of reading a million rows (parsing dates and JSON into objects, then printing them again).
 * Each column gets one small function, chosen once. A computed property gets the record typed and
 * nested as on list pages, built only for the rows that need it.
 */
function readersOf<T>(shape: RowShape, read: { text(index: number, column: Column): (row: TextRow) => T; value(value: unknown, column: Column): T }) {
  const { columns, fields, properties } = shape;
  const at = (name: string) => {
    const index = fields.findIndex((field) => field.name === name);
    if (index === -1) throw new Error(`The export's query has no column "${name}".`);
    return index;
  };
  const parsers = fields.map((field) => prismaCompatibleTypes.getTypeParser(field.dataTypeID) as (text: string) => unknown);
  const readers = columns.map((column): Reader<T> => {
    if (column.kind === "property") return (_row, record) => read.value(valueAt(record(), column, properties), column);
    if (column.kind === "many") {
      // A JSON array of { id, <display field> }, sorted by the display field: the list's own SQL.
      const index = at(column.path[0]!);
      const key = column.itemField!;
      return (row) => read.value(row[index] == null ? [] : (JSON.parse(row[index]!) as Array<Record<string, unknown>>).map((item) => item[key]), column);
    }
    const text = read.text(at(column.path.join(".")), column);
    return (row) => text(row);
  });
  const typed = columns.some((column) => column.kind === "property");
  return {
    readers,
    /** The row's record for property columns, built once a row, and only when one asks. */
    recordOf(row: TextRow): () => Record<string, unknown> {
      if (!typed) return NO_RECORD;
      let record: Record<string, unknown> | undefined;
      return () => (record ??= nest(Object.fromEntries(fields.map((field, index) => [field.name, row[index] === null ? null : parsers[index]!(row[index]!)]))));
    },
  };
}

const NO_RECORD = (): Record<string, unknown> => {
  throw new Error("No property column asked for the record.");
};

/** CSV: a batch of rows as its CSV text, one line a row. */
export function csvEncoder(shape: RowShape): (rows: TextRow[]) => string {
  const { readers, recordOf } = readersOf<string>(shape, {
    // A null is an empty field; an empty text is "" (PostgreSQL's COPY tells them apart so too).
    text(index, column) {
      if (PLAIN_FORMATS.has(column.format)) return (row) => textFromSql(row[index] ?? null, column);
      return (row) => (row[index] == null ? "" : csvField(textFromSql(row[index]!, column), true));
    },
    value: (value, column) => (value == null ? "" : csvField(textValue(value, column), !NUMERIC_FORMATS.has(column.format))),
  });
  return (rows) => {
    let text = "";
    for (const row of rows) {
      const record = recordOf(row);
      let line = readers[0]!(row, record);
      for (let index = 1; index < readers.length; index++) line += "," + readers[index]!(row, record);
      text += line + "\n";
    }
    return text;
  };
}

/** XLSX: a row as its typed cells. */
export function xlsxReader(shape: RowShape): (row: TextRow) => Cell[] {
  const { readers, recordOf } = readersOf<Cell>(shape, {
    text: (index, column) => (row) => cellFromSql(row[index] ?? null, column),
    value: (value, column) => cellValue(value, column),
  });
  return (row) => {
    const record = recordOf(row);
    return readers.map((read) => read(row, record));
  };
}
