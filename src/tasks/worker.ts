import { Logger, run, type Runner, type TaskList } from "graphile-worker";
import type pg from "pg";

export interface WorkerHandle {
  status(): "running" | "stopped";
  stop(): Promise<void>;
  runner: Runner;
}

export interface WorkerOptions {
  pool: pg.Pool;
  taskList: TaskList;
  concurrency?: number;
  /** Receives worker log lines at warning level and above; default: console.warn. */
  log?: (message: string) => void;
}

/** Runs graphile-worker in this process; `npm run worker` runs the same thing as its own process. */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const log = options.log ?? ((message: string) => console.warn(`[worker] ${message}`));
  const logger = new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") log(message);
  });
  const runner = await run({
    pgPool: options.pool,
    concurrency: options.concurrency ?? 2,
    noHandleSignals: true,
    pollInterval: 1_000,
    logger,
    taskList: options.taskList,
  });
  let running = true;
  runner.promise.then(
    () => { running = false; },
    (error: unknown) => { running = false; log(`stopped: ${(error as Error).message}`); },
  );
  return {
    runner,
    status: () => (running ? "running" : "stopped"),
    async stop() {
      if (running) await runner.stop();
      running = false;
    },
  };
}
