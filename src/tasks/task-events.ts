import pg from "pg";
import { TASK_CHANNEL, type TaskRow } from "./interfaces";
import { loadTask } from "./task-state";

/** What a status page stream is told: a task changed (its row as committed), or notifications may have been missed. */
export interface TaskListener {
  task(row: TaskRow): void;
  /** The LISTEN connection came back after a break: what the listener shows may be stale. */
  resync(): void;
}

export interface TaskEventsOptions {
  pool: pg.Pool;
  log: (message: string) => void;
  /** The LISTEN connection stays open this long after its last listener leaves (page navigations reuse it). */
  idleCloseMs?: number;
}

/**
 * ONE LISTEN connection per process, shared by every open status page: a NOTIFY on powercrud_tasks
 * (sent in the transaction that changed the task) loads the task's row once and hands that same row
 * to every listener, which filters it for its user. The connection is a dedicated pg client, not one
 * of the pool's, opened with the first listener and reopened (with back-off) when it breaks.
 */
export class TaskEvents {
  private readonly listeners = new Set<TaskListener>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryMs = 250;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Task ids whose row is being loaded, and whether another NOTIFY came meanwhile (load again after). */
  private readonly loading = new Map<number, boolean>();
  private everConnected = false;

  constructor(private readonly options: TaskEventsOptions) {}

  /** Starts listening if needed; resolves once LISTEN is in place, so nothing committed after it is missed. */
  async subscribe(listener: TaskListener): Promise<() => void> {
    this.listeners.add(listener);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await this.connect().catch(() => undefined);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && !this.idleTimer) {
        this.idleTimer = setTimeout(() => void this.close(), this.options.idleCloseMs ?? 5_000);
        this.idleTimer.unref();
      }
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.idleTimer = this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.everConnected = false;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new pg.Client(this.options.pool.options);
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    client.on("notification", (message) => {
      if (message.channel !== TASK_CHANNEL || !message.payload) return;
      const id = idOf(message.payload);
      if (id !== undefined) this.load(id);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TASK_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
      this.options.log(`task events: cannot listen (${(error as Error).message}); retrying`);
      this.scheduleReconnect();
      throw error;
    }
    this.client = client;
    this.retryMs = 250;
    if (this.everConnected) for (const listener of this.listeners) listener.resync();
    this.everConnected = true;
  }

  /** The connection broke: reopen it while anyone listens, and tell them to catch up once it is back. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.listeners.size > 0) this.scheduleReconnect();
    else this.everConnected = false;
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.listeners.size === 0) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => undefined);
    }, this.retryMs);
    this.reconnectTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
  }

  /** Loads the task once for all listeners; NOTIFYs arriving during a load cause one more load, not one each. */
  private load(id: number): void {
    if (this.loading.has(id)) {
      this.loading.set(id, true);
      return;
    }
    this.loading.set(id, false);
    loadTask(this.options.pool, id)
      .then((row) => {
        if (!row) return;
        for (const listener of this.listeners) {
          try {
            listener.task(row);
          } catch (error) {
            this.options.log(`task events: a stream failed on task #${id} (${(error as Error).message})`);
          }
        }
      })
      .catch((error: Error) => this.options.log(`task events: cannot read task #${id} (${error.message})`))
      .finally(() => {
        const again = this.loading.get(id);
        this.loading.delete(id);
        if (again && this.listeners.size > 0) this.load(id);
      });
  }
}

function idOf(payload: string): number | undefined {
  try {
    const id = (JSON.parse(payload) as { id?: unknown }).id;
    return typeof id === "number" && Number.isSafeInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
