import type { Writable } from "node:stream";
import type { Resource } from "../config/resolve-resource";
import { exportQuery, type SelectionSql } from "./export-query";
import type { ExportSpec } from "./export-spec";
import { rowWriter } from "./export-writers";
import { RowCursor } from "./row-cursor";

export interface RunExportOptions {
  /**
   * The output, asked for once the cursor is open and its first rows are in: a query PostgreSQL
   * refuses fails before anything was written (an HTTP answer can still be a clean error).
   */
  output: () => Writable;
  /** Count the rows first, in the cursor's snapshot, and report the total. */
  onTotal?: (total: number) => Promise<void>;
  /** Called after each batch has been written, with the rows written so far; it may throw to stop the export. */
  onProgress?: (written: number) => Promise<void>;
}

/**
 * Runs one export: opens a cursor over the list's query and writes batch after batch to the output
 * in the chosen format, then ends the output. A batch is written only once the output took the last
 * (a slow reader slows the export instead of filling memory), while the database reads the one after
 * it. Resolves with the rows written.
 */
export async function runExport(resource: Resource, spec: ExportSpec, selection: SelectionSql | undefined, options: RunExportOptions): Promise<{ rows: number }> {
  const query = exportQuery(resource, spec, selection);
  const cursor = await RowCursor.open(resource.global.pool, query, resource.export.batchSize);
  let ahead: Promise<Array<Record<string, unknown>>> | undefined;
  try {
    if (options.onTotal) await options.onTotal(await cursor.count(query.matching));
    let batch = await cursor.next();
    const writer = rowWriter(options.output(), {
      format: spec.format,
      columns: query.columns,
      properties: resource.config.properties,
      title: resource.plural,
      bom: resource.export.csvBom,
    });
    let written = 0;
    while (batch.length > 0) {
      // The database reads the next batch while this one is formatted and written: two batches at most.
      ahead = cursor.next();
      await writer.write(batch);
      written += batch.length;
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
