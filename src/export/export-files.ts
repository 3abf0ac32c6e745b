import { Writable } from "node:stream";
import type pg from "pg";
import { drained } from "./output";

/** The file of a background export, as the download and the task page see it. */
export interface ExportFile {
  id: string;
  taskId: number;
  fileName: string;
  contentType: string;
  size: number;
  rows: number;
  completedAt: Date;
  expiresAt: Date;
}

/** Bytes per stored chunk: large enough that a 100 MB file is a hundred rows, small enough to hold one in memory. */
export const CHUNK_BYTES = 1024 * 1024;
/** Chunks read per query when a file is downloaded. */
const CHUNKS_PER_READ = 4;

const FILE_COLUMNS = `id::text AS id, "taskId", "fileName", "contentType", size::float8 AS size, rows::float8 AS rows, "completedAt", "expiresAt"`;

/** Starts the file of an export attempt, first dropping what an interrupted attempt of the same task wrote. */
export async function startExportFile(pool: pg.Pool, taskId: number, fileName: string, contentType: string): Promise<string> {
  await pool.query(`DELETE FROM powercrud.export_file WHERE "taskId" = $1 AND "completedAt" IS NULL`, [taskId]);
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO powercrud.export_file ("taskId", "fileName", "contentType") VALUES ($1, $2, $3) RETURNING id::text AS id`,
    [taskId, fileName, contentType],
  );
  return rows[0]!.id;
}

/**
 * Stores what an export writes as the file's chunks, in order. A chunk is inserted (its own short
 * statement) each time a megabyte has gathered, and the write that filled it completes only then:
 * the export waits for the database instead of gathering the file in memory.
 */
export class ExportFileWriter extends Writable {
  private parts: Buffer[] = [];
  private gathered = 0;
  private seq = 0;
  private storing: Promise<void> = Promise.resolve();
  private aborted = false;
  /** Bytes stored so far. */
  size = 0;

  constructor(private readonly pool: pg.Pool, private readonly fileId: string) {
    super({ highWaterMark: CHUNK_BYTES });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.aborted) return callback();
    this.parts.push(chunk);
    this.gathered += chunk.length;
    if (this.gathered < CHUNK_BYTES) return callback();
    this.store().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.store().then(() => callback(), callback);
  }

  /**
   * Stops storing (a stopped export may still be flushing, an XLSX's zip in particular): what comes
   * later is dropped, and the chunk being stored is waited for, so the file can be deleted after.
   */
  async abort(): Promise<void> {
    this.aborted = true;
    await this.storing.catch(() => {});
  }

  private store(): Promise<void> {
    if (this.gathered === 0 || this.aborted) return Promise.resolve();
    const data = Buffer.concat(this.parts, this.gathered);
    this.parts = [];
    this.gathered = 0;
    this.storing = this.pool
      .query(`INSERT INTO powercrud.export_chunk ("fileId", seq, data) VALUES ($1, $2, $3)`, [this.fileId, this.seq++, data])
      .then(() => void (this.size += data.length));
    return this.storing;
  }
}

/**
 * Makes a written file downloadable until `expiresAfterHours` from now, and sets the task's counts
 * to the rows written, in one transaction. Answers false (and keeps nothing) when the task was asked
 * to stop meanwhile: a cancelled export leaves no file.
 */
export async function completeExportFile(pool: pg.Pool, taskId: number, fileId: string, written: { rows: number; size: number }, expiresAfterHours: number): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rowCount } = await client.query(
      `UPDATE powercrud.export_file SET "completedAt" = now(), "expiresAt" = now() + make_interval(hours => $3), size = $4, rows = $5
       WHERE id = $1 AND EXISTS (SELECT 1 FROM powercrud.task WHERE id = $2 AND NOT "cancelRequested")`,
      [fileId, taskId, expiresAfterHours, written.size, written.rows],
    );
    if (rowCount) {
      await client.query(`UPDATE powercrud.task SET total = $2, processed = $2, succeeded = $2 WHERE id = $1`, [taskId, written.rows]);
    } else {
      await client.query(`DELETE FROM powercrud.export_file WHERE id = $1`, [fileId]);
    }
    await client.query("COMMIT");
    return Boolean(rowCount);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function dropExportFile(pool: pg.Pool, fileId: string): Promise<void> {
  await pool.query(`DELETE FROM powercrud.export_file WHERE id = $1`, [fileId]);
}

/** A task's complete file (expired or not, until the cleanup removes it); undefined when it has none. */
export async function exportFileOf(pool: pg.Pool, taskId: number): Promise<ExportFile | undefined> {
  const { rows } = await pool.query<ExportFile>(
    `SELECT ${FILE_COLUMNS} FROM powercrud.export_file WHERE "taskId" = $1 AND "completedAt" IS NOT NULL ORDER BY id DESC LIMIT 1`,
    [taskId],
  );
  return rows[0];
}

/**
 * Writes a stored file to the output in order, a few chunks per query (keyset on the chunk number),
 * each query only once the output took the last: a 100 MB file never sits in memory.
 */
export async function streamExportFile(pool: pg.Pool, file: ExportFile, output: Writable): Promise<void> {
  let next = 0;
  for (;;) {
    const { rows } = await pool.query<{ seq: number; data: Buffer }>(
      `SELECT seq, data FROM powercrud.export_chunk WHERE "fileId" = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
      [file.id, next, CHUNKS_PER_READ],
    );
    for (const row of rows) {
      if (!output.write(row.data)) await drained(output);
      next = row.seq + 1;
    }
    if (rows.length < CHUNKS_PER_READ) break;
  }
  output.end();
}

/** Chunks deleted per statement by the cleanup: about 100 MB, a short statement however large the files. */
const CHUNKS_PER_DELETE = 100;

/** Files past their download time, and unfinished files that stopped exports left (their task no longer runs). */
const DOOMED = `SELECT f.id FROM powercrud.export_file f
  WHERE f."expiresAt" < now()
     OR (f."completedAt" IS NULL AND NOT EXISTS (SELECT 1 FROM powercrud.task t WHERE t.id = f."taskId" AND t.status IN ('PENDING', 'RUNNING')))`;

/**
 * Deletes expired files and the leftovers of stopped exports: their chunks first, a hundred per
 * statement (each its own short transaction), then the file rows. Returns the rows deleted.
 */
export async function cleanupExportFiles(pool: pg.Pool): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM powercrud.export_chunk WHERE ("fileId", seq) IN (SELECT "fileId", seq FROM powercrud.export_chunk WHERE "fileId" IN (${DOOMED}) LIMIT $1)`,
      [CHUNKS_PER_DELETE],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < CHUNKS_PER_DELETE) break;
  }
  const { rowCount } = await pool.query(`DELETE FROM powercrud.export_file WHERE id IN (${DOOMED})`);
  return deleted + (rowCount ?? 0);
}
