/** A worker process for the crash test: `tsx tests/support/crash-worker.ts` with DATABASE_URL set. */
import { createPool, createPrisma } from "../../src/db/clients";
import { dataModel } from "../../src/generated/powercrud";
import { createPowerCrud } from "../../src/index";
import { CRASH_RESOURCE, CRASH_TASKS } from "./crash-resource";

const url = process.env.DATABASE_URL!;
const pool = createPool(url);
const crud = createPowerCrud({ prisma: createPrisma(url), pool, dataModel, tasks: CRASH_TASKS });
crud.resource(CRASH_RESOURCE);
await crud.runWorker({ concurrency: 1 });
console.log("worker ready");
