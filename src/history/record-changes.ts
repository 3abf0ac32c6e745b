import type { Request } from "express";
import type { Resource } from "../config/resolve-resource";
import type { RecordRow } from "../config/resource-schema";
import { ident } from "../db/sql";
import { delegateOf, fieldOf, manyToMany } from "../model/relations";
import { nameOf } from "../tasks/queue-for-user";
import { idMatch, snapshotSql, wholeRows, type SnapshotScope } from "./snapshot-sql";

export type RecordAction = "create" | "update" | "delete";

/**
 * Runs a single-record write through PowerCRUD's forms with its audit row, in ONE transaction: the
 * record's snapshot before (locked), the write (Prisma, on the transaction's client), and the row of
 * `powercrud.record_change` with who, when, and the fields that changed, before and after. Creates
 * and edits keep the form's fields; a delete keeps the whole row with its links. History off: the
 * write alone.
 */
export async function auditedWrite<T extends RecordRow>(
  resource: Resource,
  req: Request,
  action: RecordAction,
  recordId: unknown,
  write: (delegate: any) => Promise<T>,
): Promise<T> {
  if (!resource.history.enabled) return write(resource.delegate);
  const { global, model } = resource;
  const scope = action === "delete" ? wholeRows(global.dataModel, model) : formScope(resource);
  const table = ident(model.dbName);
  const snapshot = `SELECT ${snapshotSql(global.dataModel, model, scope, "t")}::text AS snap FROM ${table} t WHERE ${idMatch(model, "t", "ARRAY[$1]")}`;
  const user = global.getUser(req);
  const userKey = user === undefined || user === null ? null : global.userKey(user) ?? null;
  const who = [resource.key, model.name, action, userKey, nameOf(user) ?? userKey];
  return global.prisma.$transaction(async (tx: any) => {
    const before = recordId === undefined ? null : ((await tx.$queryRawUnsafe(`${snapshot} FOR UPDATE`, String(recordId))) as Array<{ snap: string }>)[0]?.snap ?? null;
    const saved = await write(delegateOf(tx, model.name));
    const id = String(recordId ?? saved[model.idField]);
    if (action === "delete") {
      await tx.$executeRawUnsafe(
        `INSERT INTO powercrud.record_change ("resourceKey", model, action, "userKey", "userName", "recordId", before) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
        ...who, id, before,
      );
    } else {
      // Only what changed: an edit that changed nothing leaves no row.
      await tx.$executeRawUnsafe(
        `INSERT INTO powercrud.record_change ("resourceKey", model, action, "userKey", "userName", "recordId", before, after)
         SELECT $1, $2, $3, $4, $5, $6, ${changedPart("s.b", "s.a")}, ${changedPart("s.a", "s.b")}
         FROM (SELECT $7::jsonb AS b, ${snapshotSql(global.dataModel, model, scope, "t")} AS a FROM ${table} t WHERE ${idMatch(model, "t", "ARRAY[$6]")}) s
         WHERE s.a IS DISTINCT FROM s.b`,
        ...who, id, before,
      );
    }
    return saved;
  }, { maxWait: 10_000, timeout: 30_000 });
}

/** The parts of snapshot `a` that differ from `b` (all of `a` when `b` is NULL; NULL when `a` is). */
function changedPart(a: string, b: string): string {
  const part = (key: string) =>
    `COALESCE((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(${a}->'${key}') e WHERE e.value IS DISTINCT FROM ${b}->'${key}'->e.key), '{}'::jsonb)`;
  return `CASE WHEN ${a} IS NULL THEN NULL WHEN ${b} IS NULL THEN ${a} ELSE jsonb_build_object('row', ${part("row")}, 'links', ${part("links")}) END`;
}

const scopes = new WeakMap<Resource, SnapshotScope>();

/** The columns and link sets the resource's form writes. */
function formScope(resource: Resource): SnapshotScope {
  let scope = scopes.get(resource);
  if (!scope) {
    const { model, global } = resource;
    const columns: string[] = [];
    const links: string[] = [];
    for (const field of resource.formFields.filter((candidate) => !candidate.disabled)) {
      const meta = fieldOf(model, field.name);
      if (!meta) continue;
      if (meta.kind !== "object") columns.push(meta.dbName);
      else if (manyToMany(global.dataModel, model, meta)) links.push(meta.name);
    }
    scope = { columns, links };
    scopes.set(resource, scope);
  }
  return scope;
}
