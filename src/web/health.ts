import type { RequestHandler } from "express";
import type pg from "pg";

export interface HealthSources {
  pool: pg.Pool;
  /** "running" | "stopped" | "disabled"; omitted when the app runs no worker. */
  workerStatus?: () => string;
}

/** JSON health report: 200 when the database answers, 503 when it does not. */
export function healthHandler({ pool, workerStatus }: HealthSources): RequestHandler {
  return async (_req, res) => {
    let database = "ok";
    let databaseError: string | undefined;
    try {
      await withTimeout(pool.query("SELECT 1"), 3_000);
    } catch (error) {
      database = "unreachable";
      databaseError = (error as Error).message;
    }
    const worker = workerStatus?.() ?? "disabled";
    const healthy = database === "ok";
    res.status(healthy ? 200 : 503).json({
      status: healthy ? "ok" : "degraded",
      database,
      ...(databaseError ? { databaseError } : {}),
      worker,
    });
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}
