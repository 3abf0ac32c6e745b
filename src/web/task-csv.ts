import type { Response } from "express";
import type pg from "pg";

const BATCH = 5_000;

/**
 * Writes every failed record of a task as CSV ("record_id,reason"), batch by batch in primary-key
 * order, waiting for the socket to drain between batches: a million failures never sit in memory.
 */
export async function streamFailuresCsv(pool: pg.Pool, taskId: number, res: Response): Promise<void> {
  res.status(200).set({
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="task-${taskId}-failures.csv"`,
    "Cache-Control": "no-store",
  });
  let aborted = false;
  res.on("close", () => (aborted = true));
  await write(res, "record_id,reason\r\n");
  let after: string | null = null;
  while (!aborted) {
    const { rows }: { rows: Array<{ recordId: string; reason: string }> } = await pool.query(
      `SELECT "recordId", reason FROM powercrud.task_failure WHERE "taskId" = $1 AND ($2::text IS NULL OR "recordId" > $2) ORDER BY "recordId" LIMIT $3`,
      [taskId, after, BATCH],
    );
    if (rows.length === 0) break;
    await write(res, rows.map((row) => `${cell(row.recordId)},${cell(row.reason)}\r\n`).join(""));
    after = rows.at(-1)!.recordId;
    if (rows.length < BATCH) break;
  }
  res.end();
}

/**
 * One CSV cell, quoted when needed. A cell a spreadsheet would run as a formula (=, +, -, @ first)
 * gets a leading apostrophe, unless it is a plain number such as a negative id.
 */
export function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function write(res: Response, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.write(text)) resolve();
    else {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.once("drain", done);
      res.once("close", done);
    }
  });
}
