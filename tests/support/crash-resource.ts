/**
 * The resource the worker-crash test queues tasks for, shared by the test (which serves it over HTTP)
 * and the worker processes it starts and kills: workers find a task's resource by its key.
 */
import type { PowerCrudOptions, ResourceOptions } from "../../src/index";

export const CRASH_RESOURCE: ResourceOptions = {
  model: "Book",
  key: "crash-books",
  list: { fields: ["title", "pages"] },
  bulkFields: ["pages"],
  bulk: {
    chunkSize: 10,
    // Slow enough that a kill lands in the middle of the task.
    veto: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 4)),
    background: { minRecords: 10 },
  },
};

export const CRASH_TASKS: PowerCrudOptions["tasks"] = { heartbeatMs: 200, staleAfterMs: 2_000, sweepEveryMs: 250 };
