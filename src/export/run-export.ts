import type { Writable } from "node:stream";
import type { Resource } from "../config/resolve-resource";
import { copyTo } from "./copy-out";
import { csvHeader } from "./csv";
import { csvCopySql } from "./csv-sql";
import { exportQuery, type ExportQuery, type SelectionSql } from "./export-query";
import type { ExportSpec } from "./export-spec";
import { rowWriter } from "./export-writers";
import { finished } from "./output";
import { BEGIN_EXPORT, countIn, RowCursor } from "./row-cursor";

export interface RunExportOptions {
  /**
   * The output, asked for once the first rows are in: a query PostgreSQL refuses fails before
   * anything was written (an HTTP answer can still be a clean error).
   */
  output: () => Writable;
  /** Count the rows first, in the export's snapshot, and report the total. */
  onTotal?: (total: number) => Promise<void>;
  /** Called as rows are written, with the rows written so far; it may throw to stop the export. */
  onProgress?: (written: number) => Promise<void>;
}

/** How often a CSV written by COPY reports its progress. */
const COPY_PROGRESS_MS = 200;

/**
 * Runs one export into the output and ends it; resolves with the rows written. A CSV is written by
 * PostgreSQL itself (`COPY ... TO STDOUT`, formatted in SQL); an XLSX, or a CSV with a computed
 * column, is read through a cursor and formatted in Node. Both read one snapshot and both wait for
 * the output: a slow reader slows the export instead of filling memory.
 */
export async function runExport(resource: Resource, spec: ExportSpec, selection: SelectionSql | undefined, options: RunExportOptions): Promise<{ rows: number }> {
  const query = exportQuery(resource, spec, selection);
  const copy = spec.format === "csv" ? csvCopySql(resource, query) : undefined;
  return copy ? copyExport(resource, query, copy, options) : cursorExport(resource, spec, query, options);
}

async function copyExport(resource: Resource, query: ExportQuery, copy: string, options: RunExportOptions): Promise<{ rows: number }> {
  const { pool } = resource.global;
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query(BEGIN_EXPORT);
    if (options.onTotal) await options.onTotal(await countIn(client, query.matching));
    let output: Writable | undefined;
    const prefix = csvHeader(query.columns.map((column) => column.label), resource.export.csvBom);
    const rows = await copyTo(pool, client, copy, { open: () => (output = options.output()), prefix }, options.onProgress && { everyMs: COPY_PROGRESS_MS, report: options.onProgress });
    await client.query("COMMIT");
    output!.end();
    await finished(output!);
    return { rows };
  } catch (error) {
    // The connection of a failed or stopped copy is dropped rather than handed to another request.
    failure = error as Error;
    throw error;
  } finally {
    client.release(failure);
  }
}

/**
 * Through a cursor: a batch is written only once the output took the last, while the database
 * reads the one after it (two batches in memory at most).
 */
async function cursorExport(resource: Resource, spec: ExportSpec, query: ExportQuery, options: RunExportOptions): Promise<{ rows: number }> {
  const cursor = await RowCursor.open(resource.global.pool, query, resource.export.batchSize);
  let ahead: ReturnType<RowCursor["next"]> | undefined;
  try {
    if (options.onTotal) await options.onTotal(await cursor.count(query.matching));
    let batch = await cursor.next();
    const writer = await rowWriter(options.output(), {
      format: spec.format,
      columns: query.columns,
      fields: batch.fields,
      properties: resource.config.properties,
      title: resource.plural,
      bom: resource.export.csvBom,
    });
    let written = 0;
    while (batch.rows.length > 0) {
      ahead = cursor.next();
      await writer.write(batch.rows);
      written += batch.rows.length;
      await options.onProgress?.(written);
      batch = await ahead;
      ahead = undefined;
    }
    await writer.end();
    await cursor.close();
    return { rows: written };
  } catch (error) {
    await ahead?.catch(() => {});
    await cursor.close(error as Error);
    throw error;
  }
}
