import type { Response } from "express";
import type pg from "pg";
import { exportFileOf, streamExportFile, type ExportFile } from "../export/export-files";
import { ExportAborted } from "../export/output";
import type { TaskRow } from "../tasks/interfaces";
import { HttpError } from "./http-error";

/** What an export's task page says about its file. */
export interface ExportDownloadView {
  url: string;
  fileName: string;
  /** "12.4 MB" */
  size: string;
  rows: number;
  expiresAt: Date;
  expired: boolean;
}

/** The task page's download block: the file while it can be downloaded, or that it expired; nothing before it exists. */
export async function exportDownloadView(pool: pg.Pool, task: TaskRow, taskUrl: string, now = new Date()): Promise<ExportDownloadView | undefined> {
  if (task.operation !== "export" || task.status !== "SUCCESS") return undefined;
  const file = await exportFileOf(pool, task.id);
  if (!file) return undefined;
  return { url: `${taskUrl}/download`, fileName: file.fileName, size: byteSize(file.size), rows: file.rows, expiresAt: file.expiresAt, expired: file.expiresAt <= now };
}

/**
 * GET /tasks/:id/download (the caller has checked that the user may see the task: whoever queued
 * it, or a task manager). Streams the stored file from the database, chunk after chunk as the
 * browser takes them; answers 409 while it is being prepared and 410 once it expired.
 */
export async function downloadExport(pool: pg.Pool, task: TaskRow, res: Response, logError: (error: unknown) => void): Promise<void> {
  const file = await downloadable(pool, task);
  res.set({
    "Content-Type": file.contentType,
    "Content-Disposition": `attachment; filename="${file.fileName}"`,
    "Content-Length": String(file.size),
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
  });
  try {
    await streamExportFile(pool, file, res);
  } catch (error) {
    // Part of the file is out: cut the connection, so the browser reports a failed download.
    res.destroy();
    if (!(error instanceof ExportAborted)) logError(error);
  }
}

async function downloadable(pool: pg.Pool, task: TaskRow): Promise<ExportFile> {
  const name = `Export #${task.id}`;
  if (task.operation !== "export") throw new HttpError(404, `Task #${task.id} is not an export, so it has no file to download.`);
  if (task.status === "PENDING" || task.status === "RUNNING") {
    throw new HttpError(409, `${name} is still being prepared. Its page offers the download as soon as the file is ready.`, "Not ready yet");
  }
  const file = task.status === "SUCCESS" ? await exportFileOf(pool, task.id) : undefined;
  if (!file && task.status === "SUCCESS") throw new HttpError(410, `The file of ${name} has expired and was deleted. Export the list again.`, "Expired");
  if (!file) throw new HttpError(404, `${name} ended without a file (${task.status.toLowerCase()}). Export the list again.`);
  if (file.expiresAt <= new Date()) {
    throw new HttpError(410, `The file of ${name} expired on ${file.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. Export the list again.`, "Expired");
  }
  return file;
}

/** 1234567 → "1.2 MB". */
function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
