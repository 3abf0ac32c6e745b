import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import { ident } from "../db/sql";
import { idColumn, idSqlType } from "../model/relations";
import { applyInSavepoints, rowProblem } from "../tasks/apply-in-savepoints";
import { refuseByHooks } from "../tasks/apply-task-chunk";
import type { ChunkOutcome } from "../tasks/finish-chunk";
import type { JournalScope, TaskRow } from "../tasks/interfaces";
import type { ChunkWork } from "../tasks/task-work";
import { idMatch, linkOf, literal, snapshotSql, writableColumns } from "./snapshot-sql";
import { describeChanges, differenceSentence, textSnapshotSql, type TextSnapshot } from "./snapshot-words";

/** One journaled record of the reverted task, as it stands now. */
interface Classified {
  id: string;
  /** apply: it still holds what the task wrote; done: it already holds what was there before; conflict: neither. */
  state: "apply" | "done" | "conflict";
  present: boolean;
  /** The task put it there (nothing before): reverting deletes it. */
  removes: boolean;
  /** For conflicts: the record now and what the task wrote, for the reason. */
  now: TextSnapshot | null;
  wrote: TextSnapshot | null;
}

type Kind = "update" | "insert" | "delete";

/**
 * The chunk work of a revert task: puts back the journaled "before" of each record the reverted task
 * changed, in the chunk's transaction, journaling the revert itself the same way (so a revert can be
 * reverted). Per chunk: lock the rows, compare each with what the task wrote (one SELECT over the
 * journal), then, for those that still hold it (or all, when forced), journal and write back with one
 * statement per kind: UPDATE (the columns and link sets), INSERT (rows a recoverable delete removed)
 * or DELETE (rows a revert put back). A record changed by anyone since is a conflict: left alone and
 * listed with both values. One that already holds its earlier values counts as done.
 */
export function revertWork(resource: Resource, task: TaskRow): ChunkWork {
  const sourceId = task.revertOfId;
  const scope = task.data.journal;
  if (sourceId === null || !scope) throw new Error(`The task that bulk task #${task.id} reverts was removed with its journal (past its retention), so there is nothing to revert.`);
  const sql = revertStatements(resource, scope);
  const force = task.data.force === true;
  const restoresWholeRows = scope.columns === "all";

  return async (client, ids, user) => {
    const failures: ChunkOutcome["failures"] = [];
    await client.query(sql.lock, [ids]);
    const { rows } = await client.query<Classified>(sql.classify, [ids, sourceId]);
    const journaled = new Set(rows.map((row) => row.id));
    for (const id of ids) if (!journaled.has(id)) failures.push({ id, reason: `Task #${sourceId} has no journal entry for it any more.` });

    let done = 0;
    const conflicts: Classified[] = [];
    const kinds = new Map<string, Kind>();
    for (const row of rows) {
      if (row.state === "done") done += 1;
      else if (row.state === "conflict" && !force) conflicts.push(row);
      else if (!row.present && !restoresWholeRows) failures.push({ id: row.id, reason: `It was deleted after task #${sourceId}, so its earlier values cannot be put back.` });
      else kinds.set(row.id, row.removes ? "delete" : row.present ? "update" : "insert");
    }
    failures.push(...(await conflictReasons(resource, sourceId, conflicts)));
    const ofKind = (kind: Kind) => [...kinds].filter(([, value]) => value === kind).map(([id]) => id);
    const allowed = [
      ...(await refuseByHooks(resource, "update", ofKind("update"), user, failures)),
      ...(await refuseByHooks(resource, "delete", ofKind("delete"), user, failures)),
      ...ofKind("insert"),
    ];

    const applied = await applyInSavepoints(
      client,
      allowed,
      async (some) => {
        await client.query(sql.journal, [some, sourceId, task.id]);
        const changed: string[] = [];
        for (const kind of ["delete", "update", "insert"] as const) {
          const these = some.filter((id) => kinds.get(id) === kind);
          if (these.length) changed.push(...(await sql.write[kind](client, these, sourceId)));
        }
        return changed;
      },
      (error) => rowProblem(error, scope.kind === "deleted"),
    );
    failures.push(...applied.failures);
    return { succeeded: applied.changed.length + done, failures };
  };
}

/** Why each conflict was left alone, with the record's values now and what the task wrote. */
async function conflictReasons(resource: Resource, sourceId: number, conflicts: Classified[]): Promise<ChunkOutcome["failures"]> {
  if (conflicts.length === 0) return [];
  const both = conflicts.filter((row) => row.now && row.wrote);
  const described = await describeChanges(resource, both.map((row) => ({ before: row.wrote, after: row.now })));
  const words = new Map(both.map((row, index) => [row.id, described[index]!]));
  return conflicts.map((row) => {
    if (!row.now) return { id: row.id, reason: `Conflict: it was deleted after task #${sourceId}.` };
    if (!row.wrote) return { id: row.id, reason: `Conflict: a record with this id exists again since task #${sourceId} deleted it.` };
    const changes = words.get(row.id) ?? [];
    return { id: row.id, reason: `Conflict: changed since task #${sourceId}${changes.length ? `: ${differenceSentence(changes, "the task wrote")}` : ""}.` };
  });
}

interface RevertStatements {
  lock: string;
  classify: string;
  journal: string;
  write: Record<Kind, (client: pg.PoolClient, ids: string[], sourceId: number) => Promise<string[]>>;
}

