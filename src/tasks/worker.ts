import { Logger, parseCronItems, run, type Runner, type TaskList } from "graphile-worker";
import type pg from "pg";
import { sweepDeadWorkers } from "./sweep";

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
  /** Look for bulk jobs of dead workers every `everyMs` and free those silent for `staleAfterMs`. */
  sweep?: { everyMs: number; staleAfterMs: number };
  /** How often to look for new jobs when no notification arrives. */
  pollIntervalMs?: number;
  /** Recurring jobs (PowerCRUD's cleanup): graphile-worker's cron runs each once per match across all workers. */
  cron?: Array<{ task: string; match: string }>;
}

/**
 * Runs graphile-worker in this process (the demo's default); `npm run worker` runs the same thing as
 * a process of its own, and any number of them, on any number of machines, share the work.
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const log = options.log ?? ((message: string) => console.warn(`[worker] ${message}`));
  const logger = new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") log(message);
  });
  const runner = await run({
    pgPool: options.pool,
    concurrency: options.concurrency ?? 2,
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 1_000,
    logger,
    taskList: options.taskList,
    // Always given (an empty list too), so graphile-worker never reads a ./crontab file of the host's.
    // No backfill: a cleanup missed while no worker ran is simply done by the next one.
    parsedCronItems: parseCronItems((options.cron ?? []).map((item) => ({ ...item, identifier: item.task, options: { backfillPeriod: 0 } }))),
  });
  let running = true;
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = options.sweep;
  const timer = sweep
    ? setInterval(() => {
        sweeping = sweepDeadWorkers(options.pool, sweep.staleAfterMs).then(
          (freed) => freed.length && log(`freed bulk jobs of stopped workers: ${freed.join(", ")}`),
          (error: Error) => log(`sweep failed: ${error.message}`),
        );
      }, sweep.everyMs)
    : undefined;
  timer?.unref();
  runner.promise.then(
    () => { running = false; },
    (error: unknown) => { running = false; log(`stopped: ${(error as Error).message}`); },
  );
  return {
    runner,
    status: () => (running ? "running" : "stopped"),
    async stop() {
      if (timer) clearInterval(timer);
      await sweeping;
      if (running) await runner.stop();
      running = false;
    },
  };
}
