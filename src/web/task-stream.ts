import type { Request, Response } from "express";
import type pg from "pg";
import type { TaskRow } from "../tasks/interfaces";
import { outcomeSentence } from "../tasks/notifications";
import type { TaskEvents, TaskListener } from "../tasks/task-events";
import { loadTask } from "../tasks/task-state";
import { toastKind } from "./task-views";

/** Who the stream is for and what its page shows. */
export interface StreamScope {
  userKey: string | null;
  /** May see everyone's tasks (tasks.canManage). */
  manage: boolean;
  /** The detail page of this task. */
  taskId?: number;
  /** A task list page: every visible task's row. */
  list: boolean;
}

export interface StreamRenderers {
  progress(row: TaskRow): string;
  row(row: TaskRow): string;
  url(row: TaskRow): string;
}

const HEARTBEAT_MS = 15_000;

/**
 * One browser's Server-Sent Events stream. It starts with the current state (so a reload or a
 * reconnect resumes from it), then forwards the shared LISTEN connection's task changes that its
 * user may see: their own tasks, everyone's for managers. Nothing of another user's task is ever
 * written to a stream without the permission.
 *
 * Events: `hello` (live), `running` ({count} of the user's active tasks), `task` ({id, status,
 * active, progress?, row?} with rendered HTML), `finished` ({message, kind, href} for the user's own
 * task that ended while the stream was open), `resync` (notifications may have been missed).
 */
export class TaskStream implements TaskListener {
  /** The user's own active tasks, to count them and to notice when one ends. */
  private readonly ownActive = new Set<number>();
  private closed = false;

  constructor(
    private readonly res: Response,
    private readonly scope: StreamScope,
    private readonly render: StreamRenderers,
  ) {}

  /** Opens the stream on `res`: headers, the current state, then live changes until the browser leaves. */
  static async open(req: Request, res: Response, options: { pool: pg.Pool; events: TaskEvents; scope: StreamScope; render: StreamRenderers }): Promise<void> {
    const stream = new TaskStream(res, options.scope, options.render);
    res.status(200).set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      // Proxies (nginx) would otherwise hold events back until a buffer fills.
      "X-Accel-Buffering": "no",
      Connection: "keep-alive",
    });
    res.flushHeaders();
    // A dropped stream is reopened by the browser after 1 s (its default is 3 s).
    res.write("retry: 1000\n\n");
    req.socket.setNoDelay(true);
    // Listen first, then read the current state: a change committed in between arrives twice, never zero times.
    const unsubscribe = await options.events.subscribe(stream);
    const heartbeat = setInterval(() => stream.write(": keep-alive\n\n"), HEARTBEAT_MS);
    const end = () => {
      stream.closed = true;
      clearInterval(heartbeat);
      unsubscribe();
    };
    req.on("close", end);
    res.on("error", end);
    try {
      await stream.snapshot(options.pool);
    } catch (error) {
      end();
      res.end();
      throw error;
    }
  }

  private async snapshot(pool: pg.Pool): Promise<void> {
    const { rows } = await pool.query<{ id: number }>(
      `SELECT id FROM powercrud.task WHERE status IN ('PENDING', 'RUNNING') AND "userKey" IS NOT DISTINCT FROM $1`,
      [this.scope.userKey],
    );
    for (const row of rows) this.ownActive.add(row.id);
    this.send("hello", { live: true });
    this.send("running", { count: this.ownActive.size });
    if (this.scope.taskId !== undefined) {
      const task = await loadTask(pool, this.scope.taskId);
      if (task && this.visible(task)) this.task(task);
    }
  }

  task(row: TaskRow): void {
    if (this.closed || !this.visible(row)) return;
    const own = row.userKey === this.scope.userKey;
    const shown = row.id === this.scope.taskId;
    const active = row.status === "PENDING" || row.status === "RUNNING";
    if (own || shown || this.scope.list) {
      this.send("task", {
        id: row.id,
        status: row.status,
        active,
        ...(own || shown ? { progress: memo(row, "progress", () => this.render.progress(row)) } : {}),
        ...(this.scope.list ? { row: memo(row, "row", () => this.render.row(row)) } : {}),
      });
    }
    if (!own) return;
    const wasActive = this.ownActive.has(row.id);
    if (active) this.ownActive.add(row.id);
    else this.ownActive.delete(row.id);
    // "finished" before "running": a page that only streams for its running tasks closes the stream at a count of 0.
    if (wasActive && !active) this.send("finished", { id: row.id, message: outcomeSentence(row), kind: toastKind(row.status), href: this.render.url(row) });
    if (wasActive !== active) this.send("running", { count: this.ownActive.size });
  }

  resync(): void {
    this.send("resync", {});
  }

  private visible(row: TaskRow): boolean {
    return this.scope.manage || row.userKey === this.scope.userKey;
  }

  private send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(text: string): void {
    if (!this.closed && !this.res.writableEnded) this.res.write(text);
  }
}

/** Rendered HTML per task row as the LISTEN connection delivered it: rendered once, written to every stream. */
const rendered = new WeakMap<TaskRow, Map<string, string>>();
function memo(row: TaskRow, key: string, make: () => string): string {
  let entries = rendered.get(row);
  if (!entries) rendered.set(row, (entries = new Map()));
  let html = entries.get(key);
  if (html === undefined) entries.set(key, (html = make()));
  return html;
}