/**
 * The SQL of a revert for one model and journal scope, built once per task. Parameters: $1 ids
 * (text), $2 the reverted task, $3 this task. Every statement is driven by the chunk's ids through
 * a primary key (the record's, or the journal's (taskId, recordId)), with per-row lookups rather
 * than joins of whole sets, so its plan stays linear whatever the planner believes of the journal
 * (a task's journal rows are often younger than its statistics).
 */
function revertStatements(resource: Resource, scope: JournalScope): RevertStatements {
  const { dataModel } = resource.global;
  const { model } = resource;
  const table = ident(model.dbName);
  const id = ident(idColumn(model));
  const idType = idSqlType(model);
  const ofChunk = `j."taskId" = $2 AND j."recordId" = ANY($1::text[])`;
  const journalRows = `powercrud.journal j
    LEFT JOIN ${table} t ON t.${id} = j."recordId"::${idType}
    CROSS JOIN LATERAL (SELECT CASE WHEN t.${id} IS NULL THEN NULL ELSE ${snapshotSql(dataModel, model, scope, "t")} END AS now) s
    WHERE ${ofChunk}`;
  const conflict = `s.now IS DISTINCT FROM j.after AND s.now IS DISTINCT FROM j.before`;
  const ids = async (client: pg.PoolClient, text: string, params: unknown[]) => (await client.query<{ id: string }>(text, params)).rows.map((row) => row.id);

  // Columns written back; @updatedAt moves to now unless the snapshot holds it (a revert is a change).
  const columns = writableColumns(model, scope);
  const stamps = model.fields.flatMap((field) => (field.kind === "scalar" && field.isUpdatedAt && !columns.includes(field.dbName) ? [field.dbName] : []));
  // Each record's values from its own journal row: one primary-key probe per record.
  const before = `FROM powercrud.journal j CROSS JOIN LATERAL jsonb_populate_record(NULL::${table}, j.before->'row') r
        WHERE j."taskId" = $2 AND j."recordId" = t.${id}::text`;
  const assignments = [
    ...(columns.length === 1 ? [`${ident(columns[0]!)} = (SELECT r.${ident(columns[0]!)} ${before})`] : []),
    ...(columns.length > 1 ? [`(${columns.map(ident).join(", ")}) = (SELECT ${columns.map((column) => `r.${ident(column)}`).join(", ")} ${before})`] : []),
    ...stamps.map((column) => `${ident(column)} = (now() AT TIME ZONE 'UTC')`),
  ];
  const links = scope.links.map((field) => linkOf(dataModel, model, field));
  const linkInserts = links.map((link) => `INSERT INTO ${ident(link.joinTable)} (${ident(link.ownColumn)}, ${ident(link.targetColumn)})
    SELECT j."recordId"::${idType}, x::${link.targetType} FROM powercrud.journal j CROSS JOIN LATERAL jsonb_array_elements_text(j.before->'links'->${literal(link.field)}) x
    WHERE ${ofChunk} ON CONFLICT DO NOTHING`);
  const linkDeletes = links.map((link) => `DELETE FROM ${ident(link.joinTable)} m
    WHERE m.${ident(link.ownColumn)} = ANY($1::text[]::${idType}[])
      AND NOT EXISTS (SELECT 1 FROM powercrud.journal j WHERE j."taskId" = $2 AND j."recordId" = m.${ident(link.ownColumn)}::text
                        AND j.before->'links'->${literal(link.field)} ? m.${ident(link.targetColumn)}::text)`);

  return {
    lock: `SELECT 1 FROM ${table} t WHERE ${idMatch(model, "t", "$1")} FOR UPDATE`,
    classify: `SELECT j."recordId" AS id,
        CASE WHEN s.now IS NOT DISTINCT FROM j.after THEN 'apply' WHEN s.now IS NOT DISTINCT FROM j.before THEN 'done' ELSE 'conflict' END AS state,
        s.now IS NOT NULL AS present, j.before IS NULL AS removes,
        CASE WHEN ${conflict} THEN ${textSnapshotSql("s.now")} END AS now,
        CASE WHEN ${conflict} THEN ${textSnapshotSql("j.after")} END AS wrote
      FROM ${journalRows}`,
    journal: `INSERT INTO powercrud.journal ("taskId", "recordId", before, after) SELECT $3::int, j."recordId", s.now, j.before FROM ${journalRows}`,
    write: {
      delete: (client, some) => ids(client, `DELETE FROM ${table} t WHERE ${idMatch(model, "t", "$1")} RETURNING t.${id}::text AS id`, [some]),
      update: async (client, some, sourceId) => {
        for (const statement of linkDeletes) await client.query(statement, [some, sourceId]);
        for (const statement of linkInserts) await client.query(statement, [some, sourceId]);
        if (assignments.length === 0) return some;
        // Only the values read from the journal need the reverted task's id ($2).
        return ids(client, `UPDATE ${table} t SET ${assignments.join(", ")} WHERE ${idMatch(model, "t", "$1")} RETURNING t.${id}::text AS id`, columns.length ? [some, sourceId] : [some]);
      },
      insert: async (client, some, sourceId) => {
        const inserted = await ids(client, `INSERT INTO ${table} SELECT r.* FROM powercrud.journal j CROSS JOIN LATERAL jsonb_populate_record(NULL::${table}, j.before->'row') r
          WHERE ${ofChunk} RETURNING ${id}::text AS id`, [some, sourceId]);
        for (const statement of linkInserts) await client.query(statement, [some, sourceId]);
        return inserted;
      },
    },
  };
}
