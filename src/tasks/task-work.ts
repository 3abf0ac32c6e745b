import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import { deleteJournal, updateJournal, type JournalWriter } from "../history/journal-chunk";
import { revertWork } from "../history/revert-chunk";
import { applyTaskChunk } from "./apply-task-chunk";
import type { ChunkOutcome } from "./finish-chunk";
import type { TaskRow } from "./interfaces";
import { taskChanges, taskPlan } from "./task-plan";

/** What a worker does to one chunk of a task, inside the chunk's transaction. */
export type ChunkWork = (client: pg.PoolClient, ids: string[], user: unknown) => Promise<ChunkOutcome>;

/**
 * A task's chunk work by its operation: a revert puts back what another task changed; an edit or a
 * delete applies its plan, journaled first when the task keeps a journal. Throws when the task can
 * no longer run (a field that is no longer a bulk field): the task then fails with that message.
 */
export function chunkWork(resource: Resource, task: TaskRow): ChunkWork {
  if (task.operation === "revert") return revertWork(resource, task);
  const plan = taskPlan(resource, task);
  const journal = task.data.journal ? journalOf(resource, task) : undefined;
  return (client, ids, user) => applyTaskChunk(client, resource, plan, ids, user, journal && ((chunkClient, some) => journal.write(chunkClient, task.id, some)));
}

function journalOf(resource: Resource, task: TaskRow): JournalWriter {
  const { dataModel } = resource.global;
  return task.operation === "delete" ? deleteJournal(dataModel, resource.model) : updateJournal(dataModel, resource.model, taskChanges(resource, task));
}
