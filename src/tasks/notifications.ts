import nodemailer, { type Transporter } from "nodemailer";
import type pg from "pg";
import type { TasksConfig } from "../config/background-schema";
import type { FlashMessage } from "../web/flash";
import type { FinishedTask, TaskRow, TaskStatus } from "./interfaces";

const STATUS_WORDS: Record<TaskStatus, string> = {
  PENDING: "is waiting",
  RUNNING: "is running",
  SUCCESS: "finished",
  PARTIAL: "finished with failures",
  FAILED: "failed",
  CANCELLED: "was cancelled",
};

/** "Bulk task #12", or "Export #13". */
export function taskTitle(task: Pick<TaskRow, "id" | "operation">): string {
  return `${task.operation === "export" ? "Export" : "Bulk task"} #${task.id}`;
}

/** "249,998 of 250,000 changed, 2 failed"; an export's "12,345 of 12,345 rows written". */
export function countWords(task: Pick<TaskRow, "operation" | "total" | "succeeded" | "failed">): string {
  const n = (value: number) => value.toLocaleString("en");
  if (task.operation === "export") return `${n(task.succeeded)} of ${n(task.total)} rows written`;
  return `${n(task.succeeded)} of ${n(task.total)} changed${task.failed ? `, ${n(task.failed)} failed` : ""}`;
}

/** "Bulk task #12 finished: Set Bestseller to Yes on 250,000 books; 249,998 of 250,000 changed, 2 failed." */
export function outcomeSentence(task: Pick<TaskRow, "id" | "operation" | "status" | "description" | "total" | "succeeded" | "failed" | "error">): string {
  return `${taskTitle(task)} ${STATUS_WORDS[task.status]}: ${task.description}; ${countWords(task)}.${task.error ? ` ${task.error}` : ""}`;
}

/**
 * Tells the user a task ended through the channels it was queued with: "email" and "callback" here,
 * in the worker that ended it; "messages" when the user next loads a page (takeTaskMessages).
 */
export class TaskNotifier {
  private transporter: Transporter | undefined;

  constructor(private readonly config: TasksConfig, private readonly log: (error: unknown) => void) {}

  async finished(task: TaskRow): Promise<void> {
    const url = `${this.config.url.replace(/\/$/, "")}/${task.id}`;
    if (task.notify.includes("callback") && this.config.onFinished) {
      await Promise.resolve(this.config.onFinished(publicTask(task, url))).catch(this.log);
    }
    if (task.notify.includes("email") && this.config.email) await this.email(task, url).catch(this.log);
  }

  private async email(task: TaskRow, url: string): Promise<void> {
    const email = this.config.email!;
    const to = email.to ? email.to(task.userSnapshot) : (task.userSnapshot as { email?: unknown } | null)?.email;
    if (typeof to !== "string" || !to.includes("@")) return;
    this.transporter ??= nodemailer.createTransport(email.transport as Parameters<typeof nodemailer.createTransport>[0]);
    const link = email.baseUrl ? new URL(url, email.baseUrl).toString() : url;
    await this.transporter.sendMail({
      from: email.from,
      to,
      subject: `${taskTitle(task)} ${STATUS_WORDS[task.status]}`,
      text: `${outcomeSentence(task)}\n\nDetails: ${link}\n`,
    });
  }
}

function publicTask(task: TaskRow, url: string): FinishedTask {
  const { id, resourceUrl, model, operation, description, status, total, processed, succeeded, failed, error, userKey, userName, createdAt, startedAt, finishedAt } = task;
  return { id, resourceUrl, model, operation, description, status, total, processed, succeeded, failed, error, userKey, userName, createdAt, startedAt, finishedAt, user: task.userSnapshot, url };
}

/** The user's tasks that ended since their last page, marked announced as they are read. */
const TAKE_ENDED = `UPDATE powercrud.task SET "announcedAt" = now()
  WHERE "announcedAt" IS NULL AND 'messages' = ANY(notify) AND "finishedAt" IS NOT NULL AND "userKey" IS NOT DISTINCT FROM $1
  RETURNING id, operation, status::text AS status, description, total, succeeded, failed, error`;

/**
 * The "messages" channel: the user's tasks that ended since their last page, each once, as flash
 * messages. A partial index holds only tasks still to announce, so this costs one index probe.
 */
export async function takeTaskMessages(pool: pg.Pool, userKey: string | undefined, tasksUrl: string): Promise<FlashMessage[]> {
  const { rows } = await pool.query<TaskRow>(TAKE_ENDED, [userKey ?? null]);
  return rows.sort((a, b) => a.id - b.id).map((task) => taskMessage(task, tasksUrl));
}

/**
 * What the navbar indicator shows on a full page, in one statement: how many of the user's tasks wait
 * or run, and (when `take`) the messages of their tasks that ended since their last page.
 */
export async function indicatorState(pool: pg.Pool, userKey: string | null, tasksUrl: string, take: boolean): Promise<{ running: number; messages: FlashMessage[] }> {
  const { rows } = await pool.query<{ running: number; ended: TaskRow[] | null }>(
    `WITH ended AS (${take ? TAKE_ENDED : "SELECT NULL::int AS id WHERE false"})
     SELECT (SELECT count(*)::int FROM powercrud.task WHERE status IN ('PENDING', 'RUNNING') AND "userKey" IS NOT DISTINCT FROM $1) AS running,
            (SELECT json_agg(ended ORDER BY id) FROM ended) AS ended`,
    [userKey],
  );
  const { running, ended } = rows[0]!;
  return { running, messages: (ended ?? []).map((task) => taskMessage(task, tasksUrl)) };
}

function taskMessage(task: TaskRow, tasksUrl: string): FlashMessage {
  return {
    kind: task.status === "SUCCESS" ? "success" : task.status === "CANCELLED" ? "info" : task.status === "PARTIAL" ? "warning" : "error",
    message: outcomeSentence(task),
    href: `${tasksUrl.replace(/\/$/, "")}/${task.id}`,
  };
}
